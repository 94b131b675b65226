"""API tokens per entity, `Authorization: Bearer …` on /api/v1/, `GET /api/v1/me`."""

import pytest

from parcours.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def create_token(client, manager, name="Logiciel de gestion"):
    client.force_login(manager)
    client.post("/espace/entite/jetons/", {"name": name})
    page = client.get("/espace/entite/").content.decode()
    start = page.index('<code id="new-token">') + len('<code id="new-token">')
    return page[start : page.index("</code>", start)]


def test_gestionnaire_creates_lists_and_revokes_a_token(client, people):
    raw = create_token(client, people["training_organisation_manager"])
    token = ApiToken.objects.get()
    assert raw.startswith("pcs_") and token.digest != raw  # only the hash is stored
    page = client.get("/espace/entite/").content.decode()
    assert "Logiciel de gestion" in page and raw not in page  # shown once
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["entity"] == {
        "name": "Organisme A",
        "siret": "12345678200002",
        "training_organisation": True,
        "certifier": False,
        "nda": "11755555575",
        "qualiopi_training": True,
    }
    client.post(f"/espace/entite/jetons/{token.pk}/revoquer/")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_without_or_with_a_wrong_token_is_401_in_french(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "Authentification requise" in response.json()["detail"]
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer pcs_faux").status_code == 401


def test_a_member_cannot_create_tokens(client, people):
    client.force_login(people["training_organisation"])
    assert client.post("/espace/entite/jetons/", {"name": "x"}).status_code == 404
    assert not ApiToken.objects.exists()


def test_another_entity_cannot_revoke_my_token(client, people):
    create_token(client, people["training_organisation_manager"])
    token = ApiToken.objects.get()
    client.force_login(people["other_manager"])
    assert client.post(f"/espace/entite/jetons/{token.pk}/revoquer/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_habilitation_endpoint_answers_for_the_token_entity(client, people, xml_samples):
    raw = create_token(client, people["training_organisation_manager"])
    body = client.get("/api/v1/habilitations/RNCP40344", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert body["allowed"] is False and body["rule"] == "ACC-7"
    response = client.get("/api/v1/habilitations/RNCP1", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 404
