"""Who may do what in the registry. The registry is public open data (Licence Ouverte 2.0)."""

from typing import Any


def can_view_registry(user: Any) -> bool:
    """Everyone, logged in or not: the RNCP and RS are public."""
    return True


def can_import_registry(user: Any) -> bool:
    """Platform administrators (staff) only: an import rewrites the registry."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))
