"""The bottom of the app layers: what lower apps tell higher ones without importing them."""

from django.db import models


class OutboxEntry(models.Model):
    """« This changed »: written in the same transaction as the change, read by the search indexer.

    The database stays the source of truth; the index replays the outbox, so a crash between the
    commit and the indexing loses nothing (issue 5).
    """

    topic = models.CharField(max_length=32)  # "offer", "organisation", "certification"
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "changement à indexer"
        verbose_name_plural = "changements à indexer"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.topic} {self.object_id}"
