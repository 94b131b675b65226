"""EDO-2's deadlines in working days, across a weekend, 11 November and Easter Monday; the periodic
task applies them, and each is shown to the person who must act."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from parcours.accounts.models import HolderProfile
from parcours.core.errors import DomainError
from parcours.dossiers import services, training
from parcours.dossiers.deadlines import action_for, apply_deadlines, pending_action
from parcours.dossiers.enums import DeadlineKind, DossierState, ExitReason, Side
from parcours.dossiers.models import Dossier
from parcours.dossiers.tasks import apply_dossier_deadlines

from .flow import accepted, validated

pytestmark = pytest.mark.django_db
D = datetime.date


def state(dossier) -> str:
    return Dossier.objects.get(pk=dossier.pk).state


def run_on(clock, day: D):
    clock.set(day)
    return apply_deadlines()


def test_rule_edo_2_an_unanswered_request_lapses_after_a_weekend(make_session, titulaire, manager, clock, people):
    clock.set(D(2026, 11, 19))  # Thursday
    dossier = services.enrol(actor=titulaire, session_id=make_session().pk)
    assert dossier.deadline_on == D(2026, 11, 23)  # Friday 20, Monday 23
    # Shown to the organisation, with its date; not to the holder.
    action = action_for(manager, dossier)
    assert action is not None and action.side == Side.ORGANISATION and not action.overdue
    assert action.message.startswith("Répondre à la demande d'inscription au plus tard le 23/11/2026")
    assert action_for(titulaire, dossier) is None and action_for(people["other_manager"], dossier) is None
    for day in (D(2026, 11, 21), D(2026, 11, 22), D(2026, 11, 23)):
        assert run_on(clock, day).lapsed == []
    report = run_on(clock, D(2026, 11, 24))
    assert report.lapsed == [dossier.pk]
    dossier.refresh_from_db()
    assert dossier.get_state_display() == "Annulé sans suite" and dossier.deadline_on is None
    assert "Sans réponse de l'organisme avant le 23/11/2026" in dossier.closing_reason
    assert apply_deadlines().lapsed == []  # a second run changes nothing


def test_rule_edo_2_an_unanswered_request_lapses_after_11_november(make_session, titulaire, clock):
    clock.set(D(2026, 11, 9))  # Monday; Wednesday 11 is a public holiday
    dossier = services.enrol(actor=titulaire, session_id=make_session().pk)
    assert dossier.deadline_on == D(2026, 11, 12)
    assert run_on(clock, D(2026, 11, 12)).lapsed == []
    assert run_on(clock, D(2026, 11, 13)).lapsed == [dossier.pk]


def test_rule_edo_2_an_unanswered_proposition_ends_annule_sans_suite_after_easter_monday(
    make_session, titulaire, manager, clock
):
    clock.set(D(2027, 3, 24))  # Wednesday
    dossier = validated(make_session(), titulaire, manager)
    assert (dossier.deadline_kind, dossier.deadline_on) == (DeadlineKind.ANSWER_PROPOSAL, D(2027, 3, 31))
    action = action_for(titulaire, dossier)
    assert action is not None and action.side == Side.HOLDER
    assert "au plus tard le 31/03/2027 : sans réponse, la proposition sera annulée sans suite" in action.message
    assert action_for(manager, dossier) is None
    assert run_on(clock, D(2027, 3, 29)).lapsed == []  # Easter Monday
    assert run_on(clock, D(2027, 3, 31)).lapsed == []
    clock.set(D(2027, 4, 1))
    assert pending_action(Dossier.objects.get(pk=dossier.pk)).overdue
    assert apply_dossier_deadlines.enqueue().return_value == {
        "lapsed": [dossier.pk],
        "service_validated": [],
        "waiting_offers_expired": 0,
        "skipped": [],
    }
    assert state(dossier) == DossierState.CANCELLED_UNANSWERED
    assert HolderProfile.objects.get(user=titulaire).cpf_balance == Decimal(1500)


def test_rule_edo_2_an_answered_dossier_does_not_lapse(make_session, titulaire, manager, clock):
    clock.set(D(2026, 11, 19))
    dossier = validated(make_session(), titulaire, manager)
    services.accept_proposal(dossier.pk, titulaire)
    assert run_on(clock, D(2026, 12, 1)).lapsed == []
    assert state(dossier) == DossierState.ACCEPTED


def service_declared_on(make_session, titulaire, manager, clock, declared_on: D):
    """A dossier through training, its service fait declared on `declared_on`."""
    clock.set(D(2026, 9, 1))
    dossier = accepted(make_session(starts_in=30, lasts=10), titulaire, manager)  # 1 to 11 October
    clock.set(D(2026, 10, 1))
    training.declare_entry(dossier.pk, manager, entered_on=D(2026, 10, 1))
    clock.set(D(2026, 10, 12))
    training.declare_exit(dossier.pk, manager, exited_on=D(2026, 10, 11), reason=ExitReason.PLANNED_END)
    clock.set(declared_on)
    return training.declare_service_done(dossier.pk, manager, completion_rate=Decimal(100), absence_hours=Decimal(0))


def test_rule_edo_2_service_fait_is_validated_5_working_days_later_across_11_november(
    make_session, titulaire, manager, clock
):
    dossier = service_declared_on(make_session, titulaire, manager, clock, D(2026, 11, 6))  # a Friday
    assert (dossier.deadline_kind, dossier.deadline_on) == (DeadlineKind.SERVICE_AUTO_VALIDATION, D(2026, 11, 16))
    assert "validé automatiquement ce jour-là, sauf contrôle" in pending_action(dossier).message
    assert run_on(clock, D(2026, 11, 13)).service_validated == []
    assert run_on(clock, D(2026, 11, 16)).service_validated == [dossier.pk]
    dossier.refresh_from_db()
    assert dossier.get_state_display() == "Service fait validé" and dossier.service_validated_on == D(2026, 11, 16)


def test_rule_edo_2_a_control_holds_the_automatic_validation(make_session, titulaire, manager, clock, people):
    dossier = service_declared_on(make_session, titulaire, manager, clock, D(2026, 11, 6))
    controller = people["cdc_controller"]
    with pytest.raises(DomainError, match="motif"):
        training.open_control(dossier.pk, controller, reason="")
    training.open_control(dossier.pk, controller, reason="Assiduité à vérifier.")
    assert run_on(clock, D(2026, 11, 17)).service_validated == []
    with pytest.raises(DomainError, match="Un contrôle suspend"):
        training.validate_service_done(dossier.pk)
    training.close_control(dossier.pk, controller)
    assert apply_deadlines().service_validated == [dossier.pk]


def test_the_controller_validates_at_any_time(make_session, titulaire, manager, clock, people):
    dossier = service_declared_on(make_session, titulaire, manager, clock, D(2026, 11, 6))
    with pytest.raises(DomainError, match="court encore"):
        training.validate_service_done(dossier.pk)
    dossier = training.validate_service_done(dossier.pk, people["cdc_controller"])
    assert dossier.state == DossierState.SERVICE_VALIDATED


def test_rule_edo_2_entry_11_working_days_after_acceptance_across_11_november(make_session, titulaire, manager, clock):
    clock.set(D(2026, 10, 30))  # Friday
    dossier = accepted(make_session(starts_in=18), titulaire, manager)  # session from 17 November
    clock.set(D(2026, 11, 16))
    with pytest.raises(DomainError) as error:
        training.declare_entry(dossier.pk, manager, entered_on=D(2026, 11, 16))
    assert (error.value.rule, error.value.field) == ("EDO-2", "entered_on")
    assert "17/11/2026" in error.value.message
    clock.set(D(2026, 11, 17))
    dossier = training.declare_entry(dossier.pk, manager, entered_on=D(2026, 11, 17))
    assert dossier.get_state_display() == "En formation"


def test_rule_edo_2_declarations_within_3_working_days_are_shown_then_marked_late(
    make_session, titulaire, manager, clock
):
    clock.set(D(2026, 9, 1))
    dossier = accepted(make_session(starts_in=69), titulaire, manager)  # Monday 9 November
    action = action_for(manager, dossier)
    assert action.kind == DeadlineKind.DECLARE_ENTRY and action.due_on == D(2026, 11, 13)  # 11 November out
    clock.set(D(2026, 11, 16))
    assert pending_action(Dossier.objects.get(pk=dossier.pk)).overdue
    assert apply_deadlines().lapsed == []  # nothing automatic: shown to the organisation
    training.declare_entry(dossier.pk, manager, entered_on=D(2026, 11, 9))
    assert Dossier.objects.get(pk=dossier.pk).events.first().note == "déclarée hors délai (EDO-2)"


def test_the_command_applies_the_deadlines(make_session, titulaire, clock, capsys):
    clock.set(D(2026, 11, 19))
    dossier = services.enrol(actor=titulaire, session_id=make_session().pk)
    clock.set(D(2026, 11, 24))
    call_command("apply_dossier_deadlines")
    assert "1 dossier(s) annulé(s) sans suite" in capsys.readouterr().out
    assert state(dossier) == DossierState.CANCELLED_UNANSWERED


def test_the_page_s_to_do_list_for_each_person(session, titulaire, manager, clock):
    from parcours.dossiers.deadlines import to_do
    from parcours.dossiers.proposal import update_proposal

    from .flow import positioned

    dossier = services.enrol(actor=titulaire, session_id=session.pk)
    update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC01"])
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert to_do(titulaire, dossier) == []
    items = to_do(manager, dossier)
    assert items[0].startswith("Répondre à la demande d'inscription au plus tard le 24/11/2026")
    assert items[1] == "Enregistrez l'entretien de positionnement et sa preuve (DOS-8)."
    assert items[2].startswith("La liste des blocs a changé ; encore identiques à l'offre : l'intitulé")
    update_proposal(dossier.pk, manager, block_codes=["RNCP40344BC01", "RNCP40344BC02"])
    positioned(dossier, manager)
    dossier = services.validate_dossier(dossier.pk, manager)
    assert to_do(titulaire, dossier) == [
        "Accepter ou refuser la proposition au plus tard le 26/11/2026 : sans réponse, la proposition sera "
        "annulée sans suite (EDO-2)."
    ]
    dossier = services.accept_proposal(dossier.pk, titulaire)
    assert to_do(manager, dossier)[1] == (
        "Inscrivez le stagiaire aux évaluations des blocs RNCP40344BC01, RNCP40344BC02, de préférence à "
        "l'entrée en formation (DOS-7)."
    )
