"""Public registry pages: /certifications/ and /certifications/<code>/ (REG-5, REG-6, REG-11)."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db
LINK_40344 = 'href="/certifications/RNCP40344/"'


def test_home_leads_to_the_registry(client, xml_samples):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/certifications/"' in response.content.decode()


def test_fiche_shows_its_four_blocks_with_competences_and_evaluation(client, xml_samples):
    response = client.get("/certifications/RNCP40344/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Auxiliaire spécialisé vétérinaire" in page
    for number in range(1, 5):
        assert f"RNCP40344BC0{number}" in page
    assert page.count('class="fr-accordion"') == 4
    assert "Liste de compétences" in page and "Modalités d'évaluation" in page
    assert "Accueillir un propriétaire d&#x27;animal" in page
    assert "ANIMAL PRO FORMATION" in page and "SNVEL" in page
    assert "NIVEAU 4" in page
    assert "28/03/2028" in page
    assert "https://www.francecompetences.fr/recherche/rncp/40344/" in page
    assert "Active jusqu'au 28/03/2028" in page


def test_fiche_links_replacing_and_replaced_certifications(client, xml_samples):
    page = client.get("/certifications/RNCP34762/").content.decode()
    assert "Remplacée par" in page
    assert 'href="/certifications/RNCP39568/"' in page
    page = client.get("/certifications/RNCP39568/").content.decode()
    assert 'href="/certifications/RNCP34762/"' in page


def test_rule_reg_6_inactive_badge_with_the_date(client, xml_samples):
    page = client.get("/certifications/RNCP35959/").content.decode()  # past 15/10/2026, export said Oui
    assert "Inactive — fin d'enregistrement le 15/10/2026" in page
    assert "n'est plus enregistrée ni éligible au CPF" in page


@pytest.mark.parametrize("typed", ["40344", "rncp40344", "Rncp40344"])
def test_rule_reg_11_code_variants_redirect_to_the_fiche(client, xml_samples, typed):
    response = client.get(f"/certifications/{typed}/")
    assert response.status_code == 301
    assert response["Location"] == "/certifications/RNCP40344/"


def test_unknown_code_is_404(client, xml_samples):
    assert client.get("/certifications/RNCP1/").status_code == 404
    assert client.get("/certifications/pas-un-code/").status_code == 404


def test_search_by_words_is_accent_insensitive(client, xml_samples):
    for query in ("veterinaire", "VÉTÉRINAIRE", "auxiliaire vétérinaire"):
        page = client.get("/certifications/", {"q": query}).content.decode()
        assert LINK_40344 in page, query


@pytest.mark.parametrize("query", ["40344", "RNCP40344", "rncp 40344"])
def test_search_by_code_with_or_without_prefix(client, xml_samples, query):
    page = client.get("/certifications/", {"q": query}).content.decode()
    assert "1 certification" in page
    assert LINK_40344 in page


def test_filters_registry_level_and_active(client, xml_samples):
    page = client.get("/certifications/", {"registry": "rs"}).content.decode()
    assert "10 certifications" in page and LINK_40344 not in page  # 8 RS samples + Cléa's two
    page = client.get("/certifications/", {"level": "4"}).content.decode()
    assert LINK_40344 in page and "/certifications/RNCP36490/" not in page
    page = client.get("/certifications/", {"active": "0"}).content.decode()
    assert "/certifications/RNCP35959/" in page and LINK_40344 not in page


def test_list_is_paginated(client, xml_samples):
    first = client.get("/certifications/").content.decode()
    assert "22 certifications" in first and "1 / 1" not in first
    with override_settings():
        from parcours.registry import views

        views.PAGE_SIZE, old = 5, views.PAGE_SIZE
        try:
            page = client.get("/certifications/", {"page": 2}).content.decode()
        finally:
            views.PAGE_SIZE = old
    assert "2 / 5" in page


def test_invalid_filter_value_shows_a_french_error(client, xml_samples):
    page = client.get("/certifications/", {"level": "12"}).content.decode()
    assert "Sélectionnez un choix valide" in page


@override_settings(STATE_MARKS=False)
def test_state_marks_are_off_by_default(client, xml_samples):
    assert "République<br>française" not in client.get("/certifications/").content.decode()


@override_settings(STATE_MARKS=True)
def test_state_marks_setting_shows_them(client, xml_samples):
    assert "République<br>française" in client.get("/certifications/").content.decode()
