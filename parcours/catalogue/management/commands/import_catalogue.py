"""`python manage.py import_catalogue FICHIER.xml --organisation SIRET [--dry-run]` (OFF-18, EDO-4)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.accounts.models import Entity
from parcours.catalogue.edof.importer import import_catalogue


class Command(BaseCommand):
    help = "Importe un catalogue au format XML EDOF (offres, actions, sessions) dans le catalogue d'un organisme."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="fichier XML EDOF (ISO-8859-1 ou UTF-8)")
        parser.add_argument("--organisation", required=True, help="SIRET de l'organisme qui importe")
        parser.add_argument("--dry-run", action="store_true", help="vérifie tout, n'enregistre rien")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}. La base n'a pas été modifiée.")
        organisation = Entity.objects.filter(siret=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"Aucun organisme de SIRET {options['organisation']}. La base n'a pas été modifiée.")
        report = import_catalogue(path, organisation, dry_run=options["dry_run"])
        if not report.ok:  # every error, each with file, line, element and message
            raise CommandError("\n".join(report.lines(with_source=True, limit=None)))
        for line in report.lines():
            self.stdout.write(line)
