from django.core.management.base import BaseCommand

from parcours.search import engine


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche du catalogue public à partir de la base."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        count = engine.rebuild()
        self.stdout.write(f"Index reconstruit : {count} offres indexées.")
