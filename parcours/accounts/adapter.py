from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.models import Authenticator
from django.urls import reverse

from .enums import Role
from .policies import role_of

STAFF = {Role.PLATFORM_ADMIN, Role.FC_ADMIN, Role.FC_INSTRUCTOR, Role.CDC_CONTROLLER}


def has_totp(user) -> bool:  # type: ignore[no-untyped-def]
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class AccountAdapter(DefaultAccountAdapter):
    def is_login_by_code_required(self, login) -> bool:  # type: ignore[no-untyped-def]
        """EDO-6: an e-mailed code for every professional account; staff use TOTP once set up."""
        if login.signup or not super().is_login_by_code_required(login):
            return False  # a sign-up goes through e-mail activation first (ACC-5)
        role = role_of(login.user)
        if role == Role.HOLDER:
            return False
        if role in STAFF:
            return not has_totp(login.user)
        return True

    def get_login_redirect_url(self, request) -> str:  # type: ignore[no-untyped-def]
        return reverse("accounts:home")
