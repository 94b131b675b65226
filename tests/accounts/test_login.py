"""Login by e-mail and password, e-mailed code for professionals (EDO-6), TOTP for staff, rate limits."""

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user, password=PASSWORD):
    return client.post("/comptes/login/", {"login": user.email, "password": password})


def test_professional_login_needs_the_emailed_code(client, people):
    user = people["training_organisation"]
    response = login(client, user)
    assert response.status_code == 302 and "/comptes/login/code/confirm/" in response["Location"]
    assert client.get("/espace/").status_code == 302  # not logged in yet
    code = re.search(r"\n([A-Z0-9]{4}-[A-Z0-9]{4})\n", mail.outbox[-1].body).group(1)
    response = client.post("/comptes/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    assert client.get("/espace/").status_code == 200


def test_wrong_code_does_not_log_in(client, people):
    login(client, people["training_organisation"])
    response = client.post("/comptes/login/code/confirm/", {"code": "AAAA-AAAA"})
    assert response.status_code == 200
    assert client.get("/espace/").status_code == 302


def test_holder_logs_in_with_password_alone(client, people):
    response = login(client, people["holder"])
    assert response.status_code == 302 and response["Location"] == "/espace/"
    assert client.get("/espace/titulaire/").status_code == 200


def test_staff_logs_in_with_totp(client, people):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
    from allauth.mfa.utils import decrypt

    admin = people["platform_admin"]
    response = login(client, admin)
    assert "/comptes/2fa/authenticate/" in response["Location"]
    secret = decrypt(Authenticator.objects.get(user=admin, type="totp").data["secret"])
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post("/comptes/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/espace/validations/").status_code == 200


def test_staff_without_totp_must_set_it_up(client, people):
    from allauth.mfa.models import Authenticator

    admin = people["platform_admin"]
    Authenticator.objects.filter(user=admin).delete()
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/comptes/2fa/totp/activate/"


def test_wrong_password_is_refused_in_french(client, people):
    response = login(client, people["training_organisation"], password="mauvais")
    assert response.status_code == 200
    assert "ne sont pas corrects" in response.content.decode() or "incorrect" in response.content.decode()


def test_failed_logins_are_rate_limited(client, people, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}
    from django.core.cache import cache

    cache.clear()
    user = people["holder"]
    for _ in range(3):
        login(client, user, password="mauvais")
    response = login(client, user)  # even the right password is refused while limited
    assert response.status_code in (200, 429)
    assert client.get("/espace/").status_code == 302
    cache.clear()
