"""After acceptance (EDO-1, EDO-3, COM-4, COM-6): entry, exit with its coded reason, service fait,
billing, and the training and attendance attestations."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from parcours.core.errors import DomainError
from parcours.dossiers import evaluations, training
from parcours.dossiers.enums import AttestationKind, DossierState, ExitReason

from .flow import in_training

pytestmark = pytest.mark.django_db


def test_the_whole_path_to_paid(session, titulaire, manager, clock, people):
    dossier = in_training(session, titulaire, manager, clock)
    assert dossier.entered_on == session.starts_on and dossier.deadline_on is not None
    clock.set(session.ends_on)
    with pytest.raises(DomainError) as error:
        training.declare_exit(dossier.pk, manager, exited_on=session.ends_on, reason="abandon")
    assert (error.value.rule, error.value.field) == ("EDO-3", "exit_reason")
    dossier = training.declare_exit(dossier.pk, manager, exited_on=session.ends_on, reason=ExitReason.PLANNED_END)
    assert dossier.get_state_display() == "Sortie de formation" and dossier.exit_reason == "8"
    assert dossier.get_exit_reason_display() == "Fin prévue de l'action de formation"
    attestation = dossier.attestations.get(kind=AttestationKind.TRAINING)  # COM-6, at the end
    assert attestation.details["exited_on"] == session.ends_on.isoformat()
    dossier = training.declare_service_done(
        dossier.pk, manager, completion_rate=Decimal(80), absence_hours=Decimal(7), force_majeure=True
    )
    assert dossier.get_state_display() == "Service fait déclaré"
    assert (dossier.completion_rate, dossier.absence_hours, dossier.force_majeure) == (80, 7, True)
    dossier = training.validate_service_done(dossier.pk, people["cdc_controller"])
    with pytest.raises(PermissionDenied):
        training.open_billing(dossier.pk, titulaire)
    dossier = training.open_billing(dossier.pk, manager)
    assert dossier.get_state_display() == "À facturer"
    assert training.billable_amount(dossier) == Decimal("960.00")  # 80 % of 1 200 € (COM-4)
    with pytest.raises(DomainError) as error:
        training.bill(dossier.pk, manager, invoice_number="F-1", amount=Decimal(2000))
    assert error.value.field == "amount"
    dossier = training.bill(dossier.pk, manager, invoice_number="F-2026-001")
    assert dossier.get_state_display() == "Facturé" and dossier.billed_amount == Decimal("960.00")
    with pytest.raises(PermissionDenied):
        training.record_payment(dossier.pk, manager)
    dossier = training.record_payment(dossier.pk)
    assert dossier.get_state_display() == "Payé" and dossier.closed_on == clock.today()
    verbs = list(dossier.events.order_by("id").values_list("verb", flat=True))
    assert verbs == [
        "enrol",
        "positioning",
        "validate",
        "accept",
        "declare_entry",
        "declare_exit",
        "declare_service_done",
        "validate_service_done",
        "open_billing",
        "bill",
        "record_payment",
    ]


def test_rule_edo_1_no_entry_in_the_future(session, titulaire, manager, clock):
    dossier = in_training(session, titulaire, manager, clock)
    with pytest.raises(DomainError) as error:
        training.declare_exit(
            dossier.pk, manager, exited_on=clock.today() + datetime.timedelta(1), reason=ExitReason.BY_TRAINEE
        )
    assert (error.value.rule, error.value.field) == ("EDO-1", "exited_on")


def test_rule_edo_1_the_service_fait_names_its_field(session, titulaire, manager, clock):
    dossier = in_training(session, titulaire, manager, clock)
    training.declare_exit(dossier.pk, manager, exited_on=clock.today(), reason=ExitReason.BY_ORGANISATION_STOPPED)
    with pytest.raises(DomainError) as error:
        training.declare_service_done(dossier.pk, manager, completion_rate=Decimal(120), absence_hours=Decimal(0))
    assert error.value.field == "completion_rate"


def test_rule_com_6_attendance_attestation_on_request(session, titulaire, manager, clock, people):
    dossier = in_training(session, titulaire, manager, clock)
    with pytest.raises(PermissionDenied):
        evaluations.request_attendance_attestation(dossier.pk, people["holder"])
    attestation = evaluations.request_attendance_attestation(dossier.pk, titulaire)
    assert (
        attestation.kind == AttestationKind.ATTENDANCE and attestation.get_kind_display() == "Attestation de présence"
    )
    assert attestation.details["entered_on"] == session.starts_on.isoformat()
    evaluations.request_attendance_attestation(dossier.pk, manager)  # as often as asked
    assert dossier.attestations.filter(kind=AttestationKind.ATTENDANCE).count() == 2


def test_rule_com_6_no_attendance_before_entry(session, titulaire, manager, clock):
    from .flow import accepted

    dossier = accepted(session, titulaire, manager)
    assert dossier.state == DossierState.ACCEPTED
    with pytest.raises(DomainError) as error:
        evaluations.request_attendance_attestation(dossier.pk, titulaire)
    assert error.value.rule == "COM-6"
