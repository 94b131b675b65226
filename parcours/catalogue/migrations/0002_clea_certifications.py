"""REG-10, OFF-20: Cléa's two RS certifications must exist in the registry.

The bundled registry samples do not carry them: they are created from the facts of the source
documents when missing (a later registry import that carries them updates them).
"""

from django.db import migrations

from parcours.core.text import fold

CLEA = [
    (2203, "Socle de connaissances et de compétences professionnelles (CléA)"),
    (3936, "Socle de connaissances et de compétences professionnelles numériques (CléA Numérique)"),
]
CERTIFIER = "Association nationale pour la certification paritaire interprofessionnelle et l'évolution professionnelle"


def create_clea(apps, schema_editor):
    Certification = apps.get_model("registry", "Certification")
    Certifier = apps.get_model("registry", "Certifier")
    CertificationCertifier = apps.get_model("registry", "CertificationCertifier")
    certifier, _ = Certifier.objects.get_or_create(key="NOM:" + CERTIFIER.upper(), defaults={"name": CERTIFIER})
    for number, title in CLEA:
        code = f"RS{number}"
        if Certification.objects.filter(code=code).exists():
            continue
        certification = Certification.objects.create(
            registry="rs",
            number=number,
            code=code,
            title=title,
            declared_active=True,
            registration_type="on_request",
            search_text=fold(f"{code} {title} "),
        )
        CertificationCertifier.objects.create(certification=certification, certifier=certifier)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial"), ("registry", "0001_initial")]
    operations = [migrations.RunPython(create_clea, migrations.RunPython.noop)]
