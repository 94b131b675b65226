"""`/api/v1/dossiers/…` and `/api/v1/commercial-terms`: the same services and French errors as the pages."""

import datetime
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from parcours.accounts.models import Membership
from parcours.accounts.services import create_api_token
from parcours.dossiers.enums import DossierState
from parcours.dossiers.models import Dossier
from tests.factories import holder

from .flow import positioned

pytestmark = pytest.mark.django_db


class Api:
    """A client speaking JSON to /api/v1 as an organisation (its token) or a logged-in person."""

    def __init__(self, *, token: str = "", user=None):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.user = user

    def _login(self):
        if self.user is not None:  # again at each call: the tests move the clock past the session's age
            self.client.force_login(self.user)

    def get(self, path, **params):
        self._login()
        return self.client.get(f"/api/v1{path}", params, **self.headers)

    def post(self, path, body=None):
        self._login()
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json", **self.headers)

    def patch(self, path, body):
        self._login()
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json", **self.headers)

    def put(self, path, body):
        self._login()
        return self.client.put(f"/api/v1{path}", body, content_type="application/json", **self.headers)


@pytest.fixture
def organisation_api(organisation, manager):
    _token, raw = create_api_token(organisation, "logiciel de gestion", manager)
    return Api(token=raw)


@pytest.fixture
def holder_api(titulaire):
    return Api(user=titulaire)


def enrolled(holder_api, session, manager):
    response = holder_api.post("/dossiers", {"session_id": session.pk})
    assert response.status_code == 201, response.json()
    dossier = Dossier.objects.get(pk=response.json()["id"])
    positioned(dossier, manager)
    return response.json()


def test_rule_dos_1_a_holder_enrols_and_the_organisation_sees_the_request(
    holder_api, organisation_api, session, manager
):
    body = enrolled(holder_api, session, manager)
    assert body["state"] == "not_processed" and body["state_label"] == "Non traité"
    assert [b["code"] for b in body["blocks"]] == ["RNCP40344BC01", "RNCP40344BC02"]
    listed = organisation_api.get("/dossiers").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert any("au plus tard le" in line and "EDO-2" in line for line in listed["items"][0]["to_do"])
    assert holder_api.get("/dossiers", state="accepted").json()["count"] == 0


def test_rule_dos_3_blocks_refused_when_the_offer_is_not_personnalisable(
    holder_api, organisation_api, make_session, manager
):
    session = make_session(customisable=False)
    body = enrolled(holder_api, session, manager)
    response = organisation_api.patch(f"/dossiers/{body['id']}/proposal", {"block_codes": ["RNCP40344BC01"]})
    assert response.status_code == 422
    assert response.json()["rule"] == "DOS-3" and response.json()["field"] == "blocks"


def test_rule_dos_3_the_block_list_never_empties(holder_api, organisation_api, session, manager):
    body = enrolled(holder_api, session, manager)
    response = organisation_api.patch(f"/dossiers/{body['id']}/proposal", {"block_codes": []})
    assert response.status_code == 422 and response.json()["rule"] == "DOS-3"
    assert "au moins un bloc" in response.json()["message"]


def test_rules_dos_4_and_dos_5_adapt_then_validate_then_read_only(holder_api, organisation_api, session, manager):
    body = enrolled(holder_api, session, manager)
    path = f"/dossiers/{body['id']}"
    changed = organisation_api.patch(f"{path}/proposal", {"block_codes": ["RNCP40344BC01"]}).json()
    assert "l'intitulé" in changed["still_identical"]
    refused = organisation_api.post(f"{path}/validate", {"version": changed["version"]})
    assert refused.status_code == 422 and refused.json()["rule"] == "DOS-4"
    adapted = organisation_api.patch(
        f"{path}/proposal",
        {
            "values": {
                "title": "Accueil et conseil en clinique vétérinaire (bloc 1)",
                "pedagogical_objectives": "Accueillir la clientèle.",
                "content": "Accueil.",
                "expected_results": "Bloc 1 validé.",
                "price_detail": "Bloc 1 seul.",
            },
            "confirm_unchanged": ["duration", "price"],
        },
    ).json()
    assert adapted["still_identical"] == ["la durée totale"]  # identical, and its maintenance confirmed (DOS-4)
    validated = organisation_api.post(f"{path}/validate", {"version": adapted["version"]})
    assert validated.status_code == 200 and validated.json()["state_label"] == "Validé"
    frozen = organisation_api.patch(f"{path}/proposal", {"values": {"title": "Autre intitulé"}})
    assert frozen.status_code == 409 and frozen.json()["rule"] == "DOS-5"
    assert Dossier.objects.get(pk=body["id"]).title.startswith("Accueil et conseil")


def test_the_holder_accepts_then_the_organisation_declares_entry_exit_and_results(
    holder_api, organisation_api, session, manager, clock, titulaire
):
    body = enrolled(holder_api, session, manager)
    path = f"/dossiers/{body['id']}"
    organisation_api.post(f"{path}/validate")
    accepted = holder_api.post(f"{path}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == DossierState.ACCEPTED
    assert accepted.json()["cpf_amount"] == "1200.00"  # 1 000 € HT + 20 % VAT, debited once
    assert holder_api.post(f"{path}/accept").status_code == 409
    clock.set(session.starts_on)
    assert organisation_api.post(f"{path}/entry", {"entered_on": str(session.starts_on)}).status_code == 200
    for code in ("RNCP40344BC01", "RNCP40344BC02"):
        registered = organisation_api.post(
            f"{path}/evaluations",
            {"block_code": code, "scheduled_on": str(session.ends_on), "place": "Lyon", "organiser": "Jury ASV"},
        )
        assert registered.status_code == 201, registered.json()
    assert registered.json()["unregistered_blocks"] == []
    clock.set(session.ends_on)
    result = organisation_api.post(
        f"{path}/results", {"block_code": "RNCP40344BC01", "passed": True, "result_on": str(session.ends_on)}
    )
    attestation = next(a for a in result.json()["attestations"] if a["kind"] == "block")
    pdf = holder_api.get(f"{path}/attestations/{attestation['id']}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "RNCP40344BC01" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    exited = organisation_api.post(f"{path}/exit", {"exited_on": str(session.ends_on), "reason": "8"})
    assert exited.status_code == 200 and exited.json()["state_label"] == "Sortie de formation"
    assert holder_api.get(f"{path}/proposal.pdf").content.startswith(b"%PDF")


def test_rule_com_2_the_fee_is_shown_before_the_holder_cancels(
    holder_api, organisation_api, make_session, manager, clock
):
    session = make_session(starts_in=20)
    body = enrolled(holder_api, session, manager)
    path = f"/dossiers/{body['id']}"
    organisation_api.post(f"{path}/validate")
    holder_api.post(f"{path}/accept")
    clock.set(session.starts_on - datetime.timedelta(days=9))  # between 15 and 7 days before
    quote = holder_api.get(f"{path}/cancellation").json()
    assert quote["rate"] == 50 and quote["fee"] == "500.00" and "COM-2" in quote["explanation"]
    stale = holder_api.post(f"{path}/cancel", {"confirmed_fee": "0"})
    assert stale.status_code in (409, 422) and stale.json()["rule"] == "COM-2"
    cancelled = holder_api.post(f"{path}/cancel", {"confirmed_fee": quote["fee"]})
    assert cancelled.json()["state_label"] == "Annulé par le titulaire"


def test_other_people_get_404_and_the_wrong_side_403(holder_api, organisation_api, session, manager):
    body = enrolled(holder_api, session, manager)
    path = f"/dossiers/{body['id']}"
    stranger = Api(user=holder())
    assert stranger.get(path).status_code == 404
    assert "introuvable" in stranger.get(path).json()["detail"]
    forbidden = holder_api.post(f"{path}/validate")
    assert forbidden.status_code == 403 and "Vous ne pouvez pas" in forbidden.json()["detail"]
    assert Client().get(f"/api/v1{path}").status_code == 401


def test_a_token_whose_creator_left_acts_for_nobody(organisation_api, manager, holder_api, session):
    enrolled(holder_api, session, manager)
    Membership.objects.filter(user=manager).delete()
    response = organisation_api.get("/dossiers")
    assert response.status_code == 403 and "jeton" in response.json()["detail"]


def test_commercial_terms_through_the_api(organisation_api, holder_api):
    terms = organisation_api.get("/commercial-terms").json()
    assert (terms["free_above_days"], terms["full_below_days"], terms["partial_rate"]) == (15, 7, 50)  # the CGV
    saved = organisation_api.put("/commercial-terms", {"day_price_excl_vat": "800", "partial_rate": 40})
    assert saved.status_code == 200 and saved.json()["partial_rate"] == 40
    added = organisation_api.post(
        "/commercial-terms/modules", {"label": "Module 2 jours", "days": "2", "price_excl_vat": "1500"}
    )
    assert added.status_code == 201 and added.json()["modules"][0]["label"] == "Module 2 jours"
    refused = organisation_api.put("/commercial-terms", {"free_above_days": 5, "full_below_days": 7})
    assert refused.status_code == 422 and refused.json()["rule"] == "COM-2"
    assert holder_api.get("/commercial-terms").status_code == 403
