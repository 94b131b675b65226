from django.db import models


class StaffRole(models.TextChoices):
    """Roles held by people of the institutions, not by an entity's members."""

    NONE = "", "Aucun"
    FC_INSTRUCTOR = "fc_instructor", "Instructeur France compétences"
    FC_ADMIN = "fc_admin", "Administrateur France compétences"
    CDC_CONTROLLER = "cdc_controller", "Contrôleur Caisse des dépôts"
    PLATFORM_ADMIN = "platform_admin", "Administrateur de la plateforme"


class Role(models.TextChoices):
    """Every role of the permission matrix (policies.role_of)."""

    ANONYMOUS = "anonymous", "Visiteur"
    PENDING = "pending", "Compte en attente de validation"
    TRAINING_ORGANISATION = "training_organisation", "Membre d'organisme de formation"
    TRAINING_ORGANISATION_MANAGER = "training_organisation_manager", "Gestionnaire d'organisme de formation"
    CERTIFIER = "certifier", "Membre de certificateur"
    CERTIFIER_MANAGER = "certifier_manager", "Gestionnaire de certificateur"
    FC_INSTRUCTOR = "fc_instructor", "Instructeur France compétences"
    FC_ADMIN = "fc_admin", "Administrateur France compétences"
    CDC_CONTROLLER = "cdc_controller", "Contrôleur Caisse des dépôts"
    HOLDER = "holder", "Titulaire de compte CPF"
    PLATFORM_ADMIN = "platform_admin", "Administrateur de la plateforme"


class MembershipRole(models.TextChoices):
    MANAGER = "manager", "Gestionnaire entité"
    MEMBER = "member", "Membre"


class MembershipState(models.TextChoices):
    PENDING = "pending", "En attente de validation"
    VALIDATED = "validated", "Validé"
    REJECTED = "rejected", "Refusé"


class EntityKind(models.TextChoices):
    """ACC-1: a ministry, or another organisation (universities and public schools are not ministries)."""

    MINISTRY = "ministry", "Ministère"
    ORGANISATION = "organisation", "Autre organisme"


class DocumentKind(models.TextChoices):
    """ACC-3: proof of legal existence, and the mandate naming the administrateur entité."""

    KBIS = "kbis", "Extrait Kbis"
    JO_NOTICE = "jo_notice", "Avis de publication au Journal officiel (association)"
    DECREE = "decree", "Décret ou arrêté (établissement public)"
    BRANCH_AGREEMENT = "branch_agreement", "Accord de branche (CPNE)"
    MANDATE = "mandate", "Mandat désignant l'administrateur entité"


LEGAL_DOCUMENT_KINDS = [DocumentKind.KBIS, DocumentKind.JO_NOTICE, DocumentKind.DECREE, DocumentKind.BRANCH_AGREEMENT]
