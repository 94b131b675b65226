"""The Tantivy index agrees with the database (visibility at query time), French analysis, the outbox replays."""

import datetime

import pytest

from parcours.catalogue import services
from parcours.catalogue.models import Session
from parcours.core.outbox import pending
from parcours.registry.models import Certification
from parcours.search import engine
from parcours.search.visibility import public_offers
from tests.search.test_visibility import public_offer  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def found(on=TODAY, **filters):
    return engine.search(engine.Filters(**filters), on).offer_ids


def agrees(on=TODAY):
    assert sorted(found(on)) == sorted(public_offers(on).values_list("pk", flat=True))


@pytest.fixture
def indexed(public_offer):  # noqa: F811
    engine.rebuild()
    return public_offer


@pytest.mark.parametrize("words", ["vétérinaire", "veterinaire", "Vétérinaires", "VETERINAIRE", "auxiliaire lyon"])
def test_french_word_forms_find_the_offer(indexed, words):
    assert found(q=words) == [indexed.pk]


def test_unrelated_words_find_nothing(indexed):
    assert found(q="plomberie") == []


def test_rule_reg_6_the_day_after_the_end_date_the_offer_vanishes_without_reindexing(indexed):
    Certification.objects.filter(pk=indexed.certification_id).update(end_date=TODAY)  # no outbox: no reindex
    engine.rebuild()
    assert found(TODAY) == [indexed.pk]
    assert found(TODAY + datetime.timedelta(days=1)) == []
    agrees(TODAY + datetime.timedelta(days=1))


def test_index_and_database_agree_after_each_kind_of_change(indexed, django_capture_on_commit_callbacks):
    agrees()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_offer(indexed.pk, None, "archive")  # offer change → outbox → indexer
    agrees()
    assert found() == [] and pending() == []
    with django_capture_on_commit_callbacks(execute=True):
        services.transition_offer(indexed.pk, None, "restore")
        services.transition_offer(indexed.pk, None, "validate")
    agrees()
    assert found() == [indexed.pk]
    session = Session.objects.get(action__offer=indexed)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_session(session.action, None, {"enrolment_state": "closed"}, session=session)  # session change
    agrees()
    organisation = indexed.organisation
    with django_capture_on_commit_callbacks(execute=True):
        services.save_session(session.action, None, {"enrolment_state": "open"}, session=session)
        organisation.qualiopi_valid_until = TODAY - datetime.timedelta(days=1)
        organisation.save()  # organisation change
    agrees()
    assert found() == []


def test_a_crash_between_commit_and_indexing_replays_from_the_outbox(indexed):
    # The change commits (outbox row written) but the indexer never runs: the index is stale...
    services.transition_offer(indexed.pk, None, "archive")
    assert found() == [indexed.pk] and pending()
    # ...until the outbox is replayed.
    engine.apply_outbox()
    agrees()
    assert found() == [] and pending() == []


def test_filters_and_facets(indexed):
    assert found(perimeter="partial") == [indexed.pk]
    assert found(perimeter="complete") == []
    assert found(registry="rncp", department="69") == [indexed.pk]
    assert found(customisable=True) == []
    results = engine.search(engine.Filters(), TODAY)
    assert results.facets["perimeter"] == {"partial": 1}
    assert results.facets["department"] == {"69": 1}


def test_search_page_shows_the_card(client, indexed):
    page = client.get("/formations/", {"q": "veterinaire"}).content.decode()
    assert "1 formation" in page
    assert f'href="/formations/{indexed.pk}/"' in page
    assert "Certification partielle — 1/4 blocs" in page  # OFF-21
    assert "Lyon" in page and "prochaine session le 02/12/2026" in page
    page = client.get("/formations/", {"q": "veterinaire", "perimeter": "complete"}).content.decode()
    assert "0 formation" in page


def test_home_leads_to_the_search(client, db):
    assert 'href="/formations/"' in client.get("/").content.decode()


def test_search_api(client, indexed):
    body = client.get("/api/v1/offers", {"q": "vétérinaires", "registry": "rncp"}).json()
    assert body["count"] == 1 and body["items"][0]["id"] == indexed.pk
    assert body["items"][0]["perimeter"] == "Certification partielle - 1/4 blocs de compétences préparés"
    assert body["facets"]["perimeter"] == {"partial": 1}
    assert client.get("/api/v1/offers", {"q": "veterinaire", "perimeter": "complete"}).json()["count"] == 0
    assert client.get("/api/v1/offers", {"level": "douze"}).status_code == 422


def test_public_api_answers_with_an_etag_and_304(client, indexed):
    first = client.get("/api/v1/offers", {"q": "veterinaire"})
    etag = first["ETag"]
    assert etag
    again = client.get("/api/v1/offers", {"q": "veterinaire"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    detail = client.get(f"/api/v1/offers/{indexed.pk}")
    assert client.get(f"/api/v1/offers/{indexed.pk}", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304


def test_rule_acc_7_an_ended_habilitation_beside_the_current_one_does_not_hide_the_offer(indexed):
    from parcours.registry.models import Accreditation

    current = Accreditation.objects.get(certification=indexed.certification, siret=indexed.organisation.siret)
    Accreditation.objects.filter(pk=current.pk).update(starts_on=datetime.date(2022, 1, 1))  # in force since 2022
    Accreditation.objects.create(
        certification=indexed.certification,
        source=current.source,
        siret=current.siret,
        name=current.name,
        kind="train",  # another kind, ended years ago
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2021, 12, 31),
    )
    engine.rebuild()
    assert found() == [indexed.pk]
    agrees()
