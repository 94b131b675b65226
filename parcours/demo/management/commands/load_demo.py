"""`python manage.py load_demo`: one entity and one user per role, idempotent, logins printed."""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from parcours.accounts.enums import MembershipRole, MembershipState, StaffRole
from parcours.accounts.models import Entity, HolderProfile, Membership, User
from parcours.registry.enums import AccreditationKind, AccreditationState
from parcours.registry.models import Accreditation, AccreditationSource, Certification, Certifier, paris_today

DEMO_PASSWORD = "parcours-demo"  # noqa: S105 — demo data for local runs only
TRAINING_ORGANISATION_SIRET = "12345678200002"
CERTIFIER_SIRET = "52875765100013"  # ANIMAL PRO FORMATION, certifier of RNCP40344 in the real data


class Command(BaseCommand):
    help = "Crée les entités et comptes de démonstration et affiche leurs identifiants."

    @transaction.atomic
    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        today = paris_today()
        organisation, _ = Entity.objects.update_or_create(
            siret=TRAINING_ORGANISATION_SIRET,
            defaults={
                "name": "Organisme de démonstration",
                "is_training_organisation": True,
                "nda": "11755555575",
                "qualiopi_training": True,
                "qualiopi_valid_from": today - datetime.timedelta(days=365),
                "qualiopi_valid_until": today + datetime.timedelta(days=365),
            },
        )
        certifier_name = Certifier.objects.filter(siret=CERTIFIER_SIRET).values_list("name", flat=True).first()
        certifier, _ = Entity.objects.update_or_create(
            siret=CERTIFIER_SIRET,
            defaults={"name": certifier_name or "ANIMAL PRO FORMATION", "is_certifier": True},
        )
        accounts = [
            (
                "admin@parcours.test",
                "Administrateur de la plateforme",
                {"staff_role": StaffRole.PLATFORM_ADMIN, "is_staff": True, "is_superuser": True},
                None,
            ),
            (
                "of@parcours.test",
                "Gestionnaire de l'Organisme de démonstration",
                {},
                (organisation, MembershipRole.MANAGER),
            ),
            (
                "of.membre@parcours.test",
                "Membre de l'Organisme de démonstration",
                {},
                (organisation, MembershipRole.MEMBER),
            ),
            (
                "certificateur@parcours.test",
                f"Gestionnaire du certificateur {certifier.name}",
                {},
                (certifier, MembershipRole.MANAGER),
            ),
            (
                "instructeur@parcours.test",
                "Instructeur France compétences",
                {"staff_role": StaffRole.FC_INSTRUCTOR},
                None,
            ),
            ("fc-admin@parcours.test", "Administrateur France compétences", {"staff_role": StaffRole.FC_ADMIN}, None),
            (
                "controleur@parcours.test",
                "Contrôleur Caisse des dépôts",
                {"staff_role": StaffRole.CDC_CONTROLLER},
                None,
            ),
            ("titulaire@parcours.test", "Titulaire de compte CPF (solde 1 500 €)", {}, None),
        ]
        for email, _label, flags, membership in accounts:
            user = self._user(email, flags)
            if membership:
                Membership.objects.update_or_create(
                    user=user,
                    defaults={"entity": membership[0], "role": membership[1], "state": MembershipState.VALIDATED},
                )
        holder = User.objects.get(email="titulaire@parcours.test")
        HolderProfile.objects.get_or_create(
            user=holder,
            defaults={
                "birth_name": "Martin",
                "birth_date": datetime.date(1990, 5, 14),
                "birth_place": "Lyon",
                "address": "12 rue de la République, 69002 Lyon",
                "cpf_balance": Decimal("1500.00"),
            },
        )
        habilitated = self._habilitate(organisation)
        self._demo_offer(organisation)
        self._cdc_sample(organisation)
        self._demo_dossier(holder)
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        for email, label, _flags, _membership in accounts:
            self.stdout.write(f"  {label:<55} {email}")
        self.stdout.write(
            "Connexion : les comptes professionnels reçoivent un code par courriel (affiché dans la console) ; "
            "le personnel configure une application TOTP à sa première connexion."
        )
        self.stdout.write(
            f"Organisme de démonstration habilité sur {habilitated} certifications actives du répertoire."
        )
        self.stdout.write("Site : http://127.0.0.1:8000/  —  Espace : http://127.0.0.1:8000/espace/")

    def _user(self, email: str, flags: dict) -> User:  # type: ignore[type-arg]
        user, created = User.objects.get_or_create(
            email=email, defaults={"username": email, "first_name": "Démo", "last_name": email.split("@")[0], **flags}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _demo_offer(self, organisation: Entity) -> None:
        """One validated offer on RNCP40344 with an action and a session, through the services."""
        from decimal import Decimal

        from parcours.catalogue import services
        from parcours.catalogue.models import Offer

        certification = Certification.objects.filter(code="RNCP40344").first()
        if certification is None or Offer.objects.of(organisation).filter(internal_id="DEMO-ASV").exists():
            return
        offer = services.create_offer(
            organisation,
            None,
            services.OfferInput(
                certification=certification,
                block_codes=list(certification.blocks.values_list("code", flat=True)),
                blocks_customisable=True,
                values={
                    "internal_id": "DEMO-ASV",
                    "title": "Auxiliaire spécialisé vétérinaire (parcours complet)",
                    "pedagogical_objectives": "Préparer les quatre blocs de compétences de la certification.",
                    "content": "Bloc 1 : conseil à la clientèle (70 h). Bloc 2 : organisation (35 h). "
                    "Bloc 3 : hygiène (35 h). Bloc 4 : assistance en soins et chirurgie (140 h).",
                    "strengths": "Formateurs auxiliaires vétérinaires en exercice ; stage en clinique.",
                    "expected_results": "Inscription aux évaluations des quatre blocs ; résultats transmis par le "
                    "certificateur ; frais d'examen inclus.",
                    "course_type": "96213",
                },
            ),
        )
        action = services.save_action(
            offer,
            None,
            {
                "internal_id": "DEMO-ASV-LYON",
                "modality": "on_site",
                "place_name": "Centre de démonstration",
                "address": "12 rue de la République",
                "postal_code": "69002",
                "city": "Lyon",
                "hours_in_centre": 280,
                "hours_in_company": 140,
                "price_excl_vat": Decimal("4200.00"),
                "vat_rate": Decimal("20"),
            },
        )
        today = paris_today()
        services.save_session(
            action,
            None,
            {
                "internal_id": "DEMO-ASV-LYON-1",
                "starts_on": today + datetime.timedelta(days=45),
                "ends_on": today + datetime.timedelta(days=225),
                "capacity": 12,
            },
        )
        services.transition_offer(offer.pk, None, "validate")

    def _demo_dossier(self, holder: User) -> None:
        """The holder's enrolment request on the demo offer (« Non traité »), through the services."""
        from parcours.catalogue.models import Session
        from parcours.dossiers.models import Dossier
        from parcours.dossiers.services import enrol

        session = Session.objects.filter(internal_id="DEMO-ASV-LYON-1").first()
        if session is None or Dossier.objects.filter(holder=holder, session=session).exists():
            return
        dossier = enrol(actor=holder, session_id=session.pk)
        self.stdout.write(f"Dossier de démonstration n° {dossier.pk} : http://127.0.0.1:8000/dossiers/{dossier.pk}/")

    def _cdc_sample(self, organisation: Entity) -> None:
        """The Caisse des dépôts' sample catalogue, its placeholder SIRET replaced (idempotent)."""
        from django.conf import settings

        from parcours.catalogue.edof.importer import import_catalogue

        sample = settings.DATA_DIR / "edof" / "exemple-catalogue-a-importer_v7r0.xml"
        data = sample.read_bytes().replace(b"12312312300000", (organisation.siret or "").encode())
        report = import_catalogue(data, organisation)
        if not report.ok:
            self.stderr.write("Catalogue d'exemple de la CDC non importé : " + " ".join(report.lines()))

    def _habilitate(self, organisation: Entity) -> int:
        """ACC-7: partner of every active bundled certification, as a certifier would declare it."""
        count = 0
        for certification in Certification.objects.active():
            Accreditation.objects.update_or_create(
                certification=certification,
                source=AccreditationSource.CERTIFIER,
                siret=organisation.siret,
                name=organisation.name,
                kind=AccreditationKind.TRAIN_AND_ORGANISE,
                defaults={"state": AccreditationState.ACTIVE},
            )
            count += 1
        return count
