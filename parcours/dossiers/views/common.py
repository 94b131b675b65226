"""What the dossier pages share: a `DomainError` shown as text or on its form, and the 403."""

from typing import Any

from django.core.exceptions import PermissionDenied

from parcours.core.errors import DomainError


def error_message(error: DomainError) -> str:
    if error.rule and error.rule not in error.message:
        return f"{error.message} (règle {error.rule})"
    return error.message


def show_error(form: Any, error: DomainError) -> None:
    """On its field when the form shows it, else as the form's alert."""
    field = form.fields.get(error.field)
    form.add_error(error.field if field is not None and not field.widget.is_hidden else None, error_message(error))


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("Vous ne pouvez pas faire cela sur ce dossier.")
