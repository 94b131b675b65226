"""`python manage.py load_demo`: demo accounts for a local run (idempotent), logins printed.

The accounts issue adds one entity and one user per role; for now the platform administrator.
"""

from django.core.management.base import BaseCommand

from parcours.accounts.models import User

DEMO_PASSWORD = "parcours-demo"  # noqa: S105 — demo data for local runs only
DEMO_USERS = [
    ("admin@parcours.test", "Administrateur de la plateforme", {"is_staff": True, "is_superuser": True}),
]


class Command(BaseCommand):
    help = "Crée les comptes de démonstration et affiche leurs identifiants."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for email, role, flags in DEMO_USERS:
            user, created = User.objects.get_or_create(email=email, defaults={"username": email, **flags})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            self.stdout.write(f"  {role} : {email}")
        self.stdout.write("Administration : http://127.0.0.1:8000/admin/")
