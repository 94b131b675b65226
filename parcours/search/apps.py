from django.apps import AppConfig


class SearchConfig(AppConfig):
    """The public catalogue (Mon Compte Formation's side): what anyone may find and read."""

    name = "parcours.search"
    verbose_name = "Catalogue public"

    def ready(self) -> None:
        from parcours.core.outbox import outbox_written

        from .tasks import schedule_indexing

        outbox_written.connect(schedule_indexing, dispatch_uid="search-indexing")
