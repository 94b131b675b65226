"""The whole professional sign-up, in a real browser, with mail read from a real SMTP server.

A creates a training organisation (documents, mandate), activates the account from the mail,
logs in with the e-mailed code and waits; the platform administrator (password + TOTP)
validates A; B joins the same entity by its SIRET alone; A validates B; B reaches the entity.
"""

import email
import email.policy
import os
import re
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS, TIMEOUT_MS

# Playwright's sync API runs an event loop in this thread; the ORM calls below are fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SIRET = "12345678200002"  # Luhn-valid
ENTITY_NAME = "Formations du Littoral"
NDA = "11755555575"
PASSWORD = "Parcours-Essai-2026!"
A_EMAIL = "alice.gestionnaire@example.org"
B_EMAIL = "bruno.membre@example.org"
ADMIN_EMAIL = "admin.plateforme@example.org"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# -- a real SMTP server ---------------------------------------------------------------------
@dataclass
class Mail:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, f"no text part in {self.subject!r}"
        return str(part.get_content())


class Mailbox:
    """aiosmtpd handler: keeps every message; tests take them one by one."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.taken: set[int] = set()
        self.condition = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.condition:
            self.mails.append(Mail([r.lower() for r in envelope.rcpt_tos], message))  # type: ignore[arg-type]
            self.condition.notify_all()
        return "250 Message accepted for delivery"

    def take(self, to: str, subject: str, timeout: float = 15) -> Mail:
        """The first mail to `to` whose subject contains `subject`, not taken yet."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                for index, mail in enumerate(self.mails):
                    if index not in self.taken and to in mail.recipients and subject in mail.subject:
                        self.taken.add(index)
                        return mail
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(m.recipients, m.subject) for m in self.mails]
                    raise AssertionError(f"no mail « {subject} » to {to} within {timeout}s; received: {seen}")
                self.condition.wait(remaining)

    def untaken(self) -> list[tuple[list[str], str]]:
        with self.condition:
            return [(m.recipients, m.subject) for i, m in enumerate(self.mails) if i not in self.taken]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def mailbox(settings):  # type: ignore[no-untyped-def]
    handler = Mailbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# -- helpers --------------------------------------------------------------------------------
def new_page(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


def url_is(base: str, path: str) -> re.Pattern[str]:
    """Exactly this path, with or without a query string."""
    return re.compile(re.escape(base + path) + r"(\?.*)?$")


def activation_link(mail: Mail, base: str) -> str:
    match = re.search(r"https?://\S+/comptes/confirm-email/[^/\s]+/", mail.body)
    assert match, f"no activation link in:\n{mail.body}"
    assert match.group(0).startswith(base), (match.group(0), base)
    return match.group(0)


def login_code(mail: Mail) -> str:
    codes = [
        line.strip() for line in mail.body.splitlines() if re.fullmatch(r"[A-Z0-9]{3,}(-[A-Z0-9]+)*", line.strip())
    ]
    assert len(codes) == 1, f"expected one code in:\n{mail.body}"
    return codes[0]


def activate(page: Page, base: str, mail: Mail, address: str) -> None:
    """Opens the activation link, confirms with the button (no confirmation on GET)."""
    from allauth.account.models import EmailAddress

    page.goto(activation_link(mail, base))
    expect(page.locator("h1")).to_have_text("Confirmer l'adresse e-mail")
    expect(page.get_by_text(address).first).to_be_visible()
    assert not EmailAddress.objects.get(email=address).verified  # a GET confirms nothing
    page.locator("form[action*='/comptes/confirm-email/'] button[type=submit]").click()
    page.wait_for_url(url_is(base, "/comptes/login/"))  # no login on confirmation: log in with the code
    expect(page.locator("h1")).to_have_text("Connexion")
    expect(page.get_by_text(f"Vous avez confirmé {address}.")).to_be_visible()
    assert EmailAddress.objects.get(email=address).verified


def submit_password(page: Page, base: str, address: str) -> None:
    page.goto(base + "/comptes/login/")
    page.fill("input[name=login]", address)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[action='/comptes/login/'] button[type=submit]").click()


def login_with_emailed_code(page: Page, base: str, mailbox: Mailbox, address: str) -> None:
    submit_password(page, base, address)
    page.wait_for_url(url_is(base, "/comptes/login/code/confirm/"))
    expect(page.locator("h1")).to_have_text("Entrez le code de connexion")
    code = login_code(mailbox.take(address, "Code de connexion"))
    page.fill("input[name=code]", code)
    page.locator("form[action*='/comptes/login/code/confirm/'] button[type=submit]").first.click()
    page.wait_for_url(url_is(base, "/espace/"))
    expect(page.get_by_text(f"Connecté en tant que {address}")).to_be_visible()


def current_totp(secret: str) -> str:
    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    if mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD < 3:
        time.sleep(3)  # too close to the end of the period: use the next code
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def make_platform_admin():  # type: ignore[no-untyped-def]
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from parcours.accounts.models import User

    admin = User.objects.create_user(
        username="admin-plateforme",
        email=ADMIN_EMAIL,
        password=PASSWORD,
        first_name="Ada",
        last_name="Plateforme",
        is_staff=True,
        is_superuser=True,
        staff_role="platform_admin",
    )
    EmailAddress.objects.create(user=admin, email=ADMIN_EMAIL, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)
    return admin, secret


def tick(page: Page, field_id: str) -> None:
    """DSFR draws the checkbox on its label, as a person sees it: click the label."""
    page.locator(f"label[for={field_id}]").click()
    expect(page.locator(f"#{field_id}")).to_be_checked()


def fill_person(page: Page, address: str, first: str, last: str) -> None:
    page.fill("#id_email", address)
    page.fill("#id_first_name", first)
    page.fill("#id_last_name", last)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)


# -- the journey ----------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_professional_signup_journey(live_server, mailbox, browser, tmp_path):  # type: ignore[no-untyped-def]
    from parcours.accounts.models import Entity, EntityDocument, Membership, User

    base = live_server.url
    _admin, totp_secret = make_platform_admin()
    kbis = tmp_path / "kbis.pdf"
    kbis.write_bytes(PDF)
    mandate = tmp_path / "mandat.pdf"
    mandate.write_bytes(PDF)

    try:
        # 1. A signs up a new training organisation, with Kbis and mandate.
        a_context, a = new_page(browser)
        a.goto(base + "/comptes/signup/")
        expect(a.locator("h1")).to_have_text("Créer un compte professionnel")
        a.screenshot(path=str(tmp_path / "signup.png"), full_page=True)
        assert (tmp_path / "signup.png").stat().st_size > 10_000
        fill_person(a, A_EMAIL, "Alice", "Gestionnaire")
        a.fill("#id_siret", SIRET)
        a.fill("#id_name", ENTITY_NAME)
        a.select_option("#id_kind", "organisation")
        tick(a, "id_is_training_organisation")
        a.fill("#id_nda", NDA)
        tick(a, "id_qualiopi_training")
        a.fill("#id_qualiopi_valid_until", "2027-06-30")
        a.select_option("#id_legal_document_kind", "kbis")
        a.set_input_files("#id_legal_document", str(kbis))
        expect(a.locator("#id_named_on_legal_document")).not_to_be_checked()
        a.set_input_files("#id_mandate", str(mandate))
        a.fill("#id_mandate_date", "2026-11-01")
        a.locator("#signup-form button[type=submit]").click()
        a.wait_for_url(url_is(base, "/comptes/confirm-email/"))
        expect(a.locator("h1")).to_have_text("Activez votre compte")
        expect(a.get_by_text("Un lien d'activation vient de vous être envoyé par courriel.")).to_be_visible()

        user_a = User.objects.get(email=A_EMAIL)
        assert (user_a.first_name, user_a.last_name) == ("Alice", "Gestionnaire")
        entity = Entity.objects.get(siret=SIRET)
        assert entity.name == ENTITY_NAME
        assert entity.is_training_organisation and entity.nda == NDA
        assert entity.qualiopi_training and str(entity.qualiopi_valid_until) == "2027-06-30"
        membership_a = Membership.objects.get(user=user_a)
        assert (membership_a.entity, membership_a.role, membership_a.state) == (entity, "manager", "pending")
        documents = {d.kind: d for d in EntityDocument.objects.filter(entity=entity)}
        assert set(documents) == {"kbis", "mandate"}
        assert documents["kbis"].original_name == "kbis.pdf"
        assert documents["kbis"].content_type == "application/pdf"
        assert documents["mandate"].original_name == "mandat.pdf"
        assert str(documents["mandate"].signed_on) == "2026-11-01"
        with documents["mandate"].file.open("rb") as stored:
            assert stored.read() == PDF

        # 2. The activation mail arrives; the link asks to confirm, the button confirms.
        activation = mailbox.take(A_EMAIL, "Confirmez votre adresse")
        assert activation.subject.startswith("[Parcours] ")
        activate(a, base, activation, A_EMAIL)
        to_admin = mailbox.take(ADMIN_EMAIL, "Un compte attend votre validation")
        assert "Alice Gestionnaire (alice.gestionnaire@example.org)" in to_admin.body
        assert f"« Gestionnaire entité » pour {ENTITY_NAME}" in to_admin.body
        assert "/espace/validations/" in to_admin.body
        confirmed = mailbox.take(A_EMAIL, "Votre adresse est confirmée")
        assert "par un administrateur de la plateforme" in confirmed.body

        # 3. A logs in (password, then the e-mailed code) and waits for validation.
        login_with_emailed_code(a, base, mailbox, A_EMAIL)
        expect(a.get_by_role("heading", name="Compte en attente de validation")).to_be_visible()
        expect(
            a.get_by_text(f"Votre compte « Gestionnaire entité » pour {ENTITY_NAME} attend d'être validé")
        ).to_be_visible()
        response = a.goto(base + "/espace/entite/")
        assert response is not None and response.status == 404  # not validated yet
        a_context.close()

        # 4. The platform administrator logs in (password + TOTP) and validates A.
        admin_context, admin = new_page(browser)
        submit_password(admin, base, ADMIN_EMAIL)
        admin.wait_for_url(url_is(base, "/comptes/2fa/authenticate/"))
        admin.fill("input[name=code]", current_totp(totp_secret))
        admin.locator("form[action='/comptes/2fa/authenticate/'] button[type=submit]").first.click()
        admin.wait_for_url(url_is(base, "/espace/"))
        expect(admin.get_by_text("Administrateur de la plateforme")).to_be_visible()
        admin.get_by_role("link", name="Comptes à valider").click()
        admin.wait_for_url(url_is(base, "/espace/validations/"))
        card = admin.locator(f"#membership-{membership_a.pk}")
        expect(card.get_by_role("heading")).to_have_text(f"{ENTITY_NAME} — SIRET {SIRET}")
        expect(card).to_contain_text("Alice Gestionnaire (alice.gestionnaire@example.org)")
        expect(card).to_contain_text(f"NDA {NDA}")
        kbis_link = card.get_by_role("link", name="Extrait Kbis — kbis.pdf")
        expect(kbis_link).to_be_visible()
        expect(card.locator("li", has_text="mandat.pdf")).to_contain_text(
            "Mandat désignant l'administrateur entité — mandat.pdf (daté du 01/11/2026)"
        )
        download = admin.request.get(base + str(kbis_link.get_attribute("href")))
        assert download.ok and download.body() == PDF
        card.get_by_role("button", name=f"Valider le compte de {A_EMAIL}").click()
        admin.wait_for_url(url_is(base, "/espace/validations/"))
        expect(admin.get_by_text(f"Le compte de {A_EMAIL} est validé.")).to_be_visible()
        expect(admin.get_by_text("Aucun compte n'attend de validation.")).to_be_visible()
        membership_a.refresh_from_db()
        assert membership_a.state == "validated" and membership_a.decided_by == _admin
        validated = mailbox.take(A_EMAIL, "Votre compte est validé")
        assert f"« Gestionnaire entité » pour {ENTITY_NAME} est validé" in validated.body
        admin_context.close()

        # 5. B joins the same entity with its SIRET alone (no documents); A validates B.
        b_context, b = new_page(browser)
        b.goto(base + "/comptes/signup/")
        fill_person(b, B_EMAIL, "Bruno", "Membre")
        b.fill("#id_siret", SIRET)
        b.locator("#signup-form button[type=submit]").click()
        b.wait_for_url(url_is(base, "/comptes/confirm-email/"))
        expect(b.locator("h1")).to_have_text("Activez votre compte")
        user_b = User.objects.get(email=B_EMAIL)
        membership_b = Membership.objects.get(user=user_b)
        assert (membership_b.entity, membership_b.role, membership_b.state) == (entity, "member", "pending")
        assert EntityDocument.objects.filter(entity=entity).count() == 2
        assert Entity.objects.count() == 1

        activate(b, base, mailbox.take(B_EMAIL, "Confirmez votre adresse"), B_EMAIL)
        to_manager = mailbox.take(A_EMAIL, "Un compte attend votre validation")
        assert "Bruno Membre (bruno.membre@example.org)" in to_manager.body
        assert "/espace/entite/" in to_manager.body
        assert f"par le gestionnaire de {ENTITY_NAME}" in mailbox.take(B_EMAIL, "Votre adresse est confirmée").body

        a_context, a = new_page(browser)
        login_with_emailed_code(a, base, mailbox, A_EMAIL)
        expect(a.get_by_text("Gestionnaire d'organisme de formation")).to_be_visible()
        a.get_by_role("link", name=ENTITY_NAME).click()
        a.wait_for_url(url_is(base, "/espace/entite/"))
        expect(a.locator("h1")).to_have_text(ENTITY_NAME)
        row = a.locator(f"#member-{membership_b.pk}")
        expect(row).to_contain_text("Bruno Membre (bruno.membre@example.org)")
        expect(row).to_contain_text("En attente de validation")
        row.get_by_role("button", name=f"Valider le compte de {B_EMAIL}").click()
        a.wait_for_url(url_is(base, "/espace/entite/"))
        expect(a.get_by_text(f"Le compte de {B_EMAIL} est validé.")).to_be_visible()
        expect(a.locator(f"#member-{membership_b.pk}")).to_contain_text("Validé")
        expect(a.locator(f"#member-{membership_b.pk} button")).to_have_count(0)
        membership_b.refresh_from_db()
        assert membership_b.state == "validated" and membership_b.decided_by == user_a
        assert f"« Membre » pour {ENTITY_NAME} est validé" in mailbox.take(B_EMAIL, "Votre compte est validé").body
        a_context.close()

        # 6. B logs in with the e-mailed code and reaches the entity page.
        login_with_emailed_code(b, base, mailbox, B_EMAIL)
        expect(b.get_by_text("Membre d'organisme de formation")).to_be_visible()
        b.get_by_role("link", name=ENTITY_NAME).click()
        b.wait_for_url(url_is(base, "/espace/entite/"))
        expect(b.locator("h1")).to_have_text(ENTITY_NAME)
        expect(b.get_by_text(f"SIRET : {SIRET}")).to_be_visible()
        expect(b.get_by_text(f"Enregistré sous le numéro {NDA}")).to_be_visible()
        expect(b.get_by_role("link", name="Extrait Kbis — kbis.pdf")).to_be_visible()
        expect(b.get_by_role("heading", name="Comptes de l'entité")).to_have_count(0)  # not the gestionnaire
        b_context.close()

        assert mailbox.untaken() == [], "unexpected mails"
    finally:
        for document in EntityDocument.objects.all():
            document.file.delete(save=False)
