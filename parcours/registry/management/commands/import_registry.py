"""`python manage.py import_registry PATH [PATH ...]`: thin wrapper over the import service."""

import sys

from django.core.management.base import BaseCommand, CommandError

from parcours.registry.importing.apply import import_registry
from parcours.registry.importing.records import ExportError


class Command(BaseCommand):
    help = "Importe les exports France compétences (zip CSV quotidien, membres CSV, XML V4.1)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("paths", nargs="+", help="fichiers d'export (zip, csv, xml)")
        parser.add_argument("--dry-run", action="store_true", help="n'enregistre rien, affiche le compte rendu")
        parser.add_argument("--no-progress", action="store_true", help="pas de barre de progression")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        interactive = sys.stderr.isatty() and not options["no_progress"]
        try:
            if interactive:
                report = self._with_bar(options)
            else:
                report = import_registry(options["paths"], dry_run=options["dry_run"], on_progress=self._plain)
        except ExportError as exc:
            raise CommandError(f"Import refusé, la base n'a pas été modifiée. {exc}") from None
        for line in report.lines():
            self.stdout.write(line)

    def _plain(self, fiches: int, done: int, total: int) -> None:
        if fiches % 5000 == 0:
            self.stderr.write(f"{fiches} fiches lues")

    def _with_bar(self, options):  # type: ignore[no-untyped-def]
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(
            TextColumn("[bold]Import du répertoire"),
            BarColumn(),
            TextColumn("{task.fields[fiches]} fiches"),
            TimeRemainingColumn(),
        ) as bar:
            task = bar.add_task("import", total=None, fiches=0)

            def update(fiches: int, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None, fiches=fiches)

            return import_registry(options["paths"], dry_run=options["dry_run"], on_progress=update)
