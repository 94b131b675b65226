"""ACC-2, ACC-3, ACC-8 checks, with Hypothesis where a property exists."""

import datetime
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from parcours.accounts.rules import check_mandate_date, check_nda, check_siret, months_before, sniff_document
from parcours.core.errors import DomainError

TODAY = datetime.date(2026, 11, 22)


def valid_prefix(siren8: str, nic4: str) -> str:
    """13 digits whose SIREN part (9) carries its own Luhn key, as stdnum requires."""
    return siren8 + luhn.calc_check_digit(siren8) + nic4


digits8 = st.text(alphabet="0123456789", min_size=8, max_size=8)
digits4 = st.text(alphabet="0123456789", min_size=4, max_size=4)


@given(digits8, digits4)
def test_rule_acc_2_a_siret_with_its_luhn_key_is_accepted(siren8, nic4):
    body = valid_prefix(siren8, nic4)
    siret = body + luhn.calc_check_digit(body)
    assert check_siret(siret) == siret


@given(digits8, digits4, st.integers(1, 9))
def test_rule_acc_2_a_wrong_key_is_refused(siren8, nic4, shift):
    digits = valid_prefix(siren8, nic4)
    good = luhn.calc_check_digit(digits)
    bad = str((int(good) + shift) % 10)
    with pytest.raises(DomainError, match="clé de contrôle") as caught:
        check_siret(digits + bad)
    assert caught.value.rule == "ACC-2" and caught.value.field == "siret"


@pytest.mark.parametrize("value", ["123 456 782 00002", " 12345678200002", "12345678200002 "])
def test_rule_acc_2_spaces_are_refused(value):
    with pytest.raises(DomainError, match="sans espaces"):
        check_siret(value)


@pytest.mark.parametrize("value", ["1234567820000", "123456782000021", "1234567820000A"])
def test_rule_acc_2_fourteen_digits(value):
    with pytest.raises(DomainError, match="14 chiffres"):
        check_siret(value)


def test_rule_acc_8_declaration_number_has_11_characters():
    assert check_nda("11755555575") == "11755555575"
    for bad in ("1175555557", "117 5555557", ""):
        with pytest.raises(DomainError, match="11 caractères"):
            check_nda(bad)


@given(st.dates(min_value=datetime.date(2001, 1, 1), max_value=datetime.date(2099, 12, 31)), st.integers(0, 24))
def test_months_before_goes_back_whole_months(day, months):
    earlier = months_before(day, months)
    assert (day.year * 12 + day.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier.day <= day.day


def test_rule_acc_3_mandate_less_than_three_months_old():
    check_mandate_date(datetime.date(2026, 8, 23), TODAY)
    check_mandate_date(TODAY, TODAY)
    with pytest.raises(DomainError, match="moins de 3 mois") as caught:
        check_mandate_date(datetime.date(2026, 8, 22), TODAY)
    assert caught.value.rule == "ACC-3"
    with pytest.raises(DomainError, match="futur"):
        check_mandate_date(datetime.date(2026, 11, 23), TODAY)
    with pytest.raises(DomainError, match="date du mandat"):
        check_mandate_date(None, TODAY)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\nxxxx", "image/png"),
        (b"\xff\xd8\xff\xe0xx", "image/jpeg"),
    ],
)
def test_rule_acc_3_documents_are_checked_by_content(head, kind):
    assert sniff_document(io.BytesIO(head + b"rest"), 100, "legal_document") == kind


def test_rule_acc_3_a_text_file_renamed_pdf_is_refused():
    with pytest.raises(DomainError, match="ni un PDF ni une image") as caught:
        sniff_document(io.BytesIO(b"<html>pas un pdf</html>"), 30, "legal_document")
    assert caught.value.field == "legal_document"


def test_rule_acc_3_oversized_file_is_refused(settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    with pytest.raises(DomainError, match="taille maximale"):
        sniff_document(io.BytesIO(b"%PDF-" + b"0" * 2000), 2005, "mandate")
