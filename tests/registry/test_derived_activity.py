"""REG-6: past its end date a certification is inactive, whatever the export said."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from parcours.registry.models import Certification

pytestmark = pytest.mark.django_db

dates = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2040, 12, 31))


@given(end=st.one_of(st.none(), dates), today=dates, declared=st.booleans())
def test_rule_reg_6_is_active_formula(end, today, declared):
    certification = Certification(code="RNCP1", registry="rncp", number=1, declared_active=declared, end_date=end)
    expected = declared and (end is None or today <= end)
    assert certification.is_active(today) is expected


def test_rule_reg_6_fiche_declared_active_but_past_its_end_date_is_inactive(xml_samples):
    # RNCP35959: ACTIF "Oui" in the 16/08/2026 export, end date 15/10/2026.
    certification = Certification.objects.get(code="RNCP35959")
    assert certification.declared_active is True
    end = datetime.date(2026, 10, 15)
    assert certification.is_active(end) is True
    assert certification.is_active(end + datetime.timedelta(days=1)) is False
    assert Certification.objects.active(end).filter(code="RNCP35959").exists()
    assert not Certification.objects.active(end + datetime.timedelta(days=1)).filter(code="RNCP35959").exists()
    assert Certification.objects.inactive(end + datetime.timedelta(days=1)).filter(code="RNCP35959").exists()


def test_rule_reg_6_today_is_taken_in_europe_paris(xml_samples, monkeypatch):
    # 15/10/2026 23:30 UTC is already 16/10 in Paris: RNCP35959 is inactive there.
    late_utc = datetime.datetime(2026, 10, 15, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late_utc)
    assert Certification.objects.get(code="RNCP35959").is_active() is False
    assert not Certification.objects.active().filter(code="RNCP35959").exists()
