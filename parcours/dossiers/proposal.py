"""« Modifier le dossier »: personalising the proposition de commande (DOS-2 to DOS-4), the summary
« Valider le dossier » shows (DOS-5), and what still prevents validation (DOS-3, DOS-4, DOS-6, DOS-8, EDO-2)."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from parcours.accounts.models import User
from parcours.catalogue.rules import normalise_texts
from parcours.catalogue.services import Perimeter
from parcours.core.errors import DomainError
from parcours.registry.models import paris_today

from .enums import DossierState, Side
from .machine import lock_dossier, log, require, save
from .models import Dossier, DossierBlock
from .rules import (
    CONFIRMABLE,
    PROPOSAL_FIELDS,
    Adaptation,
    adaptation,
    adaptation_errors,
    check_block_change,
    check_proposal_values,
    check_session_dates,
    check_start_after_withdrawal,
    next_deadline,
    with_vat,
)


def reprice(dossier: Dossier) -> None:
    """Prices with VAT follow the prices excl. VAT and the rate (COM-1)."""
    dossier.price_incl_vat = with_vat(dossier.price_excl_vat, dossier.vat_rate)
    dossier.exam_fees_incl_vat = with_vat(dossier.exam_fees_excl_vat, dossier.vat_rate)


# -- DOS-2 to DOS-4: « Modifier le dossier » ------------------------------------------------------
def proposal_values(dossier: Dossier) -> dict[str, Any]:
    return {field: getattr(dossier, field) for field in PROPOSAL_FIELDS}


def adaptation_of(dossier: Dossier) -> Adaptation:
    """DOS-4: what is still identical to the offer after a change of the block list."""
    return adaptation(
        dossier.offer_copy, proposal_values(dossier), dossier.block_codes(), dossier.unchanged_confirmations
    )


def available_blocks(dossier: Dossier) -> list[str]:
    """The certification's blocks, in the registry's order (DOS-3: the blocks a dossier may prepare)."""
    if dossier.certification is None:
        return []
    return list(dossier.certification.blocks.order_by("position", "code").values_list("code", flat=True))


def _write_blocks(dossier: Dossier, codes: list[str]) -> None:
    titles = {b.code: b for b in dossier.certification.blocks.all()} if dossier.certification else {}
    for dropped in dossier.blocks.exclude(code__in=codes):
        dropped.delete()  # one by one: the history records each
    kept = set(dossier.blocks.values_list("code", flat=True))
    bulk_create_with_history(
        [
            DossierBlock(
                dossier=dossier, block=titles.get(code), code=code, title=getattr(titles.get(code), "title", "")
            )
            for code in codes
            if code not in kept
        ],
        DossierBlock,
    )


def perimeter_of(dossier: Dossier, prepared: int | None = None) -> Perimeter | None:
    """OFF-6's line for the dossier's blocks (those still in the registry, unless `prepared` is given)."""
    if dossier.certification is None:
        return None
    total = dossier.certification.blocks.count()
    if prepared is None:
        prepared = dossier.blocks.filter(block__isnull=False).count()
    return Perimeter.of(prepared, total) if total else None


def field_label(name: str) -> str:
    """The French name of a dossier field, for the event log people read."""
    return str(getattr(Dossier._meta.get_field(name), "verbose_name", name))


@transaction.atomic
def update_proposal(
    dossier_id: int,
    actor: User,
    *,
    values: Mapping[str, Any] | None = None,
    block_codes: Iterable[str] | None = None,
    confirm_unchanged: Iterable[str] = (),
    version: int | None = None,
) -> Dossier:
    """« Modifier le dossier » (DOS-2): content, session dates, price, expected results, duration,
    exam fees; the block list only on a personalisable offer, never empty (DOS-3); `confirm_unchanged`
    ("duration", "price") records that an unchanged duration or price suits a new block list (DOS-4)."""
    dossier = lock_dossier(dossier_id, version)
    require(actor, dossier, {Side.ORGANISATION}, "modifier la proposition")
    if dossier.is_read_only:
        raise DomainError(
            "Un dossier validé ne peut plus être modifié : annulez-le puis faites-en un nouveau (DOS-5).",
            rule="DOS-5",
            field="state",
        )
    changes = normalise_texts({k: v for k, v in (values or {}).items() if k in PROPOSAL_FIELDS})
    errors = check_proposal_values(changes)
    if errors:
        raise errors[0]
    for key, value in changes.items():
        setattr(dossier, key, value)
    if "session_starts_on" in changes or "session_ends_on" in changes:
        check_session_dates(dossier.session_starts_on, dossier.session_ends_on)
    reprice(dossier)
    notes = [", ".join(sorted(field_label(k) for k in changes))] if changes else []
    if block_codes is not None:
        before = dossier.block_codes()
        codes = check_block_change(
            customisable=dossier.blocks_customisable,
            available=available_blocks(dossier),
            current=before,
            wanted=block_codes,
        )
        if sorted(codes) != sorted(before):
            _write_blocks(dossier, codes)
            dossier.unchanged_confirmations = {}  # a new perimeter: confirm again
            notes.append(f"blocs : {', '.join(before)} → {', '.join(codes)}")
    confirmed = _confirm_unchanged(dossier, actor, confirm_unchanged)
    if confirmed:
        notes.append(f"maintien confirmé : {', '.join(CONFIRMABLE[g][1] for g in confirmed)}")
    save(dossier, "update")
    log(dossier, actor, "update", dossier.state, dossier.state, "; ".join(notes))
    return dossier


def _confirm_unchanged(dossier: Dossier, actor: User, groups: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(groups))
    unknown = [g for g in wanted if g not in CONFIRMABLE]
    if unknown:
        raise DomainError("Seuls la durée et le prix se confirment.", rule="DOS-4", field="confirm_unchanged")
    unchanged = set(adaptation_of(dossier).unchanged)
    confirmed = [g for g in wanted if g in unchanged and g not in dossier.unchanged_confirmations]
    for group in confirmed:
        dossier.unchanged_confirmations = {
            **dossier.unchanged_confirmations,
            group: {"by": actor.pk, "at": timezone.now().isoformat()},
        }
    return confirmed


@dataclass(frozen=True)
class ProposalSummary:
    """What « Valider le dossier » shows to confirm (DOS-5), and the holder receives."""

    title: str
    blocks: list[tuple[str, str]]
    session_starts_on: datetime.date | None
    session_ends_on: datetime.date | None
    duration_hours: Decimal
    price_excl_vat: Decimal
    price_incl_vat: Decimal
    exam_fees_incl_vat: Decimal
    total_incl_vat: Decimal
    answer_by: datetime.date  # EDO-2: the holder's deadline if validated today
    version: int

    @property
    def text(self) -> str:
        blocks = "\n".join(f"- {code} {title}".rstrip() for code, title in self.blocks) or "- (sans blocs)"
        dates = (
            f"du {self.session_starts_on:%d/%m/%Y} au {self.session_ends_on:%d/%m/%Y}"
            if self.session_starts_on and self.session_ends_on
            else "dates à préciser"
        )
        return (
            f"{self.title}\nBlocs de compétences :\n{blocks}\nSession {dates}, {self.duration_hours} heures.\n"
            f"Prix : {self.price_excl_vat} € HT, {self.price_incl_vat} € TTC ; frais d'examen "
            f"{self.exam_fees_incl_vat} € TTC ; total {self.total_incl_vat} € TTC.\n"
            f"Réponse attendue avant le {self.answer_by:%d/%m/%Y}."
        )


def proposal_summary(dossier: Dossier, on: datetime.date | None = None) -> ProposalSummary:
    on = on or paris_today()
    return ProposalSummary(
        title=dossier.title,
        blocks=[(b.code, b.title) for b in dossier.blocks.all()],
        session_starts_on=dossier.session_starts_on,
        session_ends_on=dossier.session_ends_on,
        duration_hours=dossier.duration_hours,
        price_excl_vat=dossier.price_excl_vat,
        price_incl_vat=dossier.price_incl_vat,
        exam_fees_incl_vat=dossier.exam_fees_incl_vat,
        total_incl_vat=dossier.total_incl_vat,
        answer_by=next_deadline(DossierState.VALIDATED, since=on, starts_on=None, ends_on=None)[1] or on,
        version=dossier.version,
    )


def validation_errors(dossier: Dossier, on: datetime.date | None = None) -> list[DomainError]:
    """Everything that prevents « Valider le dossier » (DOS-3, DOS-4, DOS-6, DOS-8, EDO-2)."""
    on = on or paris_today()
    errors: list[DomainError] = []
    if not hasattr(dossier, "positioning"):
        errors.append(
            DomainError(
                "Enregistrez l'entretien de positionnement et sa preuve avant de valider le dossier.",
                rule="DOS-8",
                field="positioning",
            )
        )
    if available_blocks(dossier) and not dossier.blocks.exists():
        errors.append(DomainError("Le dossier doit préparer au moins un bloc.", rule="DOS-3", field="blocks"))
    errors += adaptation_errors(adaptation_of(dossier))
    for field, label in (
        ("title", "l'intitulé"),
        ("pedagogical_objectives", "les objectifs pédagogiques"),
        ("content", "le contenu"),
        ("expected_results", "les résultats attendus"),
    ):
        if not str(getattr(dossier, field) or "").strip():
            errors.append(DomainError(f"La proposition vaut contrat : renseignez {label}.", rule="DOS-6", field=field))
    if dossier.total_incl_vat <= 0:
        errors.append(DomainError("Indiquez le prix de l'action.", rule="DOS-6", field="price_excl_vat"))
    try:
        check_session_dates(dossier.session_starts_on, dossier.session_ends_on)
        assert dossier.session_starts_on is not None
        check_start_after_withdrawal(dossier.session_starts_on, on, "session_starts_on")
    except DomainError as error:
        errors.append(error)
    return errors
