"""The public offer page and `GET /api/v1/offers/{id}` (OFF-6, OFF-21, OFF-22): 200, 404, 410."""

import datetime

import pytest

from parcours.catalogue import services
from parcours.registry.models import Certification
from tests.search.test_visibility import public_offer  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


def test_anyone_reads_a_public_offer(client, public_offer):  # noqa: F811
    page = client.get(f"/formations/{public_offer.pk}/").content.decode()
    assert "Auxiliaire vétérinaire" in page
    assert "Certification partielle — 1/4 blocs" in page  # OFF-21
    assert "Certification partielle - 1/4 blocs de compétences préparés" in page  # OFF-6
    assert "RNCP40344BC01" in page
    assert "Cet enregistrement ne vaut pas agrément de l&#x27;État" in page or "ne vaut pas agrément" in page
    body = client.get(f"/api/v1/offers/{public_offer.pk}").json()
    assert body["certification"] == "RNCP40344" and body["complete"] is False and body["blocks"] == ["RNCP40344BC01"]


def test_withdrawn_offer_answers_410_with_the_reason(client, public_offer):  # noqa: F811
    Certification.objects.filter(pk=public_offer.certification_id).update(end_date=datetime.date(2026, 11, 21))
    response = client.get(f"/formations/{public_offer.pk}/")
    assert response.status_code == 410
    assert "n&#x27;est plus active" in response.content.decode() or "n'est plus active" in response.content.decode()
    response = client.get(f"/api/v1/offers/{public_offer.pk}")
    assert response.status_code == 410 and "n'est plus active" in response.json()["detail"]


def test_never_published_offer_is_404(client, public_offer):  # noqa: F811
    draft = services.create_offer(
        public_offer.organisation,
        None,
        services.OfferInput(
            certification=public_offer.certification,
            block_codes=["RNCP40344BC02"],
            blocks_customisable=False,
            values={"internal_id": "DRAFT"},
        ),
    )
    assert client.get(f"/formations/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/offers/{draft.pk}").status_code == 404
    assert client.get("/formations/999999/").status_code == 404
