"""/api/v1/catalogue/…: same rules as the pages, French errors with rule and field, scoped to the token."""

import pytest

from parcours.accounts.services import create_api_token
from parcours.catalogue.models import Offer
from tests.factories import EntityFactory, member_of

pytestmark = pytest.mark.django_db

OFFER = {
    "certification": "40344",
    "registry": "rncp",
    "blocks": ["RNCP40344BC01"],
    "blocks_customisable": False,
    "internal_id": "ASV-API",
    "title": "Auxiliaire vétérinaire — bloc 1",
    "pedagogical_objectives": "Conseiller la clientèle.",
    "content": "Séquence 1 (14 h).",
    "strengths": "Petits groupes.",
    "expected_results": "Inscription à l'examen du bloc.",
    "course_type": "96213",
}


@pytest.fixture
def api(client, organisation, manager):
    raw = create_api_token(organisation, "Logiciel", manager)[1]

    def call(method, path, payload=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if payload is not None:
            kwargs.update(data=payload, content_type="application/json")
        return getattr(client, method)(f"/api/v1/catalogue{path}", **kwargs)

    return call


def test_create_validate_and_read_an_offer(api):
    response = api("post", "/offers", OFFER)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["certification"] == "RNCP40344"
    assert body["perimeter"] == "Certification partielle - 1/4 blocs de compétences préparés"  # OFF-6
    response = api("post", f"/offers/{body['id']}/validate")
    assert response.status_code == 200 and response.json()["status"] == "validated"
    listing = api("get", "/offers").json()
    assert listing["count"] == 1 and listing["items"][0]["internal_id"] == "ASV-API"


@pytest.mark.parametrize(
    ("change", "status", "rule", "field"),
    [
        ({"blocks": []}, 422, "OFF-3", "blocks"),
        ({"blocks_customisable": None}, 422, "OFF-4", "blocks_customisable"),
        ({"internal_id": ""}, 422, "OFF-7", "internal_id"),
        ({"certification": "35959"}, 422, "REG-6", "code"),
        ({"certification": "99999"}, 422, "REG-1", "code"),
        ({"content": "x" * 3001}, 422, "OFF-11", "content"),
    ],
)
def test_rules_answer_with_rule_field_and_french_message(api, change, status, rule, field):
    response = api("post", "/offers", {**OFFER, **change})
    assert response.status_code == status
    body = response.json()
    assert (body["rule"], body["field"]) == (rule, field)
    assert body["message"]
    assert not Offer.objects.exists()


def test_validation_of_an_incomplete_offer_is_refused(api):
    offer_id = api("post", "/offers", {**OFFER, "content": ""}).json()["id"]
    response = api("post", f"/offers/{offer_id}/validate")
    assert response.status_code == 422 and response.json()["rule"] == "OFF-11"


def test_delete_needs_archive_first(api):
    offer_id = api("post", "/offers", OFFER).json()["id"]
    api("post", f"/offers/{offer_id}/validate")
    response = api("post", f"/offers/{offer_id}/delete")
    assert response.status_code == 409 and response.json()["rule"] == "OFF-16"
    assert api("post", f"/offers/{offer_id}/archive").status_code == 200
    assert api("post", f"/offers/{offer_id}/delete").json()["status"] == "deleted"
    assert api("get", f"/offers/{offer_id}").status_code == 404


def test_stale_version_is_a_conflict(api):
    offer = api("post", "/offers", OFFER).json()
    response = api("patch", f"/offers/{offer['id']}", {"version": offer["version"] + 5, "title": "x"})
    assert response.status_code == 409 and response.json()["field"] == "version"


def test_actions_and_sessions(api):
    offer_id = api("post", "/offers", OFFER).json()["id"]
    action = {
        "internal_id": "A1",
        "modality": "on_site",
        "postal_code": "69002",
        "city": "Lyon",
        "hours_in_centre": 70,
        "price_excl_vat": "1000.00",
        "vat_rate": "20",
    }
    response = api("post", f"/offers/{offer_id}/actions", action)
    assert response.status_code == 201
    assert response.json()["price_incl_vat"] == "1200.00"  # computed from HT and VAT
    duplicate = api("post", f"/offers/{offer_id}/actions", {**action, "internal_id": "A2"})
    assert duplicate.status_code == 422 and duplicate.json()["rule"] == "EDO-4"
    action_id = response.json()["id"]
    session = api(
        "post",
        f"/actions/{action_id}/sessions",
        {"internal_id": "S1", "starts_on": "2027-01-10", "ends_on": "2027-01-05"},
    )
    assert session.status_code == 422 and session.json()["field"] == "ends_on"
    session = api(
        "post",
        f"/actions/{action_id}/sessions",
        {"internal_id": "S1", "starts_on": "2027-01-10", "ends_on": "2027-02-05", "capacity": 12},
    )
    assert session.status_code == 201
    offer = api("get", f"/offers/{offer_id}").json()
    assert offer["actions"][0]["sessions"][0]["capacity"] == 12


def test_another_organisation_gets_404(api, client):
    offer_id = api("post", "/offers", OFFER).json()["id"]
    other = EntityFactory(training=True, siret="44306184100047")
    raw = create_api_token(other, "x", member_of(other))[1]
    response = client.get(f"/api/v1/catalogue/offers/{offer_id}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 404
    assert response.json()["detail"] == "Offre introuvable."


def test_certifier_token_cannot_manage_a_catalogue(client, people):
    raw = create_api_token(people["certifier_entity"], "x", people["certifier_manager"])[1]
    response = client.get("/api/v1/catalogue/offers", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422 and response.json()["rule"] == "ACC-8"
