from django.shortcuts import redirect

from .adapter import STAFF, has_totp
from .policies import role_of

ALLOWED_PREFIXES = ("/comptes/", "/static/", "/api/")


class StaffSecondFactorMiddleware:
    """Staff must set up TOTP before anything else (MFA for staff)."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and role_of(user) in STAFF
            and not has_totp(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
