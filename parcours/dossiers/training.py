"""After acceptance (EDO-1, EDO-3): entry, exit, service fait, its validation and controls, billing.

One function per transition of `machine.TRANSITIONS`, as in services.py.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from parcours.accounts.models import User
from parcours.core.errors import DomainError
from parcours.registry.models import paris_today

from .enums import FINAL_STATES, AttestationKind, ExitReason, Side
from .machine import lock_dossier, log, require, save, tell_holder, transition
from .models import Attestation, Dossier
from .rules import (
    check_exit,
    check_fact_date,
    check_service_done,
    check_start_after_withdrawal,
    declared_late,
    money,
    reason_required,
)


# -- EDO-1, EDO-3: training --------------------------------------------------------------------------
@transaction.atomic
def declare_entry(dossier_id: int, actor: User, *, entered_on: datetime.date) -> Dossier:
    """« En formation », with the date: not before 11 working days after acceptance (EDO-2), not in
    the future; a declaration more than 3 working days after the fact is logged as late."""

    def change(dossier: Dossier, today: datetime.date) -> str:
        day = check_fact_date(entered_on, today, "entered_on", "d'entrée en formation")
        assert dossier.accepted_on is not None
        check_start_after_withdrawal(day, dossier.accepted_on, "entered_on")
        dossier.entered_on = day
        return "déclarée hors délai (EDO-2)" if declared_late(day, today) else ""

    return transition(dossier_id, actor, "declare_entry", change)


@transaction.atomic
def declare_exit(dossier_id: int, actor: User, *, exited_on: datetime.date, reason: str) -> Dossier:
    """« Sortie de formation »: the date and the coded reason (EDO-3); the training attestation is
    issued (COM-6)."""

    def change(dossier: Dossier, today: datetime.date) -> str:
        day = check_fact_date(exited_on, today, "exited_on", "de sortie de formation")
        check_exit(day, dossier.entered_on, reason)
        dossier.exited_on, dossier.exit_reason = day, reason
        Attestation.objects.create(
            dossier=dossier,
            kind=AttestationKind.TRAINING,
            issued_on=today,
            issued_by=actor,
            details={"entered_on": str(dossier.entered_on), "exited_on": str(day), "exit_reason": reason},
        )
        late = " ; déclarée hors délai (EDO-2)" if declared_late(day, today) else ""
        return f"{ExitReason(reason).label}{late}"

    return transition(dossier_id, actor, "declare_exit", change)


@transaction.atomic
def declare_service_done(
    dossier_id: int, actor: User, *, completion_rate: Decimal, absence_hours: Decimal, force_majeure: bool = False
) -> Dossier:
    """« Service fait déclaré »: completion rate, absences, force majeure (EDO-1); validated
    automatically 5 working days later unless a control holds it (EDO-2)."""

    def change(dossier: Dossier, today: datetime.date) -> str:
        rate, absences = Decimal(str(completion_rate)), Decimal(str(absence_hours))
        check_service_done(rate, absences, dossier.duration_hours)
        dossier.completion_rate, dossier.absence_hours, dossier.force_majeure = rate, absences, force_majeure
        dossier.service_declared_on = today
        return f"réalisé à {rate} %, {absences} heures d'absence" + (" (force majeure)" if force_majeure else "")

    dossier = transition(dossier_id, actor, "declare_service_done", change)
    tell_holder(
        dossier,
        "Service fait déclaré",
        f"L'organisme a déclaré le service fait (réalisation {dossier.completion_rate} %). Il sera validé "
        f"le {dossier.deadline_on:%d/%m/%Y} sauf contrôle.",
    )
    return dossier


@transaction.atomic
def validate_service_done(dossier_id: int, actor: User | None = None) -> Dossier:
    """« Service fait validé »: by the deadline task once 5 working days passed and no control holds
    it (EDO-2), or by the Caisse des dépôts at any time (closing its control)."""

    def change(dossier: Dossier, today: datetime.date) -> None:
        if actor is None:
            if dossier.control_opened_on is not None:
                raise DomainError("Un contrôle suspend la validation.", rule="EDO-2", field="control")
            if dossier.deadline_on is None or today < dossier.deadline_on:
                raise DomainError("Le délai de validation court encore.", rule="EDO-2", field="deadline_on")
        dossier.control_opened_on = None
        dossier.service_validated_on = today

    return transition(dossier_id, actor, "validate_service_done", change)


@transaction.atomic
def open_control(dossier_id: int, actor: User, *, reason: str) -> Dossier:
    """DOS-9: a control holds the automatic validation of the service fait (EDO-2)."""
    dossier = lock_dossier(dossier_id)
    require(actor, dossier, {Side.CONTROLLER}, "ouvrir un contrôle")
    if dossier.state in FINAL_STATES:
        raise DomainError("Ce dossier est clos.", rule="DOS-9", field="state")
    dossier.control_opened_on, dossier.control_reason = paris_today(), reason_required(reason)
    save(dossier, "control")
    log(dossier, actor, "control", dossier.state, dossier.state, dossier.control_reason)
    return dossier


@transaction.atomic
def close_control(dossier_id: int, actor: User) -> Dossier:
    dossier = lock_dossier(dossier_id)
    require(actor, dossier, {Side.CONTROLLER}, "clore un contrôle")
    dossier.control_opened_on = None
    save(dossier, "control-closed")
    log(dossier, actor, "control-closed", dossier.state, dossier.state)
    return dossier


# -- EDO-1: billing ------------------------------------------------------------------------------
def billable_amount(dossier: Dossier) -> Decimal:
    """What the service fait allows to bill: the price in proportion of the completion rate (COM-4:
    the invoice distinguishes what was attended from the absences)."""
    rate = dossier.completion_rate if dossier.completion_rate is not None else Decimal(100)
    return money(dossier.total_incl_vat * rate / 100)


@transaction.atomic
def open_billing(dossier_id: int, actor: User | None = None) -> Dossier:
    return transition(dossier_id, actor, "open_billing")


@transaction.atomic
def bill(dossier_id: int, actor: User, *, invoice_number: str, amount: Decimal | None = None) -> Dossier:
    def change(dossier: Dossier, today: datetime.date) -> str:
        if not invoice_number.strip():
            raise DomainError("Indiquez le numéro de la facture.", rule="EDO-1", field="invoice_number")
        billed = money(billable_amount(dossier) if amount is None else amount)
        if not 0 < billed <= dossier.total_incl_vat:
            raise DomainError(
                f"Le montant facturé va de 0 au prix total ({dossier.total_incl_vat} €).",
                rule="EDO-1",
                field="amount",
            )
        dossier.invoice_number, dossier.billed_amount, dossier.billed_on = invoice_number.strip(), billed, today
        return f"facture {dossier.invoice_number} : {billed} €"

    return transition(dossier_id, actor, "bill", change)


@transaction.atomic
def record_payment(dossier_id: int, actor: User | None = None) -> Dossier:
    def change(dossier: Dossier, today: datetime.date) -> None:
        dossier.paid_on = today

    return transition(dossier_id, actor, "record_payment", change)
