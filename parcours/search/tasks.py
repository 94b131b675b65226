"""Apply the outbox to the index in the background (django-tasks): safe to run twice."""

from django.db import transaction
from django_tasks import task

from . import engine


@task()
def apply_search_outbox() -> int:
    return engine.apply_outbox()


def schedule_indexing(sender, **kwargs):  # type: ignore[no-untyped-def]
    """Outbox rows were written: once the transaction commits, the indexer replays them."""
    transaction.on_commit(lambda: apply_search_outbox.enqueue())


@task()
def refresh_search_starts() -> int:
    """Daily: the offers whose next session start has passed get their date-sort key recomputed."""
    from parcours.registry.models import paris_today

    return engine.refresh_next_starts(paris_today())
