"""`manage.py enqueue_periodic` runs every periodic task (ImmediateBackend in tests)."""

import datetime

import pytest
from django.core.management import call_command

from parcours.search import engine
from tests.search.test_places_and_filters import three_cities  # noqa: F401 — the fixture
from tests.search.test_visibility import public_offer  # noqa: F401 — the fixture


@pytest.mark.django_db
def test_enqueue_periodic_runs_the_search_refresh(three_cities, capsys):  # noqa: F811
    call_command("enqueue_periodic")
    assert "parcours.search.tasks.refresh_search_starts" in capsys.readouterr().out
    # Nothing had passed today: the refresh found nothing to reindex, the order is unchanged.
    assert len(engine.search(engine.Filters(sort="start"), datetime.date(2026, 11, 22)).offer_ids) == 3
