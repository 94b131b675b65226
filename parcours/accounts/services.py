"""Sign-up, validation of accounts, API tokens (ACC-1 to ACC-5). Pages and API call these."""

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parcours.core.errors import DomainError
from parcours.core.mail import notify

from .enums import DocumentKind, EntityKind, MembershipRole, MembershipState, StaffRole
from .models import ApiToken, Entity, EntityDocument, HolderProfile, Membership, User
from .rules import check_mandate_date, check_nda, check_siret, sniff_document


@dataclass
class Upload:
    name: str
    size: int
    stream: IO[bytes]


@dataclass
class EntityDetails:
    """What a person says of their entity at sign-up (ACC-1 to ACC-3, ACC-8)."""

    siret: str = ""
    name: str = ""
    address: str = ""
    kind: str = EntityKind.ORGANISATION
    is_training_organisation: bool = False
    is_certifier: bool = False
    is_cpne: bool = False
    is_public_establishment: bool = False
    nda: str = ""
    qualiopi_training: bool = False
    qualiopi_valid_until: datetime.date | None = None
    legal_document_kind: str = ""
    legal_document: Upload | None = None
    named_on_legal_document: bool = False
    mandate: Upload | None = None
    mandate_date: datetime.date | None = None
    errors: list[DomainError] = field(default_factory=list)


def find_entity_by_siret(siret: str) -> Entity | None:
    return Entity.objects.filter(siret=siret).first() if siret else None


def entity_has_manager(entity: Entity) -> bool:
    return entity.memberships.filter(role=MembershipRole.MANAGER).exclude(state=MembershipState.REJECTED).exists()


def check_entity_details(details: EntityDetails, today: datetime.date) -> list[DomainError]:
    """Every problem at once, so the form shows them all (nothing is written here)."""
    errors: list[DomainError] = []

    def attempt(check, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return check(*args, **kwargs)
        except DomainError as error:
            errors.append(error)
            return None

    if details.siret:
        attempt(check_siret, details.siret)
    existing = find_entity_by_siret(details.siret)
    if existing is not None and entity_has_manager(existing):
        return errors  # joining an entity: its gestionnaire validates, no documents needed
    if not details.siret and not (details.name.strip() and details.address.strip()):
        errors.append(
            DomainError("Sans SIRET, indiquez le nom et l'adresse de l'entité.", rule="ACC-2", field="address")
        )
    if not details.name.strip() and existing is None:
        errors.append(DomainError("Indiquez le nom de l'entité.", rule="ACC-2", field="name"))
    if details.is_training_organisation:
        attempt(check_nda, details.nda)
    if details.legal_document is None:
        errors.append(
            DomainError(
                "Joignez la preuve de l'existence légale de l'entité (Kbis, avis au JO, décret ou arrêté, "
                "accord de branche).",
                rule="ACC-3",
                field="legal_document",
            )
        )
    else:
        attempt(sniff_document, details.legal_document.stream, details.legal_document.size, "legal_document")
    mandate_needed = details.is_public_establishment or not details.named_on_legal_document
    if mandate_needed:
        if details.mandate is None:
            errors.append(
                DomainError(
                    "Joignez le mandat vous désignant « administrateur entité » : il est obligatoire pour un "
                    "établissement public et quand votre nom ne figure pas sur le document justificatif.",
                    rule="ACC-3",
                    field="mandate",
                )
            )
        else:
            attempt(sniff_document, details.mandate.stream, details.mandate.size, "mandate")
        attempt(check_mandate_date, details.mandate_date, today)
    return errors


@transaction.atomic
def attach_to_entity(user: User, details: EntityDetails, today: datetime.date) -> Membership:
    """ACC-4: the first account of an entity is its gestionnaire; later ones are members."""
    errors = check_entity_details(details, today)
    if errors:
        raise errors[0]
    entity = find_entity_by_siret(details.siret)
    if entity is None:
        entity = Entity.objects.create(
            name=details.name.strip(),
            siret=details.siret or None,
            address=details.address.strip(),
            kind=details.kind,
            is_training_organisation=details.is_training_organisation,
            is_certifier=details.is_certifier,
            is_cpne=details.is_cpne,
            is_public_establishment=details.is_public_establishment,
            nda=details.nda.strip(),
            qualiopi_training=details.qualiopi_training,
            qualiopi_valid_until=details.qualiopi_valid_until,
        )
    role = MembershipRole.MEMBER if entity_has_manager(entity) else MembershipRole.MANAGER
    membership = Membership.objects.create(user=user, entity=entity, role=role)
    if role == MembershipRole.MANAGER:
        if details.legal_document:
            _store_document(entity, user, details.legal_document_kind or DocumentKind.KBIS, details.legal_document)
        if details.mandate:
            _store_document(entity, user, DocumentKind.MANDATE, details.mandate, details.mandate_date)
    return membership


def _store_document(entity, user, kind, upload: Upload, signed_on=None) -> EntityDocument:  # type: ignore[no-untyped-def]
    from django.core.files import File

    content_type = sniff_document(upload.stream, upload.size, "document")
    document = EntityDocument(
        entity=entity,
        kind=kind,
        original_name=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        signed_on=signed_on,
        uploaded_by=user,
    )
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}[content_type]
    document.file.save(f"{secrets.token_hex(16)}{extension}", File(upload.stream), save=False)
    document.save()
    return document


@transaction.atomic
def create_holder_profile(
    user: User, *, birth_name: str, birth_date: datetime.date, birth_place: str, address: str, phone: str = ""
) -> HolderProfile:
    return HolderProfile.objects.create(
        user=user,
        birth_name=birth_name.strip(),
        birth_date=birth_date,
        birth_place=birth_place.strip(),
        address=address.strip(),
        phone=phone.strip(),
    )


def set_cpf_balance(holder: HolderProfile, amount: Decimal) -> None:
    if amount < 0:
        raise DomainError("Le solde CPF ne peut pas être négatif.", field="cpf_balance")
    holder.cpf_balance = amount
    holder.save(update_fields=["cpf_balance"])


# -- validation of accounts (ACC-4, ACC-5) ------------------------------------------------
def platform_admin_emails() -> list[str]:
    return list(
        User.objects.filter(is_active=True, staff_role=StaffRole.PLATFORM_ADMIN).values_list("email", flat=True)
    ) + list(User.objects.filter(is_active=True, is_superuser=True).values_list("email", flat=True))


def announce_pending_membership(membership: Membership) -> None:
    """After e-mail activation: tell whoever must validate (ACC-4, ACC-5)."""
    if membership.role == MembershipRole.MANAGER:
        recipients = platform_admin_emails()
        where = reverse("accounts:validation_queue")
    else:
        recipients = list(
            membership.entity.memberships.filter(
                role=MembershipRole.MANAGER, state=MembershipState.VALIDATED
            ).values_list("user__email", flat=True)
        )
        where = reverse("accounts:entity")
    notify(
        recipients,
        "Un compte attend votre validation",
        f"{membership.user.get_full_name()} ({membership.user.email}) demande un compte "
        f"« {membership.get_role_display()} » pour {membership.entity.name}.\n"
        f"Pour valider ou refuser : {where}",
    )
    notify(
        [membership.user.email],
        "Votre adresse est confirmée",
        "Votre adresse électronique est confirmée. Votre compte doit maintenant être validé "
        + (
            "par un administrateur de la plateforme (cela peut prendre quelques jours)."
            if membership.role == MembershipRole.MANAGER
            else f"par le gestionnaire de {membership.entity.name}."
        ),
    )


def decide_membership(membership_id: int, actor: User, *, accept: bool, reason: str = "") -> Membership:
    """One transition function: pending → validated | rejected (ACC-4, ACC-5)."""
    from .policies import can_decide_membership

    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",)).select_related("entity", "user").get(pk=membership_id)
        )
        if not can_decide_membership(actor, membership):
            raise DomainError("Vous ne pouvez pas valider ce compte.", rule="ACC-4", field="membership")
        if membership.state != MembershipState.PENDING:
            raise DomainError(
                f"Ce compte est déjà « {membership.get_state_display()} ».", rule="ACC-4", field="membership"
            )
        if not accept and not reason.strip():
            raise DomainError("Indiquez le motif du refus.", rule="ACC-4", field="reason")
        membership.state = MembershipState.VALIDATED if accept else MembershipState.REJECTED
        membership.decided_by = actor
        membership.decided_at = timezone.now()
        membership.reason = reason.strip()
        membership._change_reason = "validation" if accept else "refus"  # type: ignore[attr-defined]
        membership.save()
    if accept:
        notify(
            [membership.user.email],
            "Votre compte est validé",
            f"Votre compte « {membership.get_role_display()} » pour {membership.entity.name} est validé. "
            "Vous pouvez vous connecter.",
        )
    else:
        notify(
            [membership.user.email],
            "Votre demande de compte est refusée",
            f"Votre demande de compte pour {membership.entity.name} est refusée. Motif : {membership.reason}",
        )
    return membership


# -- API tokens ---------------------------------------------------------------------------
def create_api_token(entity: Entity, name: str, actor: User) -> tuple[ApiToken, str]:
    """Returns the token and its secret, shown once."""
    if not name.strip():
        raise DomainError("Donnez un nom au jeton (par exemple « logiciel de gestion »).", field="name")
    raw = "pcs_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        entity=entity, name=name.strip()[:100], prefix=raw[:12], digest=ApiToken.digest_of(raw), created_by=actor
    )
    return token, raw


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def authenticate_token(raw: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("entity")
        .filter(digest=ApiToken.digest_of(raw or ""), revoked_at__isnull=True)
        .first()
    )
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
