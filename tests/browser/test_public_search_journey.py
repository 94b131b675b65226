"""An anonymous visitor searches the public catalogue, in a real browser (/formations/).

Three validated offers all mention « développeur web »: A prepares 2 of RNCP36490's 4 blocks
(partial, customisable), B prepares all of RNCP40344's blocks (complete), C prepares 1 of
RNCP37488's 2 blocks but that certification ended yesterday (REG-6, OFF-22). The « Périmètre »
filter keeps only A; without it A and B show, never C. A's public page lists its prepared blocks
and the perimeter line (OFF-6, OFF-21); C's page answers 410.
"""

import datetime
import importlib
import os
import re

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS, TIMEOUT_MS

# Playwright's sync API runs an event loop in this thread; the ORM calls below are fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SIRET = "40483304800022"
ENTITY_NAME = "Organisme de démonstration"
A_TITLE = "Développeur web et web mobile — blocs 1 et 2"
B_TITLE = "Développeur web pour cliniques vétérinaires"
C_TITLE = "Développeur web — certification échue"
QUERY = "développeur web"


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
    """As in test_catalogue_journey: Cléa's certifications again (flushed DB), then the XML samples."""
    from django.apps import apps

    from parcours.registry.importing.apply import import_registry
    from tests.conftest import XML_RNCP, XML_RS

    importlib.import_module("parcours.catalogue.migrations.0002_clea_certifications").create_clea(apps, None)
    return import_registry([XML_RNCP, XML_RS])


def make_organisation():  # type: ignore[no-untyped-def]
    """A Qualiopi training organisation, habilitated on every active certification."""
    from tests.factories import habilitated_organisation

    entity = habilitated_organisation(ENTITY_NAME, SIRET)
    return entity


def published_offer(organisation, code: str, blocks: list[str], customisable: bool, internal_id: str, title: str):  # type: ignore[no-untyped-def]
    """Created, given an action and an open future session, validated: through the services."""
    from parcours.catalogue import services
    from parcours.registry.models import Certification

    certification = Certification.objects.get(code=code)
    offer = services.create_offer(
        organisation,
        None,
        services.OfferInput(
            certification=certification,
            block_codes=blocks,
            blocks_customisable=customisable,
            values={
                "internal_id": internal_id,
                "title": title,
                "pedagogical_objectives": "Concevoir et développer des applications web.",
                "content": "Front-end, back-end, bases de données, déploiement.",
                "expected_results": "Passage des épreuves des blocs préparés.",
                "course_type": "96211",
            },
        ),
    )
    action = services.save_action(
        offer,
        None,
        {
            "internal_id": f"{internal_id}-LYON",
            "postal_code": "69003",
            "city": "Lyon",
            "hours_in_centre": 350,
            "price_excl_vat": 4000,
        },
    )
    services.save_session(action, None, {"internal_id": f"{internal_id}-S1", "starts_on": datetime.date(2027, 1, 11)})
    return services.transition_offer(offer.pk, None, "validate")


def search(page: Page, base: str, partial: bool) -> None:
    page.goto(base + "/formations/")
    expect(page.locator("h1")).to_have_text("Trouver une formation")
    page.fill("#id_q", QUERY)
    if partial:
        page.locator("details > summary", has_text="Filtres").click()
        page.select_option("#id_perimeter", label="Certification partielle")
        page.get_by_role("button", name="Appliquer les filtres").click()
    else:
        page.get_by_role("button", name="Rechercher", exact=True).click()
    page.wait_for_url(re.compile(re.escape(base) + r"/formations/\?.*q="))


def card(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator(".fr-card", has=page.get_by_role("link", name=title, exact=True))


# -- the journey ----------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_public_search_journey(live_server, registry, browser):  # type: ignore[no-untyped-def]
    from parcours.registry.models import Certification
    from parcours.search import engine

    base = live_server.url
    organisation = make_organisation()
    a_blocks = sorted(Certification.objects.get(code="RNCP36490").blocks.values_list("code", flat=True))
    assert len(a_blocks) == 4, a_blocks
    b_blocks = list(Certification.objects.get(code="RNCP40344").blocks.values_list("code", flat=True))
    c_blocks = sorted(Certification.objects.get(code="RNCP37488").blocks.values_list("code", flat=True))
    assert len(c_blocks) >= 2, c_blocks
    kept = a_blocks[:2]
    offer_a = published_offer(organisation, "RNCP36490", kept, True, "CDA-B12", A_TITLE)
    offer_b = published_offer(organisation, "RNCP40344", b_blocks, False, "ASV-DEV", B_TITLE)
    offer_c = published_offer(organisation, "RNCP37488", c_blocks[:1], False, "ECHU-1", C_TITLE)
    assert (offer_a.status, offer_b.status, offer_c.status) == ("validated",) * 3
    Certification.objects.filter(pk=offer_c.certification_id).update(end_date=datetime.date(2026, 11, 21))
    engine.rebuild()

    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        # 1. « développeur web », partial certifications only: A alone.
        search(page, base, partial=True)
        expect(page.locator("#id_perimeter")).to_have_value("partial")
        expect(page.locator("#result-count")).to_have_text("1 formation")
        expect(page.locator(".fr-card")).to_have_count(1)
        a_card = card(page, A_TITLE)
        expect(a_card).to_have_count(1)
        expect(a_card.get_by_text("Certification partielle — 2/4 blocs", exact=True)).to_be_visible()
        expect(a_card.get_by_text("Personnalisable", exact=True)).to_be_visible()
        expect(card(page, B_TITLE)).to_have_count(0)
        expect(card(page, C_TITLE)).to_have_count(0)

        # 2. Without the filter: A and B, still not C (its certification ended yesterday).
        search(page, base, partial=False)
        expect(page.locator("#result-count")).to_have_text("2 formations")
        expect(page.locator(".fr-card")).to_have_count(2)
        expect(card(page, A_TITLE)).to_have_count(1)
        b_card = card(page, B_TITLE)
        expect(b_card).to_have_count(1)
        expect(b_card.get_by_text("Certification complète", exact=True)).to_be_visible()
        expect(card(page, C_TITLE)).to_have_count(0)

        # 3. A's public page: the prepared blocks and the perimeter line (OFF-6).
        card(page, A_TITLE).get_by_role("link", name=A_TITLE, exact=True).click()
        page.wait_for_url(f"{base}/formations/{offer_a.pk}/")
        expect(page.locator("h1")).to_have_text(A_TITLE)
        items = page.locator("#prepared-blocks li")
        expect(items).to_have_count(2)
        for item, code in zip(items.all(), kept, strict=True):
            expect(item).to_contain_text(code)
        expect(
            page.get_by_text("Certification partielle - 2/4 blocs de compétences préparés", exact=True)
        ).to_be_visible()

        # 4. C's page: withdrawn, 410.
        response = page.goto(f"{base}/formations/{offer_c.pk}/")
        assert response is not None and response.status == 410
        expect(page.get_by_text("n'est plus active")).to_be_visible()
    finally:
        context.close()
