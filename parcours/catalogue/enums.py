"""Enumerations of the EDOF catalogue (OFF rules): English values, French labels."""

from django.db import models


class OfferType(models.TextChoices):
    """OFF-1."""

    CERTIFYING = "certifying", "Formation certifiante (RNCP ou RS)"
    SKILLS_ASSESSMENT = "skills_assessment", "Bilan de compétences"
    DRIVING_LICENCE = "driving_licence", "Permis de conduire"
    VAE = "vae", "Validation des acquis de l'expérience (VAE)"
    BUSINESS_CREATION = "business_creation", "Accompagnement à la création ou reprise d'entreprise"
    CLEA = "clea", "Cléa"


# code-CPF of the non-certifying offer types, as the CDC's sample carries them (EDO-4). The codes
# of the driving licence and business-creation offers are not in any source we have: not guessed.
CPF_CODE_BY_TYPE = {
    OfferType.SKILLS_ASSESSMENT: "CPF202",
    OfferType.VAE: "CPF200",
}
TYPE_BY_CPF_CODE = {code: kind for kind, code in CPF_CODE_BY_TYPE.items()}


class OfferStatus(models.TextChoices):
    """OFF-15, OFF-16."""

    DRAFT = "draft", "Brouillon"
    VALIDATED = "validated", "Validée"
    ARCHIVED = "archived", "Archivée"
    DELETED = "deleted", "Supprimée"


class CourseType(models.TextChoices):
    """OFF-14, with LHÉO's parcours-de-formation code (EDO-5)."""

    INDIVIDUALISED = "96211", "96211 Individualisé"
    MODULAR = "96212", "96212 Modulaire"
    COLLECTIVE = "96213", "96213 Collectif"
    MIXED = "96214", "96214 Mixte"


LHEO_COURSE_CODE = {
    CourseType.COLLECTIVE: "1",
    CourseType.INDIVIDUALISED: "2",
    CourseType.MODULAR: "3",
    CourseType.MIXED: "4",
}
COURSE_TYPE_BY_LHEO = {code: kind for kind, code in LHEO_COURSE_CODE.items()}


class Modality(models.TextChoices):
    ON_SITE = "on_site", "Présentiel"
    REMOTE = "remote", "À distance"
    BLENDED = "blended", "Mixte"


class EnrolmentState(models.TextChoices):
    OPEN = "open", "Ouverte"
    CLOSED = "closed", "Fermée"
    SUSPENDED = "suspended", "Suspendue"


# Cléa (OFF-20, REG-10)
CLEA_CODES = ("RS2203", "RS3936")
CLEA_FORMACODE = "15041"
CLEA_NSF = "100"

# Text limits (OFF-8 to OFF-13, EDO-5)
TITLE_MAX = 255
LONG_TEXT_MAX = 3000
STRENGTHS_MAX = 255
