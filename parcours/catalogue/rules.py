"""Field rules of an offer, shared by the form, the API and the XML import (OFF-7 to OFF-15, OFF-20)."""

from typing import Any

from parcours.core.errors import DomainError

from .enums import LONG_TEXT_MAX, STRENGTHS_MAX, TITLE_MAX, CourseType, OfferType

LIMITS = {
    "title": (TITLE_MAX, "OFF-8", "L'intitulé"),
    "pedagogical_objectives": (LONG_TEXT_MAX, "OFF-10", "Les objectifs pédagogiques"),
    "content": (LONG_TEXT_MAX, "OFF-11", "Le contenu de la formation"),
    "strengths": (STRENGTHS_MAX, "OFF-12", "Les points forts"),
    "expected_results": (LONG_TEXT_MAX, "OFF-13", "Les résultats attendus"),
}

FIELD_LABELS = {
    "internal_id": ("OFF-7", "Veuillez renseigner un identifiant interne afin de poursuivre votre saisie."),
    "title": ("OFF-8", "Renseignez l'intitulé de la formation."),
    "pedagogical_objectives": ("OFF-10", "Renseignez les objectifs pédagogiques."),
    "content": ("OFF-11", "Renseignez le contenu de la formation."),
    "expected_results": ("OFF-13", "Renseignez les résultats attendus."),
    "course_type": ("OFF-14", "Choisissez le type de parcours (96211, 96212, 96213 ou 96214)."),
    "strengths": ("OFF-20", "Renseignez les points forts : ils sont obligatoires pour une offre Cléa."),
}


def normalise_texts(values: dict[str, Any]) -> dict[str, Any]:
    """Browsers send line breaks as CRLF; a break is one character for the limits (and the counters)."""
    return {k: v.replace("\r\n", "\n") if isinstance(v, str) else v for k, v in values.items()}


def check_limits(values: dict[str, Any]) -> list[DomainError]:
    """Hard limits: checked on every save, draft included."""
    errors = []
    for field, (limit, rule, label) in LIMITS.items():
        value = values.get(field) or ""
        if len(value) > limit:
            errors.append(
                DomainError(f"{label} : {len(value)} caractères pour {limit} au plus.", rule=rule, field=field)
            )
    course_type = values.get("course_type")
    if course_type and course_type not in CourseType.values:
        errors.append(DomainError("Type de parcours inconnu.", rule="OFF-14", field="course_type"))
    return errors


def missing_for_validation(values: dict[str, Any], offer_type: str) -> list[DomainError]:
    """OFF-15: an offer is validated only when every mandatory field is filled."""
    required = ["internal_id", "title", "pedagogical_objectives", "content", "expected_results", "course_type"]
    if offer_type == OfferType.CLEA:
        required.append("strengths")  # OFF-20
    return [
        DomainError(FIELD_LABELS[field][1], rule=FIELD_LABELS[field][0], field=field)
        for field in required
        if not str(values.get(field) or "").strip()
    ]
