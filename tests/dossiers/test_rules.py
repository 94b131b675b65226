"""The pure checks of rules.py, one rule at a time (rule IDs in the names)."""

import datetime
import io
from decimal import Decimal

import pytest

from parcours.core.errors import DomainError
from parcours.dossiers import rules
from parcours.dossiers.enums import DayKind, DeadlineKind, DossierState, ExitReason

D = datetime.date


# -- DOS-3 ------------------------------------------------------------------------------------------
ALL = ["BC01", "BC02", "BC03"]


def test_rule_dos_3_blocks_change_only_on_a_personalisable_offer():
    with pytest.raises(DomainError) as error:
        rules.check_block_change(customisable=False, available=ALL, current=["BC01"], wanted=["BC01", "BC02"])
    assert (error.value.rule, error.value.field) == ("DOS-3", "blocks")
    # Unchanged is always fine.
    assert rules.check_block_change(customisable=False, available=ALL, current=["BC01"], wanted=["BC01"]) == ["BC01"]


def test_rule_dos_3_never_empty():
    with pytest.raises(DomainError, match="au moins un bloc"):
        rules.check_block_change(customisable=True, available=ALL, current=["BC01"], wanted=[])


def test_rule_dos_3_blocks_of_the_certification_only_in_its_order():
    with pytest.raises(DomainError, match="inconnus"):
        rules.check_block_change(customisable=True, available=ALL, current=["BC01"], wanted=["BC09"])
    assert rules.check_block_change(customisable=True, available=ALL, current=["BC01"], wanted=["BC03", "BC02"]) == [
        "BC02",
        "BC03",
    ]


# -- DOS-4 ------------------------------------------------------------------------------------------
COPY = {
    "title": "Titre",
    "pedagogical_objectives": "Objectifs",
    "expected_results": "Résultats",
    "content": "Contenu",
    "duration_hours": "35",
    "price_excl_vat": "1000.00",
    "exam_fees_excl_vat": "0.00",
    "price_detail": "Prix",
    "block_codes": ["BC01", "BC02"],
}


def values(**changes):
    base = {k: v for k, v in COPY.items() if k != "block_codes"}
    base["duration_hours"], base["price_excl_vat"], base["exam_fees_excl_vat"] = (
        Decimal(35),
        Decimal(1000),
        Decimal(0),
    )
    return {**base, **changes}


def test_rule_dos_4_nothing_to_adapt_while_the_blocks_are_the_offer_s():
    result = rules.adaptation(COPY, values(), ["BC02", "BC01"], [])
    assert not result.blocks_changed and result.complete


def test_rule_dos_4_lists_what_is_still_identical_to_the_offer():
    result = rules.adaptation(COPY, values(title="Titre  "), ["BC01"], [])
    assert result.blocks_changed
    assert result.identical_texts == ("title", "pedagogical_objectives", "expected_results", "content")
    assert result.unchanged == ("duration", "price") == result.unconfirmed
    assert result.still_identical[0] == "l'intitulé"  # re-spacing is not adapting
    errors = rules.adaptation_errors(result)
    assert [e.field for e in errors] == [
        "title",
        "pedagogical_objectives",
        "expected_results",
        "content",
        "duration_hours",
        "price_excl_vat",
    ]
    assert all(e.rule == "DOS-4" for e in errors)


def test_rule_dos_4_texts_must_change_duration_and_price_may_be_confirmed():
    adapted = values(title="T", pedagogical_objectives="O", expected_results="R", content="C")
    result = rules.adaptation(COPY, adapted, ["BC01"], ["duration"])
    assert result.identical_texts == () and result.unconfirmed == ("price",) and not result.complete
    assert rules.adaptation(COPY, adapted, ["BC01"], ["duration", "price"]).complete
    assert rules.adaptation(COPY, {**adapted, "price_excl_vat": Decimal(600)}, ["BC01"], ["duration"]).complete


# -- DOS-2 ------------------------------------------------------------------------------------------
def test_rule_dos_2_values_are_checked():
    errors = rules.check_proposal_values({"price_excl_vat": Decimal(-1), "vat_rate": Decimal(120), "title": " "})
    assert {(e.rule, e.field) for e in errors} == {
        ("DOS-2", "price_excl_vat"),
        ("DOS-2", "vat_rate"),
        ("DOS-2", "title"),
    }
    errors = rules.check_proposal_values({"content": "x" * 3001})
    assert [(e.rule, e.field) for e in errors] == [("OFF-11", "content")]
    with pytest.raises(DomainError, match="finit avant"):
        rules.check_session_dates(D(2027, 1, 10), D(2027, 1, 9))


# -- EDO-2 ------------------------------------------------------------------------------------------
def test_rule_edo_2_entry_11_working_days_after_acceptance_across_11_november():
    # Friday 30 October 2026 + 11 working days, 11 November skipped: Tuesday 17 November.
    assert rules.earliest_start(D(2026, 10, 30)) == D(2026, 11, 17)
    rules.check_start_after_withdrawal(D(2026, 11, 17), D(2026, 10, 30), "entered_on")
    with pytest.raises(DomainError) as error:
        rules.check_start_after_withdrawal(D(2026, 11, 16), D(2026, 10, 30), "entered_on")
    assert (error.value.rule, error.value.field) == ("EDO-2", "entered_on")
    assert "17/11/2026" in error.value.message


@pytest.mark.parametrize(
    ("state", "since", "kind", "due"),
    [
        (DossierState.NOT_PROCESSED, D(2026, 11, 19), DeadlineKind.ANSWER_REQUEST, D(2026, 11, 23)),  # weekend
        (DossierState.NOT_PROCESSED, D(2026, 11, 9), DeadlineKind.ANSWER_REQUEST, D(2026, 11, 12)),  # 11 November
        (DossierState.VALIDATED, D(2027, 3, 24), DeadlineKind.ANSWER_PROPOSAL, D(2027, 3, 31)),  # Easter Monday
        (DossierState.SERVICE_DECLARED, D(2026, 11, 6), DeadlineKind.SERVICE_AUTO_VALIDATION, D(2026, 11, 16)),
        (DossierState.ACCEPTED, D(2026, 10, 1), DeadlineKind.DECLARE_ENTRY, D(2026, 11, 16)),  # 10/11 + 3, 11/11 out
        (DossierState.IN_TRAINING, D(2026, 10, 1), DeadlineKind.DECLARE_EXIT, D(2027, 4, 1)),  # 26/03 + 3, Easter out
        (DossierState.PAID, D(2026, 10, 1), "", None),
    ],
)
def test_rule_edo_2_deadlines(state, since, kind, due):
    assert rules.next_deadline(state, since=since, starts_on=D(2026, 11, 10), ends_on=D(2027, 3, 26)) == (kind, due)


def test_rule_edo_2_late_declaration():
    assert not rules.declared_late(D(2026, 11, 9), D(2026, 11, 13))  # 3 working days: Tue, Thu, Fri
    assert rules.declared_late(D(2026, 11, 9), D(2026, 11, 16))


def test_rule_edo_1_facts_are_not_in_the_future():
    with pytest.raises(DomainError) as error:
        rules.check_fact_date(D(2026, 11, 23), D(2026, 11, 22), "entered_on", "d'entrée en formation")
    assert (error.value.rule, error.value.field) == ("EDO-1", "entered_on")


# -- EDO-3, EDO-1 ------------------------------------------------------------------------------------
def test_rule_edo_3_exit_reason_is_coded():
    assert ExitReason.PLANNED_END.value == "8"
    assert ExitReason.PLANNED_END.label == "Fin prévue de l'action de formation"
    rules.check_exit(D(2026, 12, 1), D(2026, 11, 17), ExitReason.BY_TRAINEE)
    with pytest.raises(DomainError, match="motif"):
        rules.check_exit(D(2026, 12, 1), D(2026, 11, 17), "9")
    with pytest.raises(DomainError, match="précéder l'entrée"):
        rules.check_exit(D(2026, 11, 16), D(2026, 11, 17), ExitReason.PLANNED_END)


def test_rule_edo_1_service_fait_completion_and_absences():
    rules.check_service_done(Decimal(80), Decimal(7), Decimal(35))
    with pytest.raises(DomainError) as error:
        rules.check_service_done(Decimal(101), Decimal(0), Decimal(35))
    assert error.value.field == "completion_rate"
    with pytest.raises(DomainError) as error:
        rules.check_service_done(Decimal(50), Decimal(36), Decimal(35))
    assert error.value.field == "absence_hours"


# -- COM-2 ------------------------------------------------------------------------------------------
def fee(cancelled_on, starts_on, kind=DayKind.WORKING):
    return rules.cancellation_fee(
        price_excl_vat=Decimal(1000),
        cancelled_on=cancelled_on,
        starts_on=starts_on,
        free_above_days=15,
        full_below_days=7,
        partial_rate=50,
        day_kind=kind,
    )


START = D(2026, 12, 14)  # a Monday


@pytest.mark.parametrize(
    ("days_before", "rate", "amount"),
    [
        (16, 0, "0.00"),
        (15, 50, "500.00"),
        (8, 50, "500.00"),
        (7, 50, "500.00"),
        (6, 100, "1000.00"),
        (0, 100, "1000.00"),
    ],
)
def test_rule_com_2_fee_boundaries_in_working_days(days_before, rate, amount):
    from parcours.dossiers.workdays import add_working_days

    cancelled_on = add_working_days(START, -days_before)
    result = fee(cancelled_on, START)
    assert (result.days_before, result.rate, result.amount) == (days_before, rate, Decimal(amount))


def test_rule_com_2_boundaries_across_11_november():
    start = D(2026, 11, 20)  # Friday
    # 7 working days before: 10 November (11 November is not counted).
    assert fee(D(2026, 11, 10), start).rate == 50
    assert fee(D(2026, 11, 12), start).rate == 100  # 6 working days
    assert fee(D(2026, 10, 29), start).rate == 50  # 15: 30/10, 2-6/11, 9-10/11, 12-13/11, 16-20/11
    assert fee(D(2026, 10, 28), start).rate == 0  # 16


def test_rule_com_2_jours_ouvrables_count_saturdays():
    start = D(2026, 12, 14)
    # 15 jours ouvrables before Monday 14 December is Thursday 26 November (Saturdays counted).
    assert fee(D(2026, 11, 26), start, DayKind.BUSINESS).rate == 50
    assert fee(D(2026, 11, 25), start, DayKind.BUSINESS).rate == 0
    assert fee(D(2026, 11, 25), start, DayKind.WORKING).rate == 50  # 13 jours ouvrés


def test_rule_com_2_fee_is_taken_from_the_cpf_part_first():
    assert rules.split_refund(Decimal(500), Decimal(1200), Decimal(0)) == (Decimal(700), Decimal(0))
    assert rules.split_refund(Decimal(1000), Decimal(800), Decimal(400)) == (Decimal(0), Decimal(200))
    assert rules.split_refund(Decimal(0), Decimal(800), Decimal(400)) == (Decimal(800), Decimal(400))


def test_rule_com_2_policy_and_confirmation():
    with pytest.raises(DomainError) as error:
        rules.check_cancellation_policy(7, 15, 50)
    assert (error.value.rule, error.value.field) == ("COM-2", "full_below_days")
    with pytest.raises(DomainError):
        rules.check_cancellation_policy(15, 7, 150)
    rules.check_confirmed_fee(Decimal("500"), Decimal("500.00"))
    with pytest.raises(DomainError) as error:
        rules.check_confirmed_fee(Decimal("500"), Decimal(0))
    assert error.value.field == "confirmed_fee" and "500.00 €" in error.value.message


# -- COM-5, balance ------------------------------------------------------------------------------------
def test_rule_com_5_places_left():
    assert rules.places_left(None, 40) is None
    assert rules.places_left(10, 4) == 6
    assert rules.places_left(10, 12) == 0
    assert rules.full_session_error().rule == "COM-5"


def test_insufficient_balance_says_what_is_missing():
    error = rules.insufficient_balance_error(Decimal("1500"), Decimal("1800"))
    assert error.field == "cpf_balance" and "il manque 300.00 €" in error.message
    assert "reste à charge" in error.message


# -- REG-8 ------------------------------------------------------------------------------------------
def test_rule_reg_8_all_blocks_and_the_final_evaluation_when_required():
    blocks = ["BC01", "BC02"]
    assert rules.certification_awarded(
        certification_blocks=blocks, passed_blocks=blocks, final_required=False, final_passed=False
    )
    assert not rules.certification_awarded(
        certification_blocks=blocks, passed_blocks=["BC01"], final_required=False, final_passed=False
    )
    assert not rules.certification_awarded(
        certification_blocks=blocks, passed_blocks=blocks, final_required=True, final_passed=False
    )
    assert rules.certification_awarded(
        certification_blocks=blocks, passed_blocks=blocks, final_required=True, final_passed=True
    )
    assert not rules.final_evaluation_required(None)


# -- DOS-8 ------------------------------------------------------------------------------------------
def test_rule_dos_8_proof_is_a_pdf_or_an_image_by_content():
    assert rules.check_proof(io.BytesIO(b"%PDF-1.7 ..."), 12) == "application/pdf"
    with pytest.raises(DomainError) as error:
        rules.check_proof(io.BytesIO(b"MZ\x90\x00 not a pdf"), 12)
    assert (error.value.rule, error.value.field) == ("DOS-8", "proof")
    with pytest.raises(DomainError, match="taille maximale"):
        rules.check_proof(io.BytesIO(b"%PDF-"), 50_000_000)


def test_rule_com_8_hours_per_day():
    assert [e.rule for e in rules.check_terms_values({"hours_per_day": Decimal(0), "vat_rate": Decimal(-1)})] == [
        "COM-1",
        "COM-8",
    ]
