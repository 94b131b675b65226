"""The holder's answer and cancellations: the CPF balance is debited once, credited back at most once,
never lost (EDO-1, DOS-5, COM-2)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from parcours.accounts.models import HolderProfile
from parcours.core.errors import DomainError
from parcours.dossiers import ledger, services
from parcours.dossiers.commercial import cancellation_quote, save_commercial_terms
from parcours.dossiers.enums import DeadlineKind, DossierState, MovementKind, Side
from parcours.dossiers.models import BalanceMovement, Dossier
from parcours.dossiers.proposal import update_proposal
from tests.factories import holder

from .flow import accepted, holder_fee, positioned, validated

pytestmark = pytest.mark.django_db


def balance(user) -> Decimal:
    return HolderProfile.objects.get(user=user).cpf_balance


def test_acceptance_debits_the_cpf_balance_once(
    session, titulaire, manager, clock, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = validated(session, titulaire, manager)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.accept_proposal(dossier.pk, titulaire)
    assert dossier.get_state_display() == "Accepté" and dossier.accepted_on == clock.today()
    assert (dossier.cpf_amount, dossier.holder_amount) == (Decimal("1200.00"), Decimal("0.00"))
    assert balance(titulaire) == Decimal("300.00")
    movement = BalanceMovement.objects.get(dossier=dossier)
    assert (movement.kind, movement.amount, movement.balance_after) == (MovementKind.DEBIT, Decimal(1200), Decimal(300))
    assert dossier.deadline_kind == DeadlineKind.DECLARE_ENTRY
    assert [m.to for m in mailoutbox] == [[manager.email]]
    with pytest.raises(DomainError, match="Impossible d'accepter la proposition"):
        services.accept_proposal(dossier.pk, titulaire)
    assert balance(titulaire) == Decimal("300.00")


def test_the_ledger_refuses_a_second_debit(session, titulaire, manager, clock):
    dossier = accepted(session, titulaire, manager)
    with pytest.raises(DomainError, match="déjà fait l'objet d'un débit"):
        ledger.debit(dossier, None, Decimal(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        BalanceMovement.objects.create(
            holder=HolderProfile.objects.get(user=titulaire),
            dossier=dossier,
            kind=MovementKind.DEBIT,
            amount=Decimal(1),
            balance_after=Decimal(0),
        )


def test_an_insufficient_balance_shows_what_is_missing(make_session, titulaire, manager, clock):
    dossier = validated(make_session(price="1500"), titulaire, manager)  # 1 800 € TTC for 1 500 €
    with pytest.raises(DomainError) as error:
        services.accept_proposal(dossier.pk, titulaire)
    assert error.value.field == "cpf_balance" and "il manque 300.00 €" in error.value.message
    assert balance(titulaire) == Decimal(1500) and not BalanceMovement.objects.exists()
    dossier = services.accept_proposal(dossier.pk, titulaire, pay_remainder=True)
    assert (dossier.cpf_amount, dossier.holder_amount) == (Decimal("1500.00"), Decimal("300.00"))
    assert balance(titulaire) == 0


def test_only_the_holder_answers(session, titulaire, manager, people, clock):
    dossier = validated(session, titulaire, manager)
    for someone in (manager, people["holder"]):
        with pytest.raises(PermissionDenied):
            services.accept_proposal(dossier.pk, someone)


def test_the_holder_refuses(session, titulaire, manager, clock):
    dossier = validated(session, titulaire, manager)
    dossier = services.refuse_proposal(dossier.pk, titulaire, reason="Trop cher.")
    assert dossier.get_state_display() == "Refusé par le titulaire" and balance(titulaire) == 1500


def test_rule_edo_2_no_acceptance_when_the_start_comes_too_soon(make_session, titulaire, manager, clock):
    session = make_session(starts_in=20)  # Saturday 12 December 2026
    dossier = validated(session, titulaire, manager)
    clock.set(datetime.date(2026, 11, 26))  # + 11 working days: Friday 11 December
    services.accept_proposal(dossier.pk, titulaire)
    dossier = validated(make_session(starts_in=16), holder(), manager)  # from the 26th: Saturday 12 December
    clock.set(datetime.date(2026, 11, 30))  # + 11: Tuesday 15 December, after the start
    with pytest.raises(DomainError) as error:
        services.accept_proposal(dossier.pk, dossier.holder)
    assert (error.value.rule, error.value.field) == ("EDO-2", "session_starts_on")


def test_rule_edo_2_no_acceptance_after_the_deadline(session, titulaire, manager, clock):
    dossier = validated(session, titulaire, manager)  # Sunday 22 November: answer by Thursday 26
    clock.set(datetime.date(2026, 11, 27))
    with pytest.raises(DomainError) as error:
        services.accept_proposal(dossier.pk, titulaire)
    assert error.value.rule == "EDO-2" and "26/11/2026" in error.value.message


# -- COM-2 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cancelled_on", "days", "rate", "cpf_back"),
    [
        # The session starts Thursday 21 January 2027; the CGV count jours ouvrables (Saturdays too).
        (datetime.date(2027, 1, 2), 16, 0, "1200.00"),
        (datetime.date(2027, 1, 4), 15, 50, "700.00"),
        (datetime.date(2027, 1, 12), 8, 50, "700.00"),
        (datetime.date(2027, 1, 13), 7, 50, "700.00"),
        (datetime.date(2027, 1, 14), 6, 100, "200.00"),
    ],
)
def test_rule_com_2_holder_cancellation_fee_is_shown_then_charged(
    make_session, titulaire, manager, clock, cancelled_on, days, rate, cpf_back
):
    session = make_session(starts_in=60)
    dossier = accepted(session, titulaire, manager)
    assert dossier.session_starts_on == datetime.date(2027, 1, 21)
    clock.set(cancelled_on)
    quote = cancellation_quote(dossier, side=Side.HOLDER)
    assert (quote.fee.days_before, quote.fee.rate) == (days, rate)
    assert quote.cpf_credit == Decimal(cpf_back)
    assert "jours ouvrables" in quote.explanation
    with pytest.raises(DomainError) as error:
        services.cancel_by_holder(dossier.pk, titulaire, confirmed_fee=quote.fee.amount + 1)
    assert (error.value.rule, error.value.field) == ("COM-2", "confirmed_fee")
    dossier = services.cancel_by_holder(dossier.pk, titulaire, confirmed_fee=quote.fee.amount)
    assert dossier.get_state_display() == "Annulé par le titulaire"
    assert dossier.cancellation_fee == quote.fee.amount and dossier.cpf_credited == Decimal(cpf_back)
    assert balance(titulaire) == Decimal(300) + Decimal(cpf_back)
    # The fee (on the price excl. VAT) never takes the VAT part: something always comes back, once.
    assert BalanceMovement.objects.filter(dossier=dossier, kind=MovementKind.CREDIT).count() == 1


def test_rule_com_2_an_organisation_s_own_policy_in_working_days(make_session, titulaire, manager, clock):
    save_commercial_terms(
        manager.membership.entity,
        manager,
        {"day_kind": "working", "free_above_days": 10, "full_below_days": 5, "partial_rate": 30},
    )
    dossier = accepted(make_session(starts_in=60), titulaire, manager)
    clock.set(datetime.date(2027, 1, 7))  # 10 working days before Thursday 21 January
    assert cancellation_quote(dossier, side=Side.HOLDER).fee.amount == Decimal("300.00")
    clock.set(datetime.date(2027, 1, 6))
    assert holder_fee(dossier) == 0


def test_organisation_cancellation_gives_everything_back(make_session, titulaire, manager, clock):
    dossier = accepted(make_session(price="1500", starts_in=60), titulaire, manager, pay_remainder=True)
    clock.set(dossier.session_starts_on - datetime.timedelta(days=1))
    quote = cancellation_quote(dossier, side=Side.ORGANISATION)
    assert quote.fee.amount == 0 and (quote.cpf_credit, quote.holder_refund) == (Decimal(1500), Decimal(300))
    with pytest.raises(DomainError, match="motif"):
        services.cancel_by_organisation(dossier.pk, manager, reason="")
    dossier = services.cancel_by_organisation(dossier.pk, manager, reason="Formateur indisponible.")
    assert dossier.get_state_display() == "Annulé par l'organisme"
    assert (dossier.cpf_credited, dossier.holder_refund) == (Decimal(1500), Decimal(300))
    assert balance(titulaire) == Decimal(1500)
    with pytest.raises(DomainError):
        services.cancel_by_organisation(dossier.pk, manager, reason="Encore.")
    with pytest.raises(DomainError, match="déjà fait l.objet d.un recrédit"):
        ledger.credit(dossier, None, Decimal(1))
    assert balance(titulaire) == Decimal(1500)


def test_the_holder_cannot_cancel_a_proposal_they_did_not_accept(session, titulaire, manager, clock):
    dossier = validated(session, titulaire, manager)
    with pytest.raises(DomainError, match="Impossible d'annuler"):
        services.cancel_by_holder(dossier.pk, titulaire, confirmed_fee=Decimal(0))


def test_rule_dos_5_cancel_then_make_a_new_dossier(session, titulaire, manager, clock):
    dossier = accepted(session, titulaire, manager)
    services.cancel_by_organisation(dossier.pk, manager, reason="Erreur de prix : nouveau dossier.")
    assert balance(titulaire) == Decimal(1500)  # the holder loses no rights
    new = services.copy_dossier(dossier.pk, manager)
    assert new.state == DossierState.NOT_PROCESSED and new.replaces_id == dossier.pk
    assert new.block_codes() == dossier.block_codes() and new.offer_copy == dossier.offer_copy
    assert new.cpf_amount == 0 and new.validated_on is None
    with pytest.raises(DomainError, match="déjà été refait"):
        services.copy_dossier(dossier.pk, manager)
    update_proposal(new.pk, manager, values={"price_excl_vat": Decimal(900)})
    positioned(new, manager)
    services.validate_dossier(new.pk, manager)
    new = services.accept_proposal(new.pk, titulaire)
    assert new.cpf_amount == Decimal("1080.00") and balance(titulaire) == Decimal("420.00")
    assert BalanceMovement.objects.filter(dossier__holder=titulaire, kind=MovementKind.DEBIT).count() == 2


def test_rule_dos_5_only_a_validated_then_cancelled_dossier_is_made_again(session, titulaire, manager, clock):
    dossier = services.enrol(actor=titulaire, session_id=session.pk)
    with pytest.raises(DomainError, match="Seul un dossier validé"):
        services.copy_dossier(dossier.pk, manager)
    assert Dossier.objects.count() == 1
