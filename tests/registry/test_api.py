"""API /api/v1/certifications (REG-1, REG-5, REG-6, REG-7, REG-11)."""

import pytest

pytestmark = pytest.mark.django_db


def test_detail_has_the_documented_fields(client, xml_samples):
    response = client.get("/api/v1/certifications/RNCP40344")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "RNCP40344"
    assert body["registry"] == "rncp"
    assert body["title"] == "Auxiliaire spécialisé vétérinaire"
    assert body["level"] == 4
    assert body["active"] is True
    assert body["end_date"] == "2028-03-28"
    assert body["certifiers"] == [
        {"name": "ANIMAL PRO FORMATION", "siret": "52875765100013"},
        {"name": "SNVEL", "siret": None},
    ]
    assert [b["code"] for b in body["blocks"]] == [f"RNCP40344BC0{n}" for n in range(1, 5)]
    assert set(body["blocks"][0]) >= {"code", "title", "competences", "evaluation"}
    assert body["blocks"][0]["competences"].startswith("Accueillir")
    assert body["replaces"] == ["RNCP37507"]
    assert body["replaced_by"] == []


@pytest.mark.parametrize("typed", ["35959", "RNCP35959", "rncp35959"])
def test_rule_reg_11_lookup_variants(client, xml_samples, typed):
    assert client.get(f"/api/v1/certifications/{typed}").json()["code"] == "RNCP35959"


@pytest.mark.parametrize("typed", ["6604", "RS6604", "rs6604"])
def test_rule_reg_11_rs_lookup_variants(client, xml_samples, typed):
    body = client.get(f"/api/v1/certifications/{typed}").json()
    assert body["code"] == "RS6604"
    assert body["level"] is None
    assert body["replaces"] == ["RS5000"]


def test_rule_reg_6_active_is_derived_not_copied(client, xml_samples):
    body = client.get("/api/v1/certifications/RNCP35959").json()
    assert body["declared_active"] is True
    assert body["active"] is False


def test_unknown_code_is_404_in_french(client, xml_samples):
    response = client.get("/api/v1/certifications/RNCP1")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Aucune certification ne porte le code « RNCP1 » au RNCP ni au Répertoire spécifique."
    }


def test_search_paginated_with_filters(client, xml_samples):
    body = client.get("/api/v1/certifications", {"q": "veterinaire"}).json()
    assert body["count"] == 1 and body["items"][0]["code"] == "RNCP40344"
    body = client.get("/api/v1/certifications", {"registry": "rs", "active": "true"}).json()
    assert {item["code"] for item in body["items"]} == {
        "RS5719",
        "RS6547",
        "RS6604",
        "RS7485",
        "RS7423",
        "RS2203",
        "RS3936",
    }  # RS5568 ended 10/11/2026; Cléa's two come from the seed
    body = client.get("/api/v1/certifications", {"active": "false", "registry": "rncp"}).json()
    assert "RNCP35959" in {item["code"] for item in body["items"]}
    body = client.get("/api/v1/certifications", {"page": 2}).json()
    assert body["count"] == 22 and len(body["items"]) == 2  # 20 sample fiches + Cléa's two, 20 a page
    body = client.get("/api/v1/certifications", {"level": 7}).json()
    assert {item["level"] for item in body["items"]} == {7}


def test_bad_parameter_is_422(client, xml_samples):
    assert client.get("/api/v1/certifications", {"registry": "xyz"}).status_code == 422


def test_openapi_is_served(client):
    assert client.get("/api/v1/docs").status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/certifications/{code}" in schema["paths"]
