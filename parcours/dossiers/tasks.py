"""Background work of dossiers (django-tasks): safe to run twice."""

from typing import Any

from django_tasks import task

from .deadlines import apply_deadlines


@task()
def apply_dossier_deadlines() -> dict[str, Any]:
    """EDO-2's deadlines, once a day or more often: each is applied once."""
    return apply_deadlines().as_dict()
