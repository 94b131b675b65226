"""A dossier's life, in a real browser (DOS-1 to DOS-8, EDO-1 to EDO-3, REG-9).

A CPF account holder enrols on a public RNCP40344 offer (2 blocks, personalisable). The organisation
records the positioning interview (DOS-8), removes one block (DOS-3), is stopped at validation until
it adapts the texts and confirms the duration and price (DOS-4), then validates (DOS-5). The holder
accepts: the CPF balance is debited. After the withdrawal period (EDO-2) the organisation registers
the trainee for the block's evaluation (DOS-7), declares the entry, then the exit with its coded
reason (EDO-3), and enters the result: the block attestation's PDF names the block (REG-9).

The clock is moved (`timezone.now`, patched for the live server's threads too: same process).
"""

import datetime
import importlib
import io
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from pypdf import PdfReader

from tests.browser.conftest import CHROMIUM_ARGS, TIMEOUT_MS
from tests.dossiers.conftest import Clock

# Playwright's sync API runs an event loop in this thread; the ORM calls below are fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SIRET = "40483304800022"
ENTITY_NAME = "Organisme de démonstration"
KEPT, REMOVED = "RNCP40344BC01", "RNCP40344BC02"
KEPT_TITLE = "Conseiller la clientèle du vétérinaire"
ADAPTED = {
    "title": "Auxiliaire vétérinaire — conseil à la clientèle",
    "pedagogical_objectives": "Accueillir et conseiller la clientèle du vétérinaire.",
    "content": "Accueil, conseil, vente de produits vétérinaires.",
    "expected_results": "Évaluation du bloc RNCP40344BC01.",
}
PROOF = b"%PDF-1.4\n% compte rendu de l'entretien de positionnement\n"


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
    """As in test_catalogue_journey: Cléa's certifications again (a flushed database), then the samples."""
    from django.apps import apps

    from parcours.registry.importing.apply import import_registry
    from tests.conftest import XML_RNCP, XML_RS

    importlib.import_module("parcours.catalogue.migrations.0002_clea_certifications").create_clea(apps, None)
    return import_registry([XML_RNCP, XML_RS])


@pytest.fixture
def clock(monkeypatch, settings):  # type: ignore[no-untyped-def]
    """The dossier tests' clock; sessions outlive its moves (server-side expiry follows `timezone.now`)."""
    settings.SESSION_COOKIE_AGE = 365 * 24 * 3600
    moving = Clock()
    monkeypatch.setattr(timezone, "now", lambda: moving.now)
    return moving


# -- helpers --------------------------------------------------------------------------------
def make_people():  # type: ignore[no-untyped-def]
    """The organisation (habilitated on every active certification), its gestionnaire, a holder."""
    from parcours.accounts.enums import MembershipRole
    from tests.factories import habilitated_organisation, holder, member_of

    entity = habilitated_organisation(ENTITY_NAME, SIRET)
    return entity, member_of(entity, role=MembershipRole.MANAGER), holder(first_name="Léa", last_name="Martin")


def published_session(organisation, starts_on: datetime.date):  # type: ignore[no-untyped-def]
    """RNCP40344, blocks 1 and 2, personalisable; 1 000 € HT; a 10-day session: through the services."""
    from parcours.catalogue import services
    from parcours.registry.models import Certification

    offer = services.create_offer(
        organisation,
        None,
        services.OfferInput(
            certification=Certification.objects.get(code="RNCP40344"),
            block_codes=[KEPT, REMOVED],
            blocks_customisable=True,
            values={
                "internal_id": "ASV-1",
                "title": "Auxiliaire spécialisé vétérinaire",
                "pedagogical_objectives": "Conseiller la clientèle du vétérinaire.",
                "content": "Accueil, conseil, vente.",
                "expected_results": "Évaluation des blocs préparés.",
                "course_type": "96213",
            },
        ),
    )
    action = services.save_action(
        offer,
        None,
        {
            "internal_id": "A1",
            "postal_code": "69002",
            "city": "Lyon",
            "hours_in_centre": 35,
            "price_excl_vat": 1000,
            "vat_rate": 20,
            "exam_fees_included": True,
        },
    )
    session = services.save_session(
        action,
        None,
        {"internal_id": "S1", "starts_on": starts_on, "ends_on": starts_on + datetime.timedelta(days=10)},
    )
    services.transition_offer(offer.pk, None, "validate")
    return session


def logged_in(browser: Browser, base: str, user) -> tuple[BrowserContext, Page]:  # type: ignore[no-untyped-def]
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
    return re.compile(re.escape(base + path) + r"(\?.*)?(#.*)?$")


def tick(page: Page, selector: str) -> None:
    """DSFR draws checkboxes and radios on their label, as a person sees them: click the label."""
    page.locator(f"label[for={page.locator(selector).get_attribute('id')}]").click()


def state_is(page: Page, label: str) -> None:
    expect(page.locator("#dossier-state")).to_have_text(label)


# -- the journey ----------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_dossier_journey(live_server, registry, clock, browser, tmp_path):  # type: ignore[no-untyped-def]
    from parcours.accounts.models import HolderProfile
    from parcours.dossiers.enums import AttestationKind, DossierState, EvaluationResult
    from parcours.dossiers.models import Dossier

    base = live_server.url
    organisation, manager, titulaire = make_people()
    session = published_session(organisation, clock.today() + datetime.timedelta(days=60))
    offer_id = session.action.offer_id
    holder_context, holder_page = logged_in(browser, base, titulaire)
    org_context, org_page = logged_in(browser, base, manager)
    try:
        # 1. The holder enrols from the public offer page (DOS-1).
        holder_page.goto(f"{base}/formations/{offer_id}/")
        expect(holder_page.locator("h1")).to_have_text("Auxiliaire spécialisé vétérinaire")
        holder_page.get_by_role("button", name=re.compile(r"^S'inscrire")).click()
        holder_page.wait_for_url(re.compile(re.escape(base) + r"/dossiers/\d+/$"))
        dossier = Dossier.objects.get()
        assert holder_page.url == f"{base}/dossiers/{dossier.pk}/"
        expect(holder_page.get_by_text(f"Demande d'inscription envoyée à {ENTITY_NAME}")).to_be_visible()
        state_is(holder_page, "Non traité")
        assert dossier.block_codes() == [KEPT, REMOVED]

        # 2. The organisation finds it through « Mes dossiers », with what it has to do.
        org_page.goto(base + "/")
        org_page.get_by_role("link", name="Mes dossiers").click()
        org_page.wait_for_url(url_is(base, "/dossiers/"))
        row = org_page.locator("#dossiers tbody tr", has_text=f"n° {dossier.pk}")
        expect(row).to_contain_text("Non traité")
        expect(row).to_contain_text(
            f"Répondre à la demande d'inscription au plus tard le {dossier.deadline_on:%d/%m/%Y}"
        )
        row.get_by_role("link", name=f"n° {dossier.pk}").click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/"))
        expect(org_page.locator("#holder")).to_contain_text("Léa Martin")
        expect(org_page.locator("#perimeter-line")).to_have_text(
            "Certification partielle - 2/4 blocs de compétences préparés"
        )

        # DOS-8: the positioning interview and its proof (a file upload).
        proof = tmp_path / "entretien.pdf"
        proof.write_bytes(PROOF)
        org_page.fill("#id_positioning-held_on", clock.today().isoformat())
        org_page.set_input_files("#id_positioning-proof", str(proof))
        org_page.get_by_role("button", name="Enregistrer l'entretien").click()
        expect(org_page.get_by_text("Entretien de positionnement enregistré, avec sa preuve.")).to_be_visible()
        expect(org_page.locator("#positioning")).to_contain_text("entretien.pdf")

        # 3. « Modifier le dossier »: one block removed (DOS-3).
        org_page.get_by_role("link", name="Modifier le dossier").click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/modifier/"))
        expect(org_page.locator("input[name=blocks]")).to_have_count(4)  # the certification's blocks
        expect(org_page.locator("input[name=blocks]:checked")).to_have_count(2)
        tick(org_page, f"input[name=blocks][value={REMOVED}]")
        expect(org_page.locator(f"input[name=blocks][value={REMOVED}]")).not_to_be_checked()
        org_page.get_by_role("button", name="Enregistrer", exact=True).click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/modifier/"))
        identical = org_page.locator("#still-identical")
        expect(identical).to_contain_text("La liste des blocs a changé")
        expect(identical.locator("li")).to_have_count(6)
        assert Dossier.objects.get().block_codes() == [KEPT]

        # 4. Validation is stopped until the proposal fits the new perimeter (DOS-4).
        org_page.get_by_role("link", name="Valider le dossier").click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/valider/"))
        expect(org_page.locator("#validation-errors")).to_contain_text("adaptez l'intitulé au nouveau périmètre")
        org_page.get_by_role("button", name="Confirmer et valider le dossier").click()
        expect(org_page.get_by_role("alert")).to_contain_text(
            "La liste des blocs a changé : adaptez l'intitulé au nouveau périmètre"
        )
        expect(org_page.get_by_role("alert")).to_contain_text("(règle DOS-4)")
        assert Dossier.objects.get().state == DossierState.NOT_PROCESSED

        org_page.get_by_role("link", name="Modifier le dossier").first.click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/modifier/"))
        for field, value in ADAPTED.items():
            org_page.fill(f"#id_{field}", value)
        expect(org_page.locator("#id_title-counter")).to_have_text(f"{len(ADAPTED['title'])} / 255 caractères")
        tick(org_page, "input[name=confirm_unchanged][value=duration]")
        tick(org_page, "input[name=confirm_unchanged][value=price]")
        org_page.get_by_role("button", name="Enregistrer", exact=True).click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/"))
        expect(org_page.locator("h1")).to_have_text(f"Dossier n° {dossier.pk} — {ADAPTED['title']}")

        org_page.get_by_role("link", name="Valider le dossier").click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/valider/"))
        expect(org_page.locator("#validation-errors")).to_have_count(0)
        expect(org_page.locator("#summary")).to_contain_text(f"- {KEPT} {KEPT_TITLE}")
        expect(org_page.locator("#summary")).to_contain_text("total 1200.00 € TTC")
        org_page.get_by_role("button", name="Confirmer et valider le dossier").click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/"))
        state_is(org_page, "Validé")
        expect(org_page.get_by_role("link", name="Modifier le dossier")).to_have_count(0)  # DOS-5
        dossier.refresh_from_db()
        assert (dossier.state, dossier.title) == (DossierState.VALIDATED, ADAPTED["title"])
        assert set(dossier.unchanged_confirmations) == {"duration", "price"}

        # 5. The holder accepts: the balance covers the 1 200 € TTC and is debited once (EDO-1).
        holder_page.goto(f"{base}/dossiers/{dossier.pk}/")
        state_is(holder_page, "Validé")
        expect(holder_page.locator("#to-do")).to_contain_text("Accepter ou refuser la proposition au plus tard le")
        holder_page.get_by_role("link", name="Accepter", exact=True).click()
        holder_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/accepter/"))
        expect(holder_page.locator("#balance")).to_contain_text("Votre solde CPF : 1500,00 €")
        expect(holder_page.locator("#balance")).to_contain_text("Prix total : 1200,00 € TTC")
        expect(holder_page.get_by_text("Je paie le reste")).to_have_count(0)
        holder_page.get_by_role("button", name="Accepter la proposition").click()
        holder_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/"))
        state_is(holder_page, "Accepté")
        expect(holder_page.locator("#movements tbody")).to_contain_text("Débit")
        assert HolderProfile.objects.get(user=titulaire).cpf_balance == 300

        # 6. After the withdrawal period (EDO-2): the evaluation (DOS-7), then the entry.
        clock.set(session.starts_on)
        org_page.goto(f"{base}/dossiers/{dossier.pk}/")
        state_is(org_page, "Accepté")
        expect(org_page.locator("#unregistered")).to_contain_text(KEPT)
        card = org_page.locator(f"#evaluation-{KEPT}")
        card.locator(f"#id_register_evaluation-{KEPT}-scheduled_on").fill(session.ends_on.isoformat())
        card.locator(f"#id_register_evaluation-{KEPT}-place").fill("Lyon")
        card.locator(f"#id_register_evaluation-{KEPT}-organiser").fill("Jury ASV")
        card.get_by_role("button", name=re.compile("^Inscrire à l'évaluation")).click()
        expect(org_page.get_by_text("Stagiaire inscrit à l'évaluation")).to_be_visible()
        expect(org_page.locator("#unregistered")).to_have_count(0)
        expect(org_page.locator("#id_declare_entry-entered_on")).to_have_value(session.starts_on.isoformat())
        org_page.get_by_role("button", name="Déclarer l'entrée").click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/"))
        state_is(org_page, "En formation")

        # 7. The exit at the planned end, with its coded reason (EDO-3).
        clock.set(session.ends_on)
        org_page.goto(f"{base}/dossiers/{dossier.pk}/")
        org_page.select_option("#id_declare_exit-exit_reason", "8")
        org_page.get_by_role("button", name="Déclarer la sortie").click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/"))
        state_is(org_page, "Sortie de formation")
        expect(org_page.locator("#dates")).to_contain_text("Fin prévue de l'action de formation")

        # 8. The result: passed, the block attestation follows (REG-9).
        card = org_page.locator(f"#evaluation-{KEPT}")
        tick(org_page, f"#id_record_result-{KEPT}-passed_0")
        expect(card.locator(f"#id_record_result-{KEPT}-result_on")).to_have_value(session.ends_on.isoformat())
        card.get_by_role("button", name=re.compile("^Saisir le résultat")).click()
        org_page.wait_for_url(url_is(base, f"/dossiers/{dossier.pk}/"))
        expect(org_page.locator(f"#evaluation-{KEPT}")).to_contain_text("Réussi")
        evaluation = Dossier.objects.get().evaluations.get()
        assert evaluation.result == EvaluationResult.PASSED

        link = org_page.locator("#attestations a", has_text=f"Attestation de réussite du bloc de compétences {KEPT}")
        expect(link).to_have_count(1)
        response = org_context.request.get(base + link.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith('inline; filename="attestation-block-')
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
        assert KEPT in text and KEPT_TITLE in text and "Léa Martin" in text
        # The holder sees the same attestation; both attestations (training, block) are listed.
        holder_page.goto(f"{base}/dossiers/{dossier.pk}/")
        expect(holder_page.locator("#attestations li")).to_have_count(2)
        dossier.refresh_from_db()
        assert dossier.attestations.filter(kind=AttestationKind.BLOCK, dossier_block__code=KEPT).exists()
        org_page.screenshot(path=str(tmp_path / "dossier.png"), full_page=True)
        assert (tmp_path / "dossier.png").stat().st_size > 10_000
    finally:
        holder_context.close()
        org_context.close()
