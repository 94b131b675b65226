"""The EDOF catalogue pages: the two-step certifying offer (OFF-2 to OFF-7), description, validation."""

import pytest

from parcours.catalogue.enums import OfferStatus
from parcours.catalogue.models import Offer, OfferEvent

pytestmark = pytest.mark.django_db

BLOCKS = ["RNCP40344BC01", "RNCP40344BC02", "RNCP40344BC03", "RNCP40344BC04"]
DESCRIPTION = {
    "title": "Auxiliaire spécialisé vétérinaire — bloc 1",
    "pedagogical_objectives": "Conseiller la clientèle du vétérinaire.",
    "content": "Séquence 1 (14 h) : accueil. Séquence 2 (21 h) : conseil et vente.",
    "strengths": "Formateurs en exercice.",
    "expected_results": "Inscription à l'examen du bloc 1, résultats communiqués par le certificateur.",
    "course_type": "96211",
}


def test_rule_off_2_apply_returns_the_title_and_preselected_blocks(trainer_client):
    page = trainer_client.get(
        "/catalogue/certification/", {"offer_type": "certifying", "registry": "rncp", "digits": "40344"}
    ).content.decode()
    assert "RNCP40344 — Auxiliaire spécialisé vétérinaire" in page
    assert page.count('name="blocks"') == 4 and page.count(" checked>") == 4  # OFF-3
    assert "Tout sélectionner" in page and "Tout désélectionner" in page
    assert "Compétences et modalités d&#x27;évaluation" in page or "Compétences et modalités d'évaluation" in page


@pytest.mark.parametrize(
    ("digits", "rule", "text"),
    [
        ("35959", "REG-6", "est inactive"),
        ("99999", "REG-1", "n&#x27;existe pas"),
        ("abc", "REG-1", "n&#x27;est pas un code"),
    ],
)
def test_rule_off_2_refusals_say_why(trainer_client, digits, rule, text):
    page = trainer_client.get(
        "/catalogue/certification/", {"offer_type": "certifying", "registry": "rncp", "digits": digits}
    ).content.decode()
    assert f"(règle {rule})" in page and text in page


def test_rule_acc_7_not_habilitated_is_refused(trainer_client, organisation):
    organisation.accreditations = None
    from parcours.registry.models import Accreditation

    Accreditation.objects.filter(siret=organisation.siret, certification__code="RNCP40344").delete()
    page = trainer_client.get(
        "/catalogue/certification/", {"offer_type": "certifying", "registry": "rncp", "digits": "40344"}
    ).content.decode()
    assert "(règle ACC-7)" in page


def start(client, **overrides):
    data = {
        "offer_type": "certifying",
        "registry": "rncp",
        "digits": "40344",
        "blocks": BLOCKS,
        "blocks_customisable": "1",
        "internal_id": "ASV-1",
    }
    data.update(overrides)
    return client.post("/catalogue/nouvelle/", data)


def test_rule_off_3_at_least_one_block(trainer_client):
    response = start(trainer_client, blocks=[])
    assert "Sélectionnez au moins un bloc de compétences pour poursuivre. (règle OFF-3)" in response.content.decode()
    assert not Offer.objects.exists()


def test_rule_off_4_personalisation_answer_required(trainer_client):
    response = start(trainer_client, blocks_customisable="")
    assert "(règle OFF-4)" in response.content.decode()
    assert not Offer.objects.exists()


def test_rule_off_7_internal_id_required_and_unique(trainer_client):
    response = start(trainer_client, internal_id="")
    assert "Veuillez renseigner un identifiant interne afin de poursuivre votre saisie." in response.content.decode()
    start(trainer_client)
    response = start(trainer_client)
    assert "déjà utilisé dans votre catalogue" in response.content.decode()
    assert Offer.objects.count() == 1
    check = trainer_client.get("/catalogue/identifiant/", {"internal_id": "ASV-1"}).content.decode()
    assert "déjà utilisé" in check
    check = trainer_client.get("/catalogue/identifiant/", {"internal_id": "ASV-2"}).content.decode()
    assert "est disponible" in check


@pytest.mark.parametrize(
    ("blocks", "line"),
    [
        (BLOCKS, "Certification complète - 4/4 blocs de compétences préparés"),
        (BLOCKS[:1], "Certification partielle - 1/4 blocs de compétences préparés"),
    ],
)
def test_rule_off_6_step_2_shows_the_perimeter_line(trainer_client, blocks, line):
    response = start(trainer_client, blocks=blocks, blocks_customisable="0")
    assert response.status_code == 302
    page = trainer_client.get(response["Location"]).content.decode()
    assert line in page
    assert "Personnalisation des blocs préparés dans le dossier : Non" in page
    assert "28/03/2028" in page and "ANIMAL PRO FORMATION" in page and "NIVEAU 4" in page


def test_rule_off_15_draft_then_validation_when_complete(trainer_client):
    offer_url = start(trainer_client)["Location"]
    offer = Offer.objects.get()
    assert offer.status == OfferStatus.DRAFT and offer.general_objective == "Certification"  # OFF-9
    response = trainer_client.post(offer_url, {"title": "Incomplète", "version": offer.version, "validate": "1"})
    assert "Renseignez les objectifs pédagogiques." in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT and offer.title == "Incomplète"  # the draft part was kept
    response = trainer_client.post(offer_url, {**DESCRIPTION, "version": offer.version, "validate": "1"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.VALIDATED
    assert list(OfferEvent.objects.filter(offer=offer).values_list("verb", flat=True))[:2] == ["validate", "update"]


def test_rule_off_10_texts_over_the_limit_are_refused(trainer_client):
    offer_url = start(trainer_client)["Location"]
    offer = Offer.objects.get()
    response = trainer_client.post(offer_url, {**DESCRIPTION, "content": "x" * 3001, "version": offer.version})
    assert "Le contenu de la formation : 3001 caractères pour 3000 au plus. (règle OFF-11)" in response.content.decode()


def test_stale_version_is_refused(trainer_client):
    offer_url = start(trainer_client)["Location"]
    offer = Offer.objects.get()
    response = trainer_client.post(
        offer_url, {**DESCRIPTION, "version": offer.version - 1 if offer.version > 1 else 99}
    )
    assert "modifiée entre-temps" in response.content.decode()


def test_rule_off_16_archive_then_delete(trainer_client):
    start(trainer_client)
    offer = Offer.objects.get()
    trainer_client.post(f"/catalogue/{offer.pk}/modifier/", {**DESCRIPTION, "version": offer.version, "validate": "1"})
    response = trainer_client.post(f"/catalogue/{offer.pk}/delete/", follow=True)
    assert "archive d&#x27;abord" in response.content.decode() or "archive d'abord" in response.content.decode()
    trainer_client.post(f"/catalogue/{offer.pk}/archive/")
    trainer_client.post(f"/catalogue/{offer.pk}/delete/")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DELETED
    assert trainer_client.get(f"/catalogue/{offer.pk}/").status_code == 404


def test_rule_off_16_changing_blocks_warns_and_is_recorded(trainer_client):
    start(trainer_client)
    offer = Offer.objects.get()
    response = trainer_client.post(
        f"/catalogue/{offer.pk}/blocs/",
        {"blocks": BLOCKS[:2], "blocks_customisable": "1", "version": offer.version},
        follow=True,
    )
    page = response.content.decode()
    assert "mettez à jour la description" in page
    assert "Certification partielle - 2/4 blocs de compétences préparés" in page
    assert OfferEvent.objects.filter(offer=offer, verb="blocks").exists()


def test_rule_off_19_second_offer_on_the_same_certification_gets_the_advice(trainer_client):
    start(trainer_client)
    page = trainer_client.get(
        "/catalogue/certification/", {"offer_type": "certifying", "registry": "rncp", "digits": "40344"}
    ).content.decode()
    assert "une seule offre par certification" in page


def test_rule_off_5_certification_without_blocks_skips_the_block_step(trainer_client):
    page = trainer_client.get(
        "/catalogue/certification/", {"offer_type": "certifying", "registry": "rs", "digits": "6604"}
    ).content.decode()
    assert "l&#x27;étape des blocs est passée" in page or "l'étape des blocs est passée" in page
    response = start(trainer_client, registry="rs", digits="6604", blocks=[], blocks_customisable="")
    assert response.status_code == 302
    assert Offer.objects.get().blocks_customisable is None


def test_rule_off_20_clea_offer_is_prefilled(trainer_client):
    response = trainer_client.post(
        "/catalogue/nouvelle/", {"offer_type": "clea", "clea_code": "RS3936", "internal_id": "CLEA-NUM"}
    )
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert (offer.formacode, offer.nsf_code) == ("15041", "100")
    assert offer.title.startswith("Socle de connaissances et de compétences professionnelles numériques")
    response = trainer_client.post(
        response["Location"], {**DESCRIPTION, "strengths": "", "version": offer.version, "validate": "1"}
    )
    assert (
        "Renseignez les points forts : ils sont obligatoires pour une offre Cléa. (règle OFF-20)"
        in response.content.decode()
    )


def test_other_organisation_cannot_see_my_offer(client, trainer_client, people):
    start(trainer_client)
    offer = Offer.objects.get()
    client.force_login(people["other_manager"])
    assert client.get(f"/catalogue/{offer.pk}/").status_code == 404
    assert client.post(f"/catalogue/{offer.pk}/archive/").status_code == 404


def test_rule_off_10_a_line_break_counts_as_one_character(trainer_client):
    offer_url = start(trainer_client)["Location"]
    offer = Offer.objects.get()
    text = ("x" * 99 + "\r\n") * 30  # 3000 characters as the page counts them, 3030 as CRLF bytes
    response = trainer_client.post(offer_url, {**DESCRIPTION, "content": text[:3000], "version": offer.version})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert "\r" not in offer.content and len(offer.content) <= 3000
