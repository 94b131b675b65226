"""Date pickers carry ISO values whatever the language, or a French browser shows them empty and a
save would clear the date."""

import datetime

from django.utils import translation

from parcours.catalogue.forms import SessionForm
from parcours.catalogue.models import Session


def test_a_session_form_renders_its_dates_in_iso_for_the_browser():
    session = Session(starts_on=datetime.date(2027, 1, 21), ends_on=datetime.date(2027, 1, 31))
    with translation.override("fr"):
        html = str(SessionForm(instance=session)["starts_on"])
    assert 'type="date"' in html and 'value="2027-01-21"' in html
    form = SessionForm(data={"starts_on": "2027-01-21"}, instance=Session())
    form.is_valid()
    assert form.cleaned_data.get("starts_on") == datetime.date(2027, 1, 21)
