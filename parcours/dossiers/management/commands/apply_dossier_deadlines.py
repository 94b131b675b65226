"""Apply EDO-2's deadlines now, or queue them for the task worker: for cron or a systemd timer."""

from typing import Any

from django.core.management.base import BaseCommand

from parcours.dossiers.deadlines import apply_deadlines
from parcours.dossiers.tasks import apply_dossier_deadlines


class Command(BaseCommand):
    help = "Applique les échéances des dossiers (EDO-2) : demandes et propositions sans réponse, service fait."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enqueue", action="store_true", help="confier le travail au worker des tâches")

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            apply_dossier_deadlines.enqueue()
            self.stdout.write("Échéances confiées au worker.")
            return
        report = apply_deadlines()
        self.stdout.write(
            f"{len(report.lapsed)} dossier(s) annulé(s) sans suite, {len(report.service_validated)} service(s) "
            f"fait validé(s), {report.waiting_offers_expired} place(s) de liste d'attente non saisie(s)."
        )
