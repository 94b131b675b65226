from django.core.management.base import BaseCommand

from parcours.core.periodic import enqueue_periodic


class Command(BaseCommand):
    help = "Met en file les tâches périodiques (échéances des dossiers, rafraîchissement de la recherche)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for path in enqueue_periodic():
            self.stdout.write(f"Tâche mise en file : {path}")
