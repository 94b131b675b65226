"""`python manage.py export_catalogue --organisation SIRET [--format edof|lheo] -o FICHIER` (EDO-4, EDO-5)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.accounts.models import Entity
from parcours.catalogue.edof.writer import export_gaps, write_edof, write_lheo

FORMATS = {
    "edof": (write_edof, "XML d'import EDOF (XSD v5r2, ISO-8859-1)"),
    "lheo": (write_lheo, "LHÉO 2.3 (UTF-8)"),
}


class Command(BaseCommand):
    help = "Exporte le catalogue d'un organisme au format XML EDOF ou LHÉO 2.3."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--organisation", required=True, help="SIRET de l'organisme")
        parser.add_argument("--format", choices=sorted(FORMATS), default="edof", help="edof (défaut) ou lheo")
        parser.add_argument("-o", "--output", required=True, help="fichier à écrire")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        organisation = Entity.objects.filter(siret=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"Aucun organisme de SIRET {options['organisation']}.")
        write, label = FORMATS[options["format"]]
        path = Path(options["output"])
        partial = path.with_name(path.name + ".partiel")
        try:
            with partial.open("wb") as stream:
                count = write(organisation, stream)
            partial.replace(path)  # never a half-written file under the final name
        except OSError as exc:
            raise CommandError(f"Écriture impossible de {path} : {exc.strerror}.") from None
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"{count} offre(s) de {organisation.name} exportée(s) en {label} dans {path}.")
        gaps = export_gaps(organisation)
        if gaps:
            self.stdout.write(f"Non exporté ({len(gaps)}) :")
            for gap in gaps:
                self.stdout.write(f"  - {gap}")
