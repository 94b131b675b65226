"""The EDOF catalogue's business rules (OFF-1 to OFF-22, EDO-4). Pages, API and import call these."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from parcours.accounts.habilitations import may_prepare
from parcours.accounts.models import Entity, User
from parcours.core.errors import DomainError
from parcours.core.outbox import OFFER, announce
from parcours.registry.codes import InvalidCode, parse_code
from parcours.registry.models import Certification, Replacement, paris_today

from .enums import CLEA_CODES, CLEA_FORMACODE, CLEA_NSF, CPF_CODE_BY_TYPE, EnrolmentState, OfferStatus, OfferType
from .models import Action, Offer, OfferBlock, OfferEvent, Session
from .rules import check_limits, missing_for_validation, normalise_texts

OFFER_FIELDS = [
    "title",
    "pedagogical_objectives",
    "content",
    "strengths",
    "expected_results",
    "course_type",
    "internal_id",
]

# State machine of an offer (OFF-15, OFF-16, OFF-22): name → (allowed sources, target).
TRANSITIONS = {
    "validate": ({OfferStatus.DRAFT, OfferStatus.VALIDATED}, OfferStatus.VALIDATED),
    "archive": ({OfferStatus.DRAFT, OfferStatus.VALIDATED}, OfferStatus.ARCHIVED),
    "restore": ({OfferStatus.ARCHIVED}, OfferStatus.DRAFT),
    "delete": ({OfferStatus.DRAFT, OfferStatus.ARCHIVED}, OfferStatus.DELETED),
}
TRANSITION_REFUSALS = {
    "delete": "Une offre validée s'archive d'abord, puis se supprime (OFF-16).",
    "archive": "Seule une offre en brouillon ou validée peut être archivée.",
    "restore": "Seule une offre archivée peut être remise en brouillon.",
    "validate": "Une offre archivée ou supprimée ne peut pas être validée.",
}


# -- certification lookup (OFF-2) ----------------------------------------------------------
def find_certification(registry: str, digits: str) -> Certification:
    """REG-1: the person types the digits, the prefix comes from the chosen registry."""
    try:
        code = parse_code(digits, registry or None)
    except InvalidCode as exc:
        raise DomainError(str(exc), rule="REG-1", field="code") from None
    certification = Certification.objects.filter(code=str(code)).first()
    if certification is None:
        raise DomainError(
            f"La certification {code} n'existe pas au répertoire {code.registry.label}.", rule="REG-1", field="code"
        )
    return certification


def check_may_offer(organisation: Entity, certification: Certification, on: datetime.date | None = None) -> None:
    """OFF-2: active certification, habilitated and Qualiopi-certified organisation (ACC-6, ACC-7)."""
    decision = may_prepare(organisation, certification, on or paris_today())
    if not decision:
        raise DomainError(decision.reason, rule=decision.rule, field="code")


# -- internal identifier (OFF-7) ---------------------------------------------------------
def internal_id_taken(organisation: Entity, internal_id: str, exclude: Offer | None = None) -> bool:
    offers = Offer.objects.of(organisation).filter(internal_id=internal_id.strip())
    if exclude is not None:
        offers = offers.exclude(pk=exclude.pk)
    return offers.exists()


def check_internal_id(organisation: Entity, internal_id: str, exclude: Offer | None = None) -> str:
    internal_id = (internal_id or "").strip()
    if not internal_id:
        raise DomainError(
            "Veuillez renseigner un identifiant interne afin de poursuivre votre saisie.",
            rule="OFF-7",
            field="internal_id",
        )
    if internal_id_taken(organisation, internal_id, exclude):
        raise DomainError(
            f"L'identifiant interne « {internal_id} » est déjà utilisé dans votre catalogue.",
            rule="OFF-7",
            field="internal_id",
        )
    return internal_id


# -- blocks (OFF-3 to OFF-6) -------------------------------------------------------------
def check_blocks(certification: Certification, block_codes: list[str], customisable: bool | None) -> list[str]:
    available = list(certification.blocks.values_list("code", flat=True))
    if not available:
        return []  # OFF-5: no block step
    unknown = sorted(set(block_codes) - set(available))
    if unknown:
        raise DomainError(
            f"Blocs inconnus pour {certification.code} : {', '.join(unknown)}.", rule="OFF-3", field="blocks"
        )
    if not block_codes:
        raise DomainError("Sélectionnez au moins un bloc de compétences pour poursuivre.", rule="OFF-3", field="blocks")
    if customisable is None:
        raise DomainError(
            "Indiquez si la liste des blocs pourra être personnalisée dans le dossier (Oui ou Non).",
            rule="OFF-4",
            field="blocks_customisable",
        )
    return [code for code in available if code in set(block_codes)]


def _write_blocks(offer: Offer, codes: list[str]) -> None:
    offer.offer_blocks.all().delete()
    blocks = {b.code: b for b in offer.certification.blocks.all()} if offer.certification else {}
    OfferBlock.objects.bulk_create([OfferBlock(offer=offer, block=blocks.get(code), code=code) for code in codes])


@dataclass(frozen=True)
class Perimeter:
    complete: bool
    prepared: int
    total: int

    @classmethod
    def of(cls, prepared: int, total: int) -> "Perimeter":
        """A certification without blocks is prepared whole."""
        return cls(prepared == total, prepared, total) if total else cls(True, 0, 0)

    @property
    def line(self) -> str:
        """OFF-6, word for word."""
        kind = "complète" if self.complete else "partielle"
        return f"Certification {kind} - {self.prepared}/{self.total} blocs de compétences préparés"


def perimeter(offer: Offer) -> Perimeter | None:
    if offer.certification is None:
        return None
    total = offer.certification.blocks.count()
    prepared = offer.offer_blocks.filter(block__isnull=False).count() if total else 0
    return Perimeter.of(prepared, total)


# -- creating and changing an offer ------------------------------------------------------
@dataclass
class OfferInput:
    offer_type: str = OfferType.CERTIFYING
    certification: Certification | None = None
    block_codes: list[str] = field(default_factory=list)
    blocks_customisable: bool | None = None
    values: dict[str, Any] = field(default_factory=dict)


def _raise_first(errors: list[DomainError]) -> None:
    if errors:
        raise errors[0]


@transaction.atomic
def create_offer(organisation: Entity, actor: User | None, data: OfferInput) -> Offer:
    """A draft, saved whether complete or not (OFF-15); the certification checks apply (OFF-2)."""
    values = normalise_texts({k: v for k, v in data.values.items() if k in OFFER_FIELDS})
    values["internal_id"] = check_internal_id(organisation, values.get("internal_id", ""))
    _raise_first(check_limits(values))
    offer = Offer(organisation=organisation, offer_type=data.offer_type, **values)
    codes: list[str] = []
    if data.offer_type in (OfferType.CERTIFYING, OfferType.CLEA):
        if data.certification is None:
            raise DomainError("Choisissez la certification préparée.", rule="OFF-2", field="code")
        if data.offer_type == OfferType.CLEA and data.certification.code not in CLEA_CODES:
            raise DomainError("Une offre Cléa prépare RS2203 ou RS3936.", rule="OFF-20", field="code")
        check_may_offer(organisation, data.certification)
        codes = check_blocks(data.certification, data.block_codes, data.blocks_customisable)
        offer.certification = data.certification
        offer.blocks_customisable = data.blocks_customisable if codes else None
        offer.general_objective = "Certification"  # OFF-9
        if data.offer_type == OfferType.CLEA:  # OFF-20: prefilled codes and title
            offer.formacode, offer.nsf_code = CLEA_FORMACODE, CLEA_NSF
            offer.title = offer.title or data.certification.title[:255]
    else:
        offer.cpf_code = CPF_CODE_BY_TYPE.get(OfferType(data.offer_type), "")
    offer.save()
    _write_blocks(offer, codes)
    _log(offer, actor, "create", "", offer.status)
    return offer


def lock_offer(offer_id: int, version: int | None = None) -> Offer:
    offer = (
        Offer.objects.select_for_update(of=("self",)).select_related("certification", "organisation").get(pk=offer_id)
    )
    if version is not None and offer.version != version:
        raise DomainError(
            "L'offre a été modifiée entre-temps par quelqu'un d'autre : rechargez la page.",
            rule="OFF-16",
            field="version",
        )
    return offer


@transaction.atomic
def update_offer(offer_id: int, actor: User | None, values: dict[str, Any], version: int | None = None) -> Offer:
    """OFF-16: modify. A validated offer stays validated only if it is still complete."""
    offer = lock_offer(offer_id, version)
    if offer.status == OfferStatus.DELETED:
        raise DomainError("Cette offre est supprimée.", rule="OFF-16", field="status")
    values = normalise_texts({k: v for k, v in values.items() if k in OFFER_FIELDS})
    if "internal_id" in values:
        values["internal_id"] = check_internal_id(offer.organisation, values["internal_id"], exclude=offer)
    _raise_first(check_limits(values))
    for key, value in values.items():
        setattr(offer, key, value)
    if offer.status == OfferStatus.VALIDATED:
        _raise_first(missing_for_validation(_values_of(offer), offer.offer_type))
    offer.version += 1
    offer.save()
    _log(offer, actor, "update", offer.status, offer.status)
    return offer


@transaction.atomic
def change_blocks(
    offer_id: int, actor: User | None, block_codes: list[str], customisable: bool | None, version: int | None = None
) -> Offer:
    """OFF-16: changing the block list means the description and actions must be updated."""
    offer = lock_offer(offer_id, version)
    if offer.certification is None:
        raise DomainError("Cette offre ne prépare pas de certification.", rule="OFF-3", field="blocks")
    codes = check_blocks(offer.certification, block_codes, customisable)
    before = sorted(offer.offer_blocks.values_list("code", flat=True))
    _write_blocks(offer, codes)
    offer.blocks_customisable = customisable if codes else None
    if sorted(codes) != before:
        offer.blocks_changed_at = timezone.now()
        _log(offer, actor, "blocks", offer.status, offer.status, f"{', '.join(before)} → {', '.join(codes)}")
    offer.version += 1
    offer.save()
    return offer


def _values_of(offer: Offer) -> dict[str, Any]:
    return {name: getattr(offer, name) for name in OFFER_FIELDS}


@transaction.atomic
def transition_offer(offer_id: int, actor: User | None, name: str, version: int | None = None) -> Offer:
    """One transition function for every state change of an offer (lock, check, save, log)."""
    sources, target = TRANSITIONS[name]
    offer = lock_offer(offer_id, version)
    if offer.status not in sources:
        raise DomainError(TRANSITION_REFUSALS[name], rule="OFF-16", field="status")
    if name == "validate":
        _raise_first(validation_errors(offer))
        offer.blocks_changed_at = None
    source = offer.status
    offer.status = target
    offer.version += 1
    offer.save()
    _log(offer, actor, name, source, target)
    return offer


def validation_errors(offer: Offer) -> list[DomainError]:
    """Everything that prevents validation, the certification's state included (OFF-2, OFF-15, OFF-22)."""
    errors = missing_for_validation(_values_of(offer), offer.offer_type) + check_limits(_values_of(offer))
    if offer.certification is not None:
        try:
            check_may_offer(offer.organisation, offer.certification)
        except DomainError as error:
            errors.append(error)
        lost = lost_blocks(offer)
        if lost:
            errors.append(
                DomainError(
                    f"Blocs disparus du répertoire : {', '.join(lost)}. Modifiez la liste des blocs.",
                    rule="OFF-22",
                    field="blocks",
                )
            )
        if offer.certification.blocks.exists() and not offer.offer_blocks.exists():
            errors.append(DomainError("Sélectionnez au moins un bloc.", rule="OFF-3", field="blocks"))
    if offer.offer_type == OfferType.CLEA and not offer.expected_results.strip():
        errors.append(
            DomainError("Les résultats attendus sont obligatoires (Cléa).", rule="OFF-20", field="expected_results")
        )
    return errors


def _log(offer: Offer, actor: User | None, verb: str, source: str, target: str, note: str = "") -> None:
    announce(OFFER, [offer.pk])  # what search shows may change (issue 5): same transaction
    OfferEvent.objects.create(
        offer=offer,
        actor=actor if actor and actor.pk else None,
        verb=verb,
        from_status=source,
        to_status=target,
        note=note,
    )


# -- what the organisation must do (OFF-16, OFF-19, OFF-22) -------------------------------
def lost_blocks(offer: Offer) -> list[str]:
    return list(offer.offer_blocks.filter(block__isnull=True).values_list("code", flat=True))


def offer_warnings(offer: Offer, on: datetime.date | None = None) -> list[str]:
    on = on or paris_today()
    warnings = []
    certification = offer.certification
    if certification is not None and not certification.is_active(on) and offer.status != OfferStatus.DELETED:
        replaced_by = list(Replacement.objects.filter(old_code=certification.code).values_list("new_code", flat=True))
        advice = (
            f" Créez une nouvelle offre pour la certification qui la remplace ({', '.join(replaced_by)}), adaptée à celle-ci."
            if replaced_by
            else ""
        )
        warnings.append(
            f"La certification {certification.code} est inactive : l'offre n'est plus visible ni ouverte aux "
            f"inscriptions. Archivez-la puis supprimez-la (OFF-22).{advice}"
        )
    lost = lost_blocks(offer)
    if lost:
        warnings.append(
            f"Blocs disparus du répertoire : {', '.join(lost)}. Modifiez la liste des blocs de l'offre (OFF-22)."
        )
    if offer.blocks_changed_at:
        warnings.append(
            "La liste des blocs a changé : mettez à jour la description de l'offre et ses actions (OFF-16)."
        )
    return warnings


def same_certification_advice(organisation: Entity, certification: Certification, exclude: Offer | None = None) -> str:
    """OFF-19: one offer per certification, on all its blocks; personalise in the dossier."""
    others = Offer.objects.of(organisation).filter(certification=certification)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if not others.exists():
        return ""
    return (
        f"Votre catalogue contient déjà une offre sur {certification.code}. Bonne pratique : une seule offre par "
        "certification, sur l'ensemble de ses blocs, personnalisée pour chaque stagiaire dans le dossier (OFF-19)."
    )


# -- actions and sessions (OFF-17, EDO-4) -----------------------------------------------
ACTION_FIELDS = [
    "internal_id",
    "modality",
    "place_name",
    "address",
    "postal_code",
    "city",
    "hours_in_centre",
    "hours_in_company",
    "price_excl_vat",
    "vat_rate",
    "price_incl_vat",
    "exam_fees_included",
    "admission_conditions",
    "prerequisites",
    "accessibility",
    "contact_name",
    "contact_email",
    "contact_phone",
]
SESSION_FIELDS = ["internal_id", "starts_on", "ends_on", "enrolment_state", "capacity", "registration_address"]
CENT = Decimal("0.01")


def price_with_vat(price_excl_vat: Decimal, vat_rate: Decimal) -> Decimal:
    excl, rate = Decimal(str(price_excl_vat)), Decimal(str(vat_rate))
    return (excl * (1 + rate / 100)).quantize(CENT, rounding=ROUND_HALF_UP)


def _check_action(offer: Offer, action: Action) -> None:
    if not action.internal_id.strip():
        raise DomainError("Renseignez l'identifiant interne de l'action.", rule="OFF-7", field="internal_id")
    clash = offer.actions.filter(internal_id=action.internal_id)
    if action.pk:
        clash = clash.exclude(pk=action.pk)
    if clash.exists():
        raise DomainError(
            f"L'identifiant interne « {action.internal_id} » est déjà celui d'une autre action de l'offre.",
            rule="OFF-7",
            field="internal_id",
        )
    if action.total_hours <= 0:
        raise DomainError(
            "Indiquez la durée : heures en centre et/ou en entreprise.", rule="OFF-17", field="hours_in_centre"
        )
    if action.price_excl_vat < 0 or action.vat_rate < 0:
        raise DomainError(
            "Le prix et le taux de TVA ne peuvent pas être négatifs.", rule="OFF-17", field="price_excl_vat"
        )
    expected = price_with_vat(action.price_excl_vat, action.vat_rate)
    if not action.price_incl_vat:
        action.price_incl_vat = expected
    elif abs(action.price_incl_vat - expected) > CENT:
        raise DomainError(
            f"Le prix TTC ({action.price_incl_vat} €) ne correspond pas au prix HT et au taux de TVA "
            f"({expected} € attendus).",
            rule="OFF-17",
            field="price_incl_vat",
        )
    if action.modality != "remote" and not (action.city.strip() and action.postal_code.strip()):
        raise DomainError("Indiquez le lieu de formation (code postal et ville).", rule="OFF-17", field="city")
    duplicate = (
        offer.actions.filter(
            modality=action.modality,
            postal_code=action.postal_code,
            city=action.city,
            address=action.address,
            price_incl_vat=action.price_incl_vat,
            hours_in_centre=action.hours_in_centre,
            hours_in_company=action.hours_in_company,
        )
        .exclude(pk=action.pk)
        .first()
    )
    if duplicate is not None:
        raise DomainError(
            f"Action en double : l'action « {duplicate.internal_id} » a déjà la même modalité, le même lieu, "
            "le même prix TTC et la même durée (EDO-4).",
            rule="EDO-4",
            field="internal_id",
        )


@transaction.atomic
def save_action(offer: Offer, actor: User | None, values: dict[str, Any], action: Action | None = None) -> Action:
    offer = lock_offer(offer.pk)
    action = action or Action(offer=offer)
    for key, value in values.items():
        if key in ACTION_FIELDS:
            setattr(action, key, value)
    _check_action(offer, action)
    action.save()
    _log(offer, actor, "action", offer.status, offer.status, action.internal_id)
    return action


def _check_session(session: Session, taken: set[str]) -> None:
    if not session.internal_id.strip():
        raise DomainError("Renseignez l'identifiant interne de la session.", rule="OFF-7", field="internal_id")
    if session.internal_id in taken:
        raise DomainError(
            f"L'identifiant interne « {session.internal_id} » est déjà celui d'une autre session.",
            rule="OFF-7",
            field="internal_id",
        )
    if session.starts_on and session.ends_on and session.ends_on < session.starts_on:
        raise DomainError("La session finit avant de commencer.", rule="OFF-17", field="ends_on")
    if session.capacity is not None and session.capacity < 1:
        raise DomainError("Une session a au moins une place.", rule="COM-5", field="capacity")
    if session.enrolment_state not in EnrolmentState.values:
        raise DomainError("État des inscriptions inconnu.", rule="OFF-17", field="enrolment_state")


@transaction.atomic
def save_session(action: Action, actor: User | None, values: dict[str, Any], session: Session | None = None) -> Session:
    session = session or Session(action=action)
    for key, value in values.items():
        if key in SESSION_FIELDS:
            setattr(session, key, value)
    taken = set(action.sessions.exclude(pk=session.pk).values_list("internal_id", flat=True))
    _check_session(session, taken)
    session.save()
    announce(OFFER, [action.offer_id])
    return session


def build_session(action: Action, values: dict[str, Any], taken: set[str]) -> Session:
    """A new session checked against the identifiers already `taken` (no query): for batch imports."""
    session = Session(action=action, **{k: v for k, v in values.items() if k in SESSION_FIELDS})
    _check_session(session, taken)
    taken.add(session.internal_id)
    return session


def create_sessions(sessions: list[Session]) -> None:
    """Write sessions built by `build_session`, with their history, in one statement each."""
    if sessions:
        bulk_create_with_history(sessions, Session, batch_size=500)
        announce(OFFER, {session.action.offer_id for session in sessions})


@transaction.atomic
def delete_action(action: Action, actor: User | None) -> None:
    offer = lock_offer(action.offer_id)
    _log(offer, actor, "action-delete", offer.status, offer.status, action.internal_id)
    action.delete()


@transaction.atomic
def delete_session(session: Session, actor: User | None) -> None:
    announce(OFFER, [session.action.offer_id])
    session.delete()
