"""The import as a background task from the admin, with its report there."""

import pytest

from parcours.accounts.enums import StaffRole
from parcours.accounts.models import User
from parcours.registry.enums import ImportStatus
from parcours.registry.models import Certification, RegistryImport
from tests.conftest import SEEDED, XML_RNCP
from tests.factories import staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(client, transactional_db):
    client.force_login(staff(StaffRole.PLATFORM_ADMIN))
    return client


def test_upload_runs_the_import_and_shows_the_report(admin_client, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path
    with XML_RNCP.open("rb") as upload:
        response = admin_client.post("/admin/registry/registryimport/importer/", {"files": upload})
    assert response.status_code == 302
    run = RegistryImport.objects.get()
    assert run.status == ImportStatus.SUCCEEDED
    assert run.report["fiches_created"] == 12
    assert Certification.objects.exclude(code__in=SEEDED).count() == 12
    page = admin_client.get(response["Location"]).content.decode()
    assert "Fiches créées : 12" in page
    assert "12 fiches lues (100 %)" in page


def test_refused_file_is_reported_and_writes_nothing(admin_client, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"
    bad = tmp_path / "export.xml"
    bad.write_bytes(XML_RNCP.read_bytes()[:5000])
    with bad.open("rb") as upload:
        admin_client.post("/admin/registry/registryimport/importer/", {"files": upload})
    run = RegistryImport.objects.get()
    assert run.status == ImportStatus.FAILED
    assert "la base n'a pas été modifiée" in run.error
    assert not Certification.objects.exclude(code__in=SEEDED).exists()


def test_wrong_file_type_is_refused_on_the_form(admin_client, settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path
    other = tmp_path / "photo.png"
    other.write_bytes(b"\x89PNG")
    with other.open("rb") as upload:
        response = admin_client.post("/admin/registry/registryimport/importer/", {"files": upload})
    assert response.status_code == 200
    assert "attendu .zip, .xml ou .csv" in response.content.decode()
    assert not RegistryImport.objects.exists()


def test_only_staff_may_import(client):
    user = User.objects.create_user(username="b", email="b@parcours.test", password="x")
    client.force_login(user)
    response = client.get("/admin/registry/registryimport/importer/")
    assert response.status_code == 302  # to the admin login
