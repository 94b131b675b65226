"""Write and read the outbox (see `OutboxEntry`)."""

from collections.abc import Iterable

from django.db.models import Max
from django.dispatch import Signal

from .models import OutboxEntry

# Sent after outbox rows are written (inside the transaction): the search app listens and
# schedules the indexer on commit, so that this bottom module never imports it.
outbox_written = Signal()

OFFER = "offer"
ORGANISATION = "organisation"
CERTIFICATION = "certification"


def announce(topic: str, object_ids: Iterable[int]) -> None:
    """Record that these objects changed; call it inside the transaction of the change."""
    rows = [OutboxEntry(topic=topic, object_id=object_id) for object_id in dict.fromkeys(object_ids)]
    if rows:
        OutboxEntry.objects.bulk_create(rows, batch_size=1000)
        outbox_written.send(sender=OutboxEntry, topic=topic)


def pending(limit: int = 1000) -> list[OutboxEntry]:
    return list(OutboxEntry.objects.order_by("id")[:limit])


def latest_id() -> int | None:
    """The newest entry: a full rebuild covers everything up to it."""
    return OutboxEntry.objects.aggregate(latest=Max("id"))["latest"]


def acknowledge(up_to_id: int) -> None:
    """The indexer committed everything up to this entry."""
    OutboxEntry.objects.filter(id__lte=up_to_id).delete()
