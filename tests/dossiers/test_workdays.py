"""Working days in France (EDO-2, COM-2): weekends and public holidays (holidays.France)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.dossiers.enums import DayKind
from parcours.dossiers.workdays import add_working_days, holiday_name, is_working_day, working_days_between

D = datetime.date


def test_rule_edo_2_weekend_is_skipped():
    friday = D(2026, 11, 20)
    assert add_working_days(friday, 1) == D(2026, 11, 23)  # Monday
    assert add_working_days(D(2026, 11, 21), 1) == D(2026, 11, 23)  # from a Saturday
    assert add_working_days(D(2026, 11, 22), 2) == D(2026, 11, 24)  # from a Sunday


def test_rule_edo_2_11_november_is_skipped():
    assert holiday_name(D(2026, 11, 11)) == "Armistice"
    assert not is_working_day(D(2026, 11, 11))
    assert add_working_days(D(2026, 11, 10), 1) == D(2026, 11, 12)
    assert add_working_days(D(2026, 11, 9), 2) == D(2026, 11, 12)


def test_rule_edo_2_easter_monday_is_skipped():
    assert holiday_name(D(2027, 3, 29)) == "Lundi de Pâques"
    assert add_working_days(D(2027, 3, 26), 1) == D(2027, 3, 30)  # Friday → Tuesday
    assert add_working_days(D(2027, 3, 24), 4) == D(2027, 3, 31)


def test_counting_back_and_between():
    assert add_working_days(D(2026, 11, 12), -1) == D(2026, 11, 10)
    assert working_days_between(D(2026, 11, 9), D(2026, 11, 12)) == 2
    assert working_days_between(D(2026, 11, 12), D(2026, 11, 9)) == -2
    assert working_days_between(D(2026, 11, 9), D(2026, 11, 9)) == 0


def test_rule_com_2_jours_ouvrables_count_saturdays_not_sundays_nor_holidays():
    friday = D(2026, 11, 20)
    assert add_working_days(friday, 1, DayKind.BUSINESS) == D(2026, 11, 21)  # Saturday
    assert add_working_days(D(2026, 11, 21), 1, DayKind.BUSINESS) == D(2026, 11, 23)  # Sunday skipped
    assert is_working_day(D(2027, 5, 1), DayKind.BUSINESS) is False  # 1 May 2027, a Saturday
    assert working_days_between(D(2026, 11, 2), D(2026, 11, 16), DayKind.BUSINESS) == 11  # 11 Nov and 2 Sundays out
    assert working_days_between(D(2026, 11, 2), D(2026, 11, 16)) == 9


@given(
    st.dates(min_value=D(2025, 1, 1), max_value=D(2030, 12, 31)),
    st.integers(min_value=0, max_value=60),
    st.sampled_from(list(DayKind)),
)
def test_between_is_the_inverse_of_add(day, count, kind):
    later = add_working_days(day, count, kind)
    assert is_working_day(later, kind) or count == 0
    assert working_days_between(day, later, kind) == count


@pytest.mark.parametrize("day", [D(2026, 12, 25), D(2027, 1, 1), D(2027, 5, 17), D(2027, 7, 14)])
def test_other_public_holidays(day):
    assert not is_working_day(day)
