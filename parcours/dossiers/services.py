"""The life of a dossier (DOS-1 to DOS-6, EDO-1 to EDO-3, COM-2, COM-5). Pages, API and tasks call these.

One function per transition of `machine.TRANSITIONS`; each runs `machine.transition` (lock, check
who acts and the table, apply its checks, save, log) and notifies on commit. Each returns the
dossier and raises `DomainError` (rule, field, French message) when a rule refuses, and
`PermissionDenied` when the actor may not act on the dossier.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from parcours.accounts.models import User
from parcours.catalogue.models import Session
from parcours.core.errors import DomainError
from parcours.registry.models import paris_today

from . import ledger, waiting_list
from .commercial import cancellation_quote, terms_for
from .enums import DossierState, Side
from .machine import acts_as, lock_dossier, log, require, tell_holder, tell_organisation, transition
from .models import Dossier, DossierBlock
from .policies import can_enrol
from .proposal import proposal_summary, proposal_values, reprice, validation_errors
from .rules import (
    check_confirmed_fee,
    earliest_start,
    final_evaluation_required,
    full_session_error,
    insufficient_balance_error,
    money,
    next_deadline,
    reason_required,
    with_vat,
)

S = DossierState


def _open(dossier: Dossier, blocks: list[DossierBlock], today: datetime.date, reason: str) -> None:
    """A new request « Non traité »: prices from its fields, EDO-2's answer deadline, its blocks."""
    reprice(dossier)
    dossier.deadline_kind, dossier.deadline_on = next_deadline(
        S.NOT_PROCESSED, since=today, starts_on=None, ends_on=None
    )
    dossier._change_reason = reason  # type: ignore[attr-defined]
    dossier.save()
    for block in blocks:
        block.dossier = dossier
    bulk_create_with_history(blocks, DossierBlock)


# -- DOS-1: enrolment ---------------------------------------------------------------------------
def _offer_copy(offer: Any, action: Any, session: Session, block_codes: list[str], values: dict[str, Any]) -> dict:
    copy = {k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()}
    copy.update(
        block_codes=block_codes,
        session_starts_on=session.starts_on.isoformat() if session.starts_on else None,
        session_ends_on=session.ends_on.isoformat() if session.ends_on else None,
        offer_id=offer.pk,
        offer_version=offer.version,
        action_id=action.pk,
        session_id=session.pk,
        copied_at=timezone.now().isoformat(),
    )
    return copy


def _price_detail(price_excl_vat: Decimal, vat_rate: Decimal, exam_fees: Decimal) -> str:
    detail = f"Prix de l'action : {money(price_excl_vat)} € HT, TVA {vat_rate} %, {with_vat(price_excl_vat, vat_rate)} € TTC."
    if exam_fees:
        detail += f"\nFrais d'examen : {money(exam_fees)} € HT."
    return detail


@transaction.atomic
def enrol(*, actor: User, session_id: int) -> Dossier:
    """DOS-1: a CPF account holder's request from a public offer's session; the dossier copies the
    offer's content at that moment (OFF-16: later changes to the offer do not reach it)."""
    if not can_enrol(actor):
        raise PermissionDenied("Seul un titulaire de compte CPF peut s'inscrire à une formation.")
    session = waiting_list.lock_session(session_id, rule="DOS-1")
    action, offer, today = session.action, session.action.offer, paris_today()
    waiting_list.check_open_for_enrolment(session, today)
    if Dossier.objects.open().filter(holder=actor, session=session).exists():
        raise DomainError("Vous avez déjà un dossier en cours pour cette session.", rule="DOS-1", field="session")
    entry = waiting_list.offered_entry(session, actor)
    if entry is None and waiting_list.free_places(session) == 0:
        raise full_session_error()
    terms = terms_for(offer.organisation_id)
    exam_fees = Decimal(0) if action.exam_fees_included else (terms.certification_fee_excl_vat or Decimal(0))
    values: dict[str, Any] = {
        "title": offer.title,
        "pedagogical_objectives": offer.pedagogical_objectives,
        "content": offer.content,
        "expected_results": offer.expected_results,
        "duration_hours": Decimal(action.total_hours),
        "price_excl_vat": money(action.price_excl_vat),
        "vat_rate": Decimal(action.vat_rate),
        "exam_fees_excl_vat": money(exam_fees),
        "price_detail": _price_detail(action.price_excl_vat, action.vat_rate, exam_fees),
    }
    blocks = list(offer.offer_blocks.select_related("block"))
    dossier = Dossier(
        organisation=offer.organisation,
        holder=actor,
        offer=offer,
        action=action,
        session=session,
        certification=offer.certification,
        certification_code=offer.certification.code if offer.certification else "",
        blocks_customisable=bool(offer.blocks_customisable),
        final_evaluation_required=final_evaluation_required(offer.certification),
        offer_copy=_offer_copy(offer, action, session, [b.code for b in blocks], values),
        session_starts_on=session.starts_on,
        session_ends_on=session.ends_on,
        **values,
    )
    _open(
        dossier,
        [DossierBlock(block=b.block, code=b.code, title=b.block.title if b.block else "") for b in blocks],
        today,
        "enrol",
    )
    if entry is not None:
        waiting_list.take_offered_place(entry, dossier)
    log(dossier, actor, "enrol", "", dossier.state)
    tell_organisation(
        dossier,
        "Nouvelle demande d'inscription",
        f"{actor.get_full_name() or actor.email} demande à s'inscrire à la session du "
        f"{session.starts_on:%d/%m/%Y}. Répondez avant le {dossier.deadline_on:%d/%m/%Y} (EDO-2).",
    )
    return dossier


# -- EDO-1: the proposal's answer ---------------------------------------------------------------
@transaction.atomic
def validate_dossier(dossier_id: int, actor: User, *, version: int | None = None) -> Dossier:
    """« Valider le dossier »: after the summary is confirmed (pass its `version`), the proposal is sent
    and becomes read-only (DOS-5); the holder is told, with the date to answer by (EDO-2)."""

    def change(dossier: Dossier, today: datetime.date) -> None:
        errors = validation_errors(dossier, today)
        if errors:
            raise errors[0]
        dossier.validated_on = today

    dossier = transition(dossier_id, actor, "validate", change, version=version)
    tell_holder(
        dossier,
        "Votre proposition de commande est arrivée",
        f"L'organisme de formation vous adresse sa proposition :\n\n{proposal_summary(dossier).text}\n\n"
        f"Acceptez-la ou refusez-la avant le {dossier.deadline_on:%d/%m/%Y} (EDO-2).",
    )
    return dossier


@transaction.atomic
def refuse_request(dossier_id: int, actor: User, *, reason: str) -> Dossier:
    """EDO-1: the organisation refuses the request (« Refusé par l'organisme »)."""

    def change(dossier: Dossier, today: datetime.date) -> str:
        dossier.closing_reason = reason_required(reason)
        return dossier.closing_reason

    dossier = transition(dossier_id, actor, "refuse_request", change)
    waiting_list.promote(dossier.session_id)
    tell_holder(dossier, "Votre demande d'inscription est refusée", f"Motif : {dossier.closing_reason}")
    return dossier


@transaction.atomic
def accept_proposal(
    dossier_id: int, actor: User, *, pay_remainder: bool = False, version: int | None = None
) -> Dossier:
    """EDO-1: the holder accepts; the CPF balance is debited once. An insufficient balance says what is
    missing; with `pay_remainder` the holder pays it. The session must still have a place (COM-5)
    and start 11 working days from today at the earliest (EDO-2)."""

    def change(dossier: Dossier, today: datetime.date) -> str:
        if dossier.deadline_on and today > dossier.deadline_on:
            raise DomainError(
                f"Le délai pour accepter la proposition a expiré le {dossier.deadline_on:%d/%m/%Y}.",
                rule="EDO-2",
                field="state",
            )
        assert dossier.session_starts_on is not None  # checked at validation
        if dossier.session_starts_on < earliest_start(today):
            raise DomainError(
                f"La formation commence le {dossier.session_starts_on:%d/%m/%Y}, moins de 11 jours ouvrés après "
                "aujourd'hui : la proposition ne peut plus être acceptée. L'organisme doit en proposer une nouvelle.",
                rule="EDO-2",
                field="session_starts_on",
            )
        total = dossier.total_incl_vat
        balance = ledger.lock_holder(dossier).cpf_balance  # locks: dossier, holder, session, as cancellations
        if balance < total and not pay_remainder:
            raise insufficient_balance_error(balance, total)
        if dossier.session_id is not None:
            session = Session.objects.select_for_update().get(pk=dossier.session_id)  # COM-5: one at a time
            if waiting_list.free_places(session, excluding=dossier) == 0:
                raise full_session_error()
        dossier.cpf_amount = min(balance, total)
        dossier.holder_amount = total - dossier.cpf_amount
        ledger.debit(dossier, actor, dossier.cpf_amount)
        dossier.accepted_on = today
        return f"CPF {dossier.cpf_amount} €, reste à charge {dossier.holder_amount} €"

    dossier = transition(dossier_id, actor, "accept", change, version=version)
    tell_organisation(
        dossier,
        "Proposition acceptée",
        f"Le titulaire a accepté votre proposition. Déclarez l'entrée en formation au plus tard le "
        f"{dossier.deadline_on:%d/%m/%Y} (EDO-2).",
    )
    return dossier


@transaction.atomic
def refuse_proposal(dossier_id: int, actor: User, *, reason: str = "") -> Dossier:
    """EDO-1: the holder refuses the proposal (« Refusé par le titulaire »)."""

    def change(dossier: Dossier, today: datetime.date) -> str:
        dossier.closing_reason = reason.strip()
        return dossier.closing_reason

    dossier = transition(dossier_id, actor, "refuse_proposal", change)
    waiting_list.promote(dossier.session_id)
    tell_organisation(dossier, "Proposition refusée", f"Le titulaire a refusé votre proposition. {reason}".strip())
    return dossier


@transaction.atomic
def lapse(dossier_id: int) -> Dossier:
    """EDO-2, by the deadline task: a request unanswered in 2 working days, a proposition unanswered
    in 4, end « Annulé sans suite »."""
    current = Dossier.objects.only("state").get(pk=dossier_id).state
    name = "lapse_request" if current == S.NOT_PROCESSED else "lapse_proposal"

    def change(dossier: Dossier, today: datetime.date) -> str:
        if dossier.deadline_on is None or today <= dossier.deadline_on:
            raise DomainError("Le délai de réponse court encore.", rule="EDO-2", field="deadline_on")
        who = "l'organisme" if name == "lapse_request" else "le titulaire"
        dossier.closing_reason = f"Sans réponse de {who} avant le {dossier.deadline_on:%d/%m/%Y} (EDO-2)."
        return dossier.closing_reason

    dossier = transition(dossier_id, None, name, change)
    waiting_list.promote(dossier.session_id)
    tell_holder(dossier, "Dossier annulé sans suite", dossier.closing_reason)
    tell_organisation(dossier, "Dossier annulé sans suite", dossier.closing_reason)
    return dossier


# -- COM-2: cancellation, and a new dossier to correct a validated one (DOS-5) -----------------------
def _cancel(name: str, side: str, dossier_id: int, actor: User, reason: str, confirmed_fee: Decimal) -> Dossier:
    def change(dossier: Dossier, today: datetime.date) -> str:
        quote = cancellation_quote(dossier, side=side, on=today)
        check_confirmed_fee(quote.fee.amount, confirmed_fee)
        if quote.cpf_credit:
            ledger.credit(dossier, actor, quote.cpf_credit)
        dossier.cancellation_fee = quote.fee.amount
        dossier.cpf_credited, dossier.holder_refund = quote.cpf_credit, quote.holder_refund
        dossier.closing_reason = reason.strip()
        return f"{quote.explanation} Recrédit CPF {quote.cpf_credit} €, remboursement {quote.holder_refund} €."

    dossier = transition(dossier_id, actor, name, change)
    waiting_list.promote(dossier.session_id)
    return dossier


def cancellation_side(actor: User, dossier: Dossier) -> str:
    """Who cancels (COM-2): the dossier's holder, else the organisation (the services refuse anyone else)."""
    return Side.HOLDER if Side.HOLDER in acts_as(actor, dossier) else Side.ORGANISATION


def cancel(dossier_id: int, actor: User, *, confirmed_fee: Decimal, reason: str = "") -> Dossier:
    """« Annuler » from either side, at the fee `commercial.cancellation_quote` showed for that side."""
    dossier = Dossier.objects.get(pk=dossier_id)
    if cancellation_side(actor, dossier) == Side.HOLDER:
        return cancel_by_holder(dossier_id, actor, confirmed_fee=confirmed_fee, reason=reason)
    return cancel_by_organisation(dossier_id, actor, reason=reason, confirmed_fee=confirmed_fee)


@transaction.atomic
def cancel_by_holder(dossier_id: int, actor: User, *, confirmed_fee: Decimal, reason: str = "") -> Dossier:
    """The holder cancels an accepted dossier; the COM-2 fee shown (`commercial.cancellation_quote`)
    must be the one confirmed. What the fee leaves goes back to the CPF balance, once."""
    dossier = _cancel("cancel_by_holder", Side.HOLDER, dossier_id, actor, reason, confirmed_fee)
    tell_organisation(dossier, "Dossier annulé par le titulaire", f"Frais d'annulation : {dossier.cancellation_fee} €.")
    return dossier


@transaction.atomic
def cancel_by_organisation(
    dossier_id: int, actor: User, *, reason: str, confirmed_fee: Decimal = Decimal(0)
) -> Dossier:
    """The organisation cancels a validated or accepted dossier, e.g. to correct it (DOS-5): the CPF
    balance is credited back in full, the holder loses no rights; `copy_dossier` makes the new one."""
    reason_required(reason)
    dossier = _cancel("cancel_by_organisation", Side.ORGANISATION, dossier_id, actor, reason, confirmed_fee)
    tell_holder(
        dossier,
        "Votre dossier est annulé par l'organisme",
        f"Motif : {dossier.closing_reason}\nVos droits CPF vous sont rendus ({dossier.cpf_credited} €).",
    )
    return dossier


@transaction.atomic
def copy_dossier(dossier_id: int, actor: User) -> Dossier:
    """DOS-5: after cancelling a validated dossier, the organisation makes a new one from it, to correct."""
    source = lock_dossier(dossier_id)
    require(actor, source, {Side.ORGANISATION}, "refaire ce dossier")
    if source.state != S.CANCELLED_BY_ORGANISATION or source.validated_on is None:
        raise DomainError(
            "Seul un dossier validé puis annulé par l'organisme peut être refait.", rule="DOS-5", field="state"
        )
    if Dossier.objects.filter(replaces=source).exists():
        raise DomainError("Ce dossier a déjà été refait.", rule="DOS-5", field="state")
    today = paris_today()
    dossier = Dossier(
        organisation_id=source.organisation_id,
        holder_id=source.holder_id,
        offer_id=source.offer_id,
        action_id=source.action_id,
        session_id=source.session_id,
        certification_id=source.certification_id,
        certification_code=source.certification_code,
        offer_copy=source.offer_copy,
        blocks_customisable=source.blocks_customisable,
        final_evaluation_required=source.final_evaluation_required,
        replaces=source,
        **proposal_values(source),
    )
    blocks = [DossierBlock(block_id=b.block_id, code=b.code, title=b.title) for b in source.blocks.all()]
    _open(dossier, blocks, today, "copy")
    log(dossier, actor, "copy", "", dossier.state, f"refait le dossier n° {source.pk}")
    return dossier
