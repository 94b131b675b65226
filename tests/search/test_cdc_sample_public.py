"""Issue 5, done-when: the CDC's sample catalogue imported for an organisation is public and found."""

from pathlib import Path

import pytest

from parcours.catalogue.edof.importer import import_catalogue
from parcours.catalogue.models import Offer
from parcours.search import engine

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "edof" / "exemple-catalogue-a-importer_v7r0.xml"


def test_the_imported_sample_is_found_complete_through_page_and_api(client, organisation):
    report = import_catalogue(SAMPLE.read_bytes().replace(b"12312312300000", organisation.siret.encode()), organisation)
    assert report.written, report.lines()
    engine.apply_outbox()
    offer = Offer.objects.get(organisation=organisation, certification__code="RNCP40344")
    for words in ("vétérinaire", "veterinaire"):
        body = client.get("/api/v1/offers", {"q": words}).json()
        assert offer.pk in [item["id"] for item in body["items"]]
        item = next(i for i in body["items"] if i["id"] == offer.pk)
        assert item["perimeter"] == "Certification complète - 4/4 blocs de compétences préparés"
    page = client.get("/formations/", {"q": "vétérinaire"}).content.decode()
    assert f'href="/formations/{offer.pk}/"' in page and "Certification complète" in page
    detail = client.get(f"/formations/{offer.pk}/").content.decode()
    assert detail.count("RNCP40344BC0") >= 4
