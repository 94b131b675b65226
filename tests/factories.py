"""One named user per role (house style), built with factory_boy."""

import datetime

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from parcours.accounts.enums import MembershipRole, MembershipState, StaffRole
from parcours.accounts.models import Entity, HolderProfile, Membership, User

PASSWORD = "motdepasse-de-test-1"  # noqa: S105


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    name = factory.Sequence(lambda n: f"Entité {n}")
    siret = None
    address = "1 rue de la Paix, 75002 Paris"

    class Params:
        training = factory.Trait(
            is_training_organisation=True,
            nda="11755555575",
            qualiopi_training=True,
            qualiopi_valid_until=datetime.date(2027, 12, 31),
        )
        certifier = factory.Trait(is_certifier=True)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@parcours.test")
    username = factory.SelfAttribute("email")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Dupont{n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def member_of(
    entity: Entity, role: str = MembershipRole.MEMBER, state: str = MembershipState.VALIDATED, **kwargs
) -> User:
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, entity=entity, role=role, state=state)
    return user


def staff(role: str, **kwargs) -> User:
    extra = {"is_staff": True, "is_superuser": True} if role == StaffRole.PLATFORM_ADMIN else {}
    user = UserFactory(staff_role=role, **extra, **kwargs)
    TOTP.activate(user, generate_totp_secret())
    return user


def holder(**kwargs) -> User:
    user = UserFactory(**kwargs)
    HolderProfile.objects.create(
        user=user,
        birth_name="Martin",
        birth_date=datetime.date(1990, 1, 1),
        birth_place="Lyon",
        address="2 place Bellecour, Lyon",
        cpf_balance=1500,
    )
    return user


def habilitated_organisation(name: str = "Organisme de démonstration", siret: str = "40483304800022") -> Entity:
    """A Qualiopi training organisation, partner (train and organise) of every active certification,
    as its certifiers would declare it (ACC-7)."""
    from parcours.registry.enums import AccreditationKind
    from parcours.registry.models import Accreditation, AccreditationSource, Certification

    entity = EntityFactory(training=True, name=name, siret=siret)
    Accreditation.objects.bulk_create(
        Accreditation(
            certification=certification,
            source=AccreditationSource.CERTIFIER,
            siret=entity.siret,
            name=entity.name,
            kind=AccreditationKind.TRAIN_AND_ORGANISE,
        )
        for certification in Certification.objects.active()
    )
    return entity
