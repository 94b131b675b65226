"""A training organisation builds its catalogue, in a real browser (EDOF's two-step form).

An RNCP offer from the code's digits: « Appliquer » shows the title and the four blocks, all
preselected (OFF-2, OFF-3); one block is kept, the personalisation answer is « Non » (OFF-4), the
internal identifier is checked (OFF-7); step 2 shows the perimeter line (OFF-6) and the summary,
live counters help fill the description, and the offer is validated (OFF-15). Then a Cléa offer,
prefilled (OFF-20). Finally the first offer is archived, then deleted (OFF-16).
"""

import importlib
import os
import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS, TIMEOUT_MS

# Playwright's sync API runs an event loop in this thread; the ORM calls below are fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SIRET = "40483304800022"
ENTITY_NAME = "Organisme de démonstration"
BLOCKS = ["RNCP40344BC01", "RNCP40344BC02", "RNCP40344BC03", "RNCP40344BC04"]
KEPT_BLOCK = "RNCP40344BC02"
ASV_ID = "ASV-BLOC2"
CLEA_ID = "CLEA-NUM-1"
ASV = {
    "title": "Auxiliaire spécialisé vétérinaire — conseil et vente",
    "pedagogical_objectives": "Conseiller la clientèle du vétérinaire.\nVendre les produits de la clinique.",
    "content": "Séquence 1 (14 h) : accueil.\nSéquence 2 (21 h) : conseil et vente.",
    "strengths": "Formateurs en exercice, plateau technique.",
    "expected_results": "Inscription à l'examen du bloc, résultats communiqués par le certificateur.",
}
CLEA = {
    "pedagogical_objectives": "Maîtriser les usages numériques du travail.",
    "content": "Environnement numérique, information, communication, collaboration, sécurité.",
    "strengths": "Positionnement individuel avant la formation.",
    "expected_results": "Passage de l'évaluation finale CléA Numérique.",
}


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def registry(transactional_db):  # type: ignore[no-untyped-def]
    """Cléa's certifications (as migrated), then the registry samples: what `xml_samples` gives.

    A transactional test runs on a database that an earlier transactional test may have flushed,
    erasing what the migration created: it is created again (the migration's function is idempotent).
    """
    from django.apps import apps

    from parcours.registry.importing.apply import import_registry
    from tests.conftest import XML_RNCP, XML_RS

    importlib.import_module("parcours.catalogue.migrations.0002_clea_certifications").create_clea(apps, None)
    return import_registry([XML_RNCP, XML_RS])


# -- helpers --------------------------------------------------------------------------------
def make_organisation_manager():  # type: ignore[no-untyped-def]
    """The training organisation of tests/catalogue/conftest.py, habilitated on every active certification."""
    from parcours.accounts.enums import MembershipRole
    from tests.factories import habilitated_organisation, member_of

    entity = habilitated_organisation(ENTITY_NAME, SIRET)
    return entity, member_of(entity, role=MembershipRole.MANAGER)


def logged_in_page(browser: Browser, base: str, user) -> tuple[BrowserContext, Page]:  # type: ignore[no-untyped-def]
    """Logging in a professional takes an e-mailed code: the session is made server-side instead."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    return context, context.new_page()


def url_is(base: str, path: str) -> re.Pattern[str]:
    """Exactly this path, with or without a query string."""
    return re.compile(re.escape(base + path) + r"(\?.*)?$")


def offer_url(base: str, suffix: str = "") -> re.Pattern[str]:
    return re.compile(re.escape(base) + r"/catalogue/(\d+)/" + re.escape(suffix) + r"$")


def block_box(page: Page, code: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#blocks-step input[name=blocks][value={code}]")


def click_block(page: Page, code: str) -> None:
    """DSFR draws the checkbox on its label, as a person sees it: click the label."""
    box = block_box(page, code)
    page.locator(f"label[for={box.get_attribute('id')}]").click()


def checked_blocks(page: Page) -> list[str]:
    return page.locator("#blocks-step input[name=blocks]:checked").evaluate_all("boxes => boxes.map(b => b.value)")


def lf(text: str) -> str:
    """Browsers post a textarea's line breaks as CRLF (HTML spec); the form keeps them as posted."""
    return text.replace("\r\n", "\n")


def check_internal_id(page: Page, value: str) -> None:
    page.fill("#id_internal_id", value)
    page.get_by_role("button", name="Vérifier").click()
    expect(page.locator("#internal-id-message")).to_have_text(f"« {value} » est disponible.")
    expect(page.locator("#internal-id-message")).to_have_class("fr-valid-text")


def fill_counted(page: Page, field: str, text: str, maximum: int) -> None:
    """Types the text and watches the live counter follow (OFF-8 to OFF-13)."""
    counter = page.locator(f"#id_{field}-counter")
    page.fill(f"#id_{field}", text)
    expect(counter).to_have_text(f"{len(text)} / {maximum} caractères")


# -- the journey ----------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_catalogue_journey(live_server, registry, browser, tmp_path):  # type: ignore[no-untyped-def]
    from parcours.catalogue.models import Offer, OfferEvent

    base = live_server.url
    organisation, manager = make_organisation_manager()
    context, page = logged_in_page(browser, base, manager)
    try:
        # 1. Step 1 of an RNCP offer: registry + digits, « Appliquer » fetches the certification.
        page.goto(base + "/catalogue/")
        expect(page.locator("h1")).to_have_text("Mon catalogue")
        expect(page.get_by_text("Aucune offre.")).to_be_visible()
        page.get_by_role("link", name="Créer une offre", exact=True).click()
        page.wait_for_url(url_is(base, "/catalogue/nouvelle/"))
        expect(page.locator("h1")).to_have_text("Créer une offre de formation")
        expect(page.locator("#id_offer_type")).to_have_value("certifying")
        page.select_option("#id_registry", "rncp")
        page.fill("#id_digits", "40344")
        page.get_by_role("button", name="Appliquer").click()
        expect(page.locator("#certification-title")).to_have_text("RNCP40344 — Auxiliaire spécialisé vétérinaire")
        expect(page.locator("#blocks-step input[name=blocks]")).to_have_count(4)
        expect(page.locator("#blocks-step input[name=blocks]:checked")).to_have_count(4)  # OFF-3: all preselected
        assert checked_blocks(page) == BLOCKS
        expect(page.get_by_text("Compétences et modalités d'évaluation")).to_have_count(4)

        # Untick down to one block; then all, none, and one again.
        for code in ("RNCP40344BC04", "RNCP40344BC03", "RNCP40344BC02"):
            click_block(page, code)
            expect(block_box(page, code)).not_to_be_checked()
        assert checked_blocks(page) == ["RNCP40344BC01"]
        page.get_by_role("button", name="Tout sélectionner").click()
        assert checked_blocks(page) == BLOCKS
        page.get_by_role("button", name="Tout désélectionner").click()
        expect(page.locator("#blocks-step input[name=blocks]:checked")).to_have_count(0)
        click_block(page, KEPT_BLOCK)
        expect(block_box(page, KEPT_BLOCK)).to_be_checked()
        assert checked_blocks(page) == [KEPT_BLOCK]

        # OFF-4: the personalisation question, a DSFR radio: click the label.
        page.locator("label[for=customisable-no]").click()
        expect(page.locator("#customisable-no")).to_be_checked()
        expect(page.locator("#customisable-yes")).not_to_be_checked()

        # OFF-7: the internal identifier, checked before going on.
        check_internal_id(page, ASV_ID)
        assert not Offer.objects.exists()
        page.get_by_role("button", name="Continuer").click()

        # 2. Step 2: the summary and the perimeter line (OFF-6), then the description.
        page.wait_for_url(offer_url(base, "modifier/"))
        expect(page.locator("h1")).to_have_text("Description de l'offre")
        expect(page.get_by_text("Offre enregistrée en brouillon : complétez sa description.")).to_be_visible()
        asv = Offer.objects.get()
        assert page.url == f"{base}/catalogue/{asv.pk}/modifier/"
        assert (asv.status, asv.offer_type, asv.internal_id) == ("draft", "certifying", ASV_ID)
        assert asv.certification is not None and asv.certification.code == "RNCP40344"
        assert list(asv.offer_blocks.values_list("code", flat=True)) == [KEPT_BLOCK]
        assert asv.blocks_customisable is False
        assert asv.general_objective == "Certification"  # OFF-9
        summary = page.locator("#offer-summary")
        expect(summary.locator("h2")).to_have_text("RNCP40344 — Auxiliaire spécialisé vétérinaire")
        expect(page.locator("#perimeter-line")).to_have_text(
            "Certification partielle - 1/4 blocs de compétences préparés"
        )
        expect(summary).to_contain_text("Date de fin de validité : 28/03/2028")
        expect(summary).to_contain_text("Certificateur(s) : ANIMAL PRO FORMATION ; SNVEL")
        expect(summary).to_contain_text("Niveau : NIVEAU 4 (BAC, BP, BT...)")
        expect(page.locator("#prepared-blocks li")).to_have_count(1)
        expect(page.locator("#prepared-blocks li")).to_contain_text(KEPT_BLOCK + " — ")
        expect(page.locator("#customisation-line")).to_have_text(
            "Personnalisation des blocs préparés dans le dossier : Non"
        )
        expect(page.locator("#id_internal_id")).to_have_value(ASV_ID)
        expect(page.locator("#id_title")).to_have_value("")
        expect(page.locator("#id_title-counter")).to_have_text("0 / 255 caractères")
        expect(page.locator("#id_content-counter")).to_have_text("0 / 3000 caractères")

        fill_counted(page, "title", ASV["title"], 255)
        fill_counted(page, "pedagogical_objectives", ASV["pedagogical_objectives"], 3000)
        fill_counted(page, "content", ASV["content"], 3000)
        fill_counted(page, "strengths", ASV["strengths"], 255)
        fill_counted(page, "expected_results", ASV["expected_results"], 3000)
        page.select_option("#id_course_type", "96211")
        page.screenshot(path=str(tmp_path / "step-2.png"), full_page=True)
        assert (tmp_path / "step-2.png").stat().st_size > 10_000
        page.get_by_role("button", name="Valider l'offre").click()

        # The detail page: validated.
        page.wait_for_url(url_is(base, f"/catalogue/{asv.pk}/"))
        expect(page.get_by_text("Offre validée.")).to_be_visible()
        expect(page.locator("#offer-status")).to_have_text("Validée")
        expect(page.locator("h1")).to_have_text(ASV["title"])
        expect(page.locator("#perimeter-line")).to_have_text(
            "Certification partielle - 1/4 blocs de compétences préparés"
        )
        expect(page.get_by_text("96211 Individualisé")).to_be_visible()
        asv.refresh_from_db()
        assert asv.status == "validated"
        assert {name: lf(getattr(asv, name)) for name in ASV} == ASV
        assert asv.course_type == "96211"
        assert list(asv.offer_blocks.values_list("code", flat=True)) == [KEPT_BLOCK]
        assert asv.blocks_customisable is False and asv.internal_id == ASV_ID
        assert list(OfferEvent.objects.filter(offer=asv).values_list("verb", flat=True)) == [
            "validate",
            "update",
            "create",
        ]

        # 3. A Cléa offer (OFF-20): from the catalogue, RS3936, prefilled title and codes.
        page.goto(base + "/catalogue/")
        expect(page.locator("tbody tr")).to_have_count(1)
        page.get_by_role("link", name="Créer une offre Cléa").click()
        page.wait_for_url(url_is(base, "/catalogue/nouvelle/"))
        expect(page.locator("#id_offer_type")).to_have_value("clea")
        page.select_option("#id_clea_code", "RS3936")
        page.get_by_role("button", name="Appliquer").click()
        expect(page.locator("#certification-title")).to_have_text(
            "RS3936 — Socle de connaissances et de compétences professionnelles numériques (CléA Numérique)"
        )
        expect(page.get_by_text("l'étape des blocs est passée")).to_be_visible()  # OFF-5
        check_internal_id(page, CLEA_ID)
        page.get_by_role("button", name="Continuer").click()

        page.wait_for_url(offer_url(base, "modifier/"))
        clea = Offer.objects.get(internal_id=CLEA_ID)
        assert page.url == f"{base}/catalogue/{clea.pk}/modifier/"
        assert (clea.status, clea.offer_type) == ("draft", "clea")
        assert clea.certification is not None and clea.certification.code == "RS3936"
        assert (clea.formacode, clea.nsf_code) == ("15041", "100")
        assert clea.blocks_customisable is None and not clea.offer_blocks.exists()
        prefilled = "Socle de connaissances et de compétences professionnelles numériques (CléA Numérique)"
        assert clea.title == prefilled
        expect(page.locator("#id_title")).to_have_value(prefilled)
        expect(page.locator("#id_title")).to_be_editable()
        expect(page.locator("#id_title-counter")).to_have_text(f"{len(prefilled)} / 255 caractères")
        expect(page.locator("#offer-summary")).to_contain_text("Formacode 15041 ; NSF 100")
        expect(page.locator("#offer-summary")).to_contain_text("Niveau : Sans niveau spécifique")
        expect(page.locator("#perimeter-line")).to_have_count(0)  # no blocks
        clea_title = "CléA Numérique — parcours de 3 semaines"
        fill_counted(page, "title", clea_title, 255)
        for field, text in CLEA.items():
            fill_counted(page, field, text, 255 if field == "strengths" else 3000)
        page.select_option("#id_course_type", "96213")
        page.get_by_role("button", name="Valider l'offre").click()

        page.wait_for_url(url_is(base, f"/catalogue/{clea.pk}/"))
        expect(page.locator("#offer-status")).to_have_text("Validée")
        expect(page.locator("h1")).to_have_text(clea_title)
        clea.refresh_from_db()
        assert clea.status == "validated" and clea.title == clea_title
        assert {name: getattr(clea, name) for name in CLEA} == CLEA
        assert (clea.formacode, clea.nsf_code, clea.course_type) == ("15041", "100", "96213")

        # 4. The RNCP offer is archived, then deleted (OFF-16).
        page.goto(base + "/catalogue/")
        expect(page.locator("tbody tr")).to_have_count(2)
        page.get_by_role("link", name=ASV_ID, exact=True).click()
        page.wait_for_url(url_is(base, f"/catalogue/{asv.pk}/"))
        expect(page.get_by_role("button", name="Supprimer")).to_have_count(0)  # validated: archive first
        page.get_by_role("button", name="Archiver").click()
        page.wait_for_url(url_is(base, f"/catalogue/{asv.pk}/"))
        expect(page.get_by_text(f"Offre {ASV_ID} archivée.")).to_be_visible()
        expect(page.locator("#offer-status")).to_have_text("Archivée")
        asv.refresh_from_db()
        assert asv.status == "archived"
        page.get_by_role("button", name="Supprimer").click()
        page.wait_for_url(url_is(base, "/catalogue/"))
        expect(page.get_by_text(f"Offre {ASV_ID} supprimée.")).to_be_visible()
        expect(page.locator("tbody tr")).to_have_count(1)
        expect(page.get_by_role("link", name=ASV_ID, exact=True)).to_have_count(0)
        expect(page.get_by_role("link", name=CLEA_ID, exact=True)).to_be_visible()
        asv.refresh_from_db()
        assert asv.status == "deleted"
        assert Offer.objects.get(pk=clea.pk).status == "validated"
        response = page.goto(f"{base}/catalogue/{asv.pk}/")
        assert response is not None and response.status == 404
        assert organisation.offers.count() == 2
    finally:
        context.close()
