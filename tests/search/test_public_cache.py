"""The anonymous search page and the public API answer from a short-lived cache; signed-in people never do."""

import pytest
from django.core.cache import cache

from parcours.catalogue import services
from parcours.search import engine
from tests.search.test_visibility import public_offer  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings, public_offer):  # noqa: F811
    settings.PUBLIC_CACHE_SECONDS = 30
    cache.clear()
    engine.rebuild()
    yield public_offer
    cache.clear()


def withdraw(offer):
    services.transition_offer(offer.pk, None, "archive")
    engine.apply_outbox()


def test_an_anonymous_page_is_reused_until_it_expires(client, cached, manager):
    first = client.get("/formations/", {"q": "vétérinaire"})
    assert first.context["results"].total == 1 and "max-age=30" in first["Cache-Control"]
    withdraw(cached)
    again = client.get("/formations/", {"q": "vétérinaire"})
    assert again.content == first.content  # the same page, without running the view
    other = client.get("/formations/", {"q": "veterinaire"})  # another URL is computed afresh
    assert other.context["results"].total == 0
    client.force_login(manager)
    assert client.get("/formations/", {"q": "vétérinaire"}).context["results"].total == 0


def test_the_api_reuses_its_payload_but_the_rate_limit_still_counts(client, cached, settings):
    assert client.get("/api/v1/offers", {"q": "vétérinaire"}).json()["count"] == 1
    withdraw(cached)
    assert client.get("/api/v1/offers", {"q": "vétérinaire"}).json()["count"] == 1  # cached for 30 s
    settings.PUBLIC_CACHE_SECONDS = 0
    assert client.get("/api/v1/offers", {"q": "vétérinaire"}).json()["count"] == 0
    settings.PUBLIC_CACHE_SECONDS = 30
    settings.PARCOURS_API_RATE_LIMIT = "2/m"
    cache.clear()
    statuses = [client.get("/api/v1/offers", {"q": "vétérinaire"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
