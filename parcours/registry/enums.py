"""Enumerations of the registry: English values, French labels (house style)."""

from django.db import models


class Registry(models.TextChoices):
    """REG-1: a certification belongs to exactly one registry."""

    RNCP = "rncp", "RNCP"
    RS = "rs", "Répertoire spécifique"

    @property
    def prefix(self) -> str:
        return "RNCP" if self is Registry.RNCP else "RS"


class FicheState(models.TextChoices):
    PUBLISHED = "published", "Publiée"
    ARCHIVED = "archived", "Dépubliée/Archivée"
    CHANGES_PENDING = "changes_pending", "Modifications à valider"
    CHANGES_PENDING_MINISTRY = "changes_pending_ministry", "Modifications à valider par le ministère"
    UNKNOWN = "unknown", "Non renseigné"


class RegistrationType(models.TextChoices):
    BY_RIGHT = "by_right", "Enregistrement de droit"
    ON_REQUEST = "on_request", "Enregistrement sur demande"
    UNKNOWN = "unknown", "Non renseigné"


class AccreditationKind(models.TextChoices):
    """Kind of habilitation a certifier grants a partner (ACC-7)."""

    TRAIN_AND_ORGANISE = "train_and_organise", "Préparer à la certification et organiser l'évaluation"
    TRAIN = "train", "Préparer à la certification"
    ORGANISE = "organise", "Organiser l'évaluation"


class AccreditationState(models.TextChoices):
    ACTIVE = "active", "Actif"
    INACTIVE = "inactive", "Inactif"
    DELETED = "deleted", "Supprimé"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    SUCCEEDED = "succeeded", "Terminé"
    FAILED = "failed", "Refusé"


# Source spellings → our values. Kept here so the CSV and XML readers agree.
FICHE_STATE_BY_LABEL = {choice.label: choice.value for choice in FicheState}
REGISTRATION_TYPE_BY_LABEL = {choice.label: choice.value for choice in RegistrationType}
ACCREDITATION_KIND_BY_CODE = {
    "HABILITATION_ORGA_FORM": AccreditationKind.TRAIN_AND_ORGANISE.value,
    "HABILITATION_FORMER": AccreditationKind.TRAIN.value,
    "HABILITATION_ORGANISER": AccreditationKind.ORGANISE.value,
}
ACCREDITATION_STATE_BY_LABEL = {choice.label: choice.value for choice in AccreditationState}

# Access routes (voies d'accès): XML element → (code, French label as the CSV writes it).
ACCESS_ROUTES = {
    "SI_JURY_FI": ("initial", "Après un parcours de formation sous statut d’élève ou d’étudiant"),
    "SI_JURY_CA": ("apprenticeship", "En contrat d’apprentissage"),
    "SI_JURY_FC": ("continuing", "Après un parcours de formation continue"),
    "SI_JURY_CQ": ("professionalisation", "En contrat de professionnalisation"),
    "SI_JURY_CL": ("individual_application", "Par candidature individuelle"),
    "SI_JURY_VAE": ("vae", "Par expérience"),
}
ACCESS_ROUTE_LABELS = {code: label for code, label in ACCESS_ROUTES.values()}
ACCESS_ROUTE_BY_LABEL = {label: code for code, label in ACCESS_ROUTES.values()}

LEVEL_LABELS = {
    1: "Niveau 1",
    2: "Niveau 2",
    3: "NIVEAU 3 (CAP, BEP...)",
    4: "NIVEAU 4 (BAC, BP, BT...)",
    5: "NIVEAU 5 (BTS, DUT, DEUST...)",
    6: "NIVEAU 6 (BUT, licence, licence professionnelle, bachelor...)",
    7: "NIVEAU 7 (BAC+5 : grade master, DEA, DESS, ingénieur...)",
    8: "NIVEAU 8 (doctorat...)",
}
