"""The upload page, the download buttons and the API of the EDOF XML catalogue (OFF-18, EDO-4, EDO-5)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parcours.accounts.services import create_api_token
from parcours.catalogue.models import Offer

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "edof" / "exemple-catalogue-a-importer_v7r0.xml"


def sample_for(organisation) -> bytes:
    return SAMPLE.read_bytes().replace(b"12312312300000", organisation.siret.encode())


def test_upload_page_imports_the_cdc_sample(trainer_client, organisation):
    upload = SimpleUploadedFile("catalogue.xml", sample_for(organisation), content_type="application/xml")
    page = trainer_client.post("/catalogue/import/", {"file": upload}).content.decode()
    assert "Import enregistré." in page
    assert Offer.objects.filter(organisation=organisation).count() == 4
    assert set(Offer.objects.values_list("cpf_code", flat=True)) >= {"CPF202", "CPF200"}


def test_upload_page_refuses_the_placeholder_siret(trainer_client, organisation):
    upload = SimpleUploadedFile("catalogue.xml", SAMPLE.read_bytes(), content_type="application/xml")
    page = trainer_client.post("/catalogue/import/", {"file": upload}).content.decode()
    assert "la base n&#x27;a pas été modifiée" in page or "la base n'a pas été modifiée" in page
    assert "12312312300000" in page
    assert not Offer.objects.exists()


def test_download_buttons_give_edof_and_lheo(trainer_client, organisation):
    trainer_client.post("/catalogue/import/", {"file": SimpleUploadedFile("c.xml", sample_for(organisation))})
    edof = trainer_client.get("/catalogue/export/", {"format": "edof"})
    assert edof.status_code == 200 and b"https://www.of.moncompteformation.gouv.fr" in edof.content
    lheo = trainer_client.get("/catalogue/export/", {"format": "lheo"})
    assert b"http://lheo.gouv.fr/2.3" in lheo.content


def test_api_import_dry_run_then_real_then_export(client, organisation, manager):
    raw = create_api_token(organisation, "x", manager)[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    data = sample_for(organisation)
    response = client.post("/api/v1/catalogue/import?dry_run=true", {"file": SimpleUploadedFile("c.xml", data)}, **auth)
    assert response.status_code == 200 and response.json()["written"] is False
    assert not Offer.objects.exists()
    response = client.post("/api/v1/catalogue/import", {"file": SimpleUploadedFile("c.xml", data)}, **auth)
    assert response.status_code == 200 and response.json()["written"] is True
    again = client.post("/api/v1/catalogue/import", {"file": SimpleUploadedFile("c.xml", data)}, **auth).json()
    assert again["offers"]["created"] == 0 and again["offers"]["updated"] == 0  # idempotent
    export = client.get("/api/v1/catalogue/export?format=edof", **auth)
    assert export.status_code == 200 and export["Content-Type"] == "application/xml"


def test_api_import_errors_name_line_and_element(client, organisation, manager):
    raw = create_api_token(organisation, "x", manager)[1]
    response = client.post(
        "/api/v1/catalogue/import",
        {"file": SimpleUploadedFile("c.xml", SAMPLE.read_bytes())},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors and all(error["message"] for error in errors)
    assert any(error.get("line") for error in errors)
