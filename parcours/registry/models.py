"""The certification registry: RNCP and RS fiches as France compétences publishes them."""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from parcours.core.text import fold

from .codes import CertificationCode, france_competences_url
from .enums import (
    LEVEL_LABELS,
    AccreditationKind,
    AccreditationState,
    FicheState,
    ImportStatus,
    RegistrationType,
    Registry,
)

# Long descriptive texts are kept out of the audit history: they are the source export's,
# re-readable from it, and copying them would double the import's writes (docs/decisions).
LONG_TEXT_FIELDS = [
    "activities",
    "capacities",
    "sectors",
    "job_types",
    "regulations",
    "objectives_context",
    "entry_prerequisites",
    "validation_prerequisites",
    "partial_validation_scope",
    "access_routes",
    "collective_agreements",
    "block_correspondences",
    "fingerprints",
]


def certification_search_text(code: str, title: str, short_title: str) -> str:
    return fold(f"{code} {title} {short_title}")


def paris_today() -> datetime.date:
    """Today in Europe/Paris: the registry's clock (REG-6)."""
    return timezone.localdate()


class Nomenclature(models.Model):
    code = models.CharField("code", max_length=16, primary_key=True)
    label = models.CharField("libellé", max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} : {self.label}" if self.label else self.code


class Formacode(Nomenclature):
    class Meta(Nomenclature.Meta):
        verbose_name = "Formacode"


class NsfCode(Nomenclature):
    class Meta(Nomenclature.Meta):
        verbose_name = "code NSF"
        verbose_name_plural = "codes NSF"


class RomeCode(Nomenclature):
    class Meta(Nomenclature.Meta):
        verbose_name = "code ROME"
        verbose_name_plural = "codes ROME"


class CertificationQuerySet(models.QuerySet["Certification"]):
    def active(self, on: datetime.date | None = None) -> "CertificationQuerySet":
        """REG-6: active as the export said *and* not past its end date (Europe/Paris)."""
        on = on or paris_today()
        return self.filter(declared_active=True).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))

    def inactive(self, on: datetime.date | None = None) -> "CertificationQuerySet":
        on = on or paris_today()
        return self.filter(Q(declared_active=False) | Q(end_date__lt=on))


class Certification(models.Model):
    """A fiche of the RNCP or of the Répertoire spécifique (REG-1 to REG-7)."""

    registry = models.CharField("répertoire", max_length=4, choices=Registry.choices)
    number = models.PositiveIntegerField("numéro")
    code = models.CharField("code", max_length=16, unique=True)
    source_id = models.PositiveIntegerField("identifiant France compétences", null=True, blank=True)
    title = models.TextField("intitulé")
    short_title_code = models.CharField("abrégé (code)", max_length=64, blank=True)
    short_title = models.CharField("abrégé", max_length=255, blank=True)
    level = models.PositiveSmallIntegerField("niveau", null=True, blank=True)
    level_code = models.CharField("niveau (code source)", max_length=16, blank=True)
    fiche_state = models.CharField(
        "état de la fiche", max_length=32, choices=FicheState.choices, default=FicheState.UNKNOWN
    )
    registration_type = models.CharField(
        "type d'enregistrement",
        max_length=16,
        choices=RegistrationType.choices,
        default=RegistrationType.UNKNOWN,
    )
    partial_validation = models.BooleanField("validation partielle", null=True, blank=True)
    # What the export said (ACTIF / Actif); what holds today is derived (REG-6).
    declared_active = models.BooleanField("active selon l'export", default=False)
    end_date = models.DateField("date de fin d'enregistrement", null=True, blank=True)
    effect_date = models.DateField("date d'effet", null=True, blank=True)
    decision_date = models.DateField("date de décision", null=True, blank=True)
    last_jo_date = models.DateField("date du dernier JO", null=True, blank=True)
    publication_date = models.DateField("date de publication", null=True, blank=True)
    delivery_deadline = models.DateField("date limite de délivrance", null=True, blank=True)
    registration_years = models.PositiveSmallIntegerField("durée d'enregistrement (ans)", null=True, blank=True)
    description_url = models.TextField("lien vers la description", blank=True)
    accessible_new_caledonia = models.BooleanField("accessible en Nouvelle-Calédonie", null=True)
    accessible_french_polynesia = models.BooleanField("accessible en Polynésie française", null=True)

    activities = models.TextField("activités visées", blank=True)
    capacities = models.TextField("capacités attestées", blank=True)
    sectors = models.TextField("secteurs d'activité", blank=True)
    job_types = models.TextField("types d'emplois accessibles", blank=True)
    regulations = models.TextField("réglementation d'activités", blank=True)
    objectives_context = models.TextField("objectifs et contexte", blank=True)
    entry_prerequisites = models.TextField("prérequis à l'entrée en formation", blank=True)
    validation_prerequisites = models.TextField("prérequis à la validation", blank=True)
    partial_validation_scope = models.TextField("périmètre de la validation partielle", blank=True)
    access_routes = models.JSONField("voies d'accès", default=list, blank=True)
    collective_agreements = models.JSONField("conventions collectives", default=list, blank=True)
    block_correspondences = models.JSONField("correspondances de blocs", default=list, blank=True)
    # REG-8: the certifier's obtention rule beyond the blocks. Not in France compétences' exports: the
    # certifier (or an administrator) sets it; the import never touches it.
    final_evaluation_required = models.BooleanField(
        "évaluation finale exigée en plus des blocs", default=False, db_default=False
    )

    formacodes = models.ManyToManyField(Formacode, blank=True, related_name="certifications")
    nsf_codes = models.ManyToManyField(NsfCode, blank=True, related_name="certifications")
    rome_codes = models.ManyToManyField(RomeCode, blank=True, related_name="certifications")

    # Folded code, title and short title: accent-insensitive lookups on any database.
    search_text = models.TextField(blank=True, editable=False)
    # Per-aspect hashes of what the last import said: the fast path of idempotent re-imports.
    fingerprints = models.JSONField(default=dict, blank=True, editable=False)
    imported_at = models.DateTimeField("importée le", null=True, blank=True)

    history = HistoricalRecords(excluded_fields=LONG_TEXT_FIELDS)
    objects = CertificationQuerySet.as_manager()

    class Meta:
        verbose_name = "certification"
        ordering = ["registry", "number"]
        constraints = [
            models.UniqueConstraint(fields=["registry", "number"], name="certification_unique_number"),
            # REG-2: an RS certification never has a level.
            models.CheckConstraint(condition=~Q(registry=Registry.RS) | Q(level__isnull=True), name="rs_has_no_level"),
        ]
        indexes = [
            models.Index(fields=["end_date"]),
            models.Index(fields=["level"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.search_text = certification_search_text(self.code, self.title, self.short_title)
        super().save(*args, **kwargs)

    @property
    def parsed_code(self) -> CertificationCode:
        return CertificationCode(Registry(self.registry), self.number)

    def is_active(self, on: datetime.date | None = None) -> bool:
        """REG-6: past its end date a certification is inactive, whatever the export said."""
        on = on or paris_today()
        return self.declared_active and (self.end_date is None or self.end_date >= on)

    @property
    def active(self) -> bool:
        return self.is_active()

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level or 0, "")

    @property
    def france_competences_url(self) -> str:
        return france_competences_url(self.parsed_code)


class CompetenceBlock(models.Model):
    """A bloc de compétences (REG-3, REG-4). Not a training module."""

    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="blocks")
    code = models.CharField("code", max_length=32)
    title = models.TextField("intitulé", blank=True)
    competences = models.TextField("liste des compétences", blank=True)
    evaluation = models.TextField("modalités d'évaluation", blank=True)
    entry_prerequisites = models.TextField("prérequis spécifiques à l'entrée", blank=True)
    validation_prerequisites = models.TextField("prérequis spécifiques à la validation", blank=True)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "bloc de compétences"
        verbose_name_plural = "blocs de compétences"
        ordering = ["certification", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["certification", "code"], name="block_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Certifier(models.Model):
    """An organisation that awards certifications; matched to entities by SIRET later."""

    # SIRET when known, else the upper-cased name: certifiers without SIRET are real (~31 %).
    key = models.CharField(max_length=255, unique=True, editable=False)
    siret = models.CharField("SIRET", max_length=14, blank=True, db_index=True)
    name = models.CharField("nom", max_length=255)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "certificateur"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CertificationCertifier(models.Model):
    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="certifier_links")
    certifier = models.ForeignKey(Certifier, on_delete=models.PROTECT, related_name="certification_links")
    state = models.CharField(
        "état", max_length=16, choices=AccreditationState.choices, default=AccreditationState.ACTIVE
    )
    state_changed_on = models.DateField("date de dernière modification de l'état", null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "certificateur de la certification"
        ordering = ["certification", "position"]
        constraints = [
            models.UniqueConstraint(fields=["certification", "certifier"], name="certifier_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.certifier} — {self.certification.code}"


class AccreditationSource(models.TextChoices):
    REGISTRY = "registry", "Répertoire France compétences"
    CERTIFIER = "certifier", "Déclarée par le certificateur sur Parcours"


class Accreditation(models.Model):
    """A partner's habilitation on a certification (ACC-7).

    Rows from the registry import are replaced by each import; rows a certifier declares on
    Parcours (source `certifier`) are the certifier's and the import never touches them.
    """

    source = models.CharField(
        "origine", max_length=16, choices=AccreditationSource.choices, default=AccreditationSource.REGISTRY
    )
    granted_by = models.ForeignKey(
        Certifier, null=True, blank=True, on_delete=models.PROTECT, related_name="granted_accreditations"
    )
    starts_on = models.DateField("début", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="accreditations")
    siret = models.CharField("SIRET", max_length=14, blank=True, db_index=True)
    name = models.CharField("nom", max_length=255)
    kind = models.CharField("habilitation", max_length=32, choices=AccreditationKind.choices)
    state = models.CharField(
        "état", max_length=16, choices=AccreditationState.choices, default=AccreditationState.ACTIVE
    )
    active_since = models.DateField("active depuis", null=True, blank=True)
    state_changed_on = models.DateField("date de dernière modification de l'état", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "habilitation"
        ordering = ["certification", "name"]
        constraints = [
            models.UniqueConstraint(fields=["certification", "siret", "name", "kind"], name="accreditation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.get_kind_display()}"


class Replacement(models.Model):
    """REG-7: `old_code` is replaced by `new_code`, possibly across registries.

    Links are declared by either end and the ends may disagree, so codes are kept as text
    (the other end may not be in the database) with who declared the link.
    """

    old_code = models.CharField("ancienne certification", max_length=16, db_index=True)
    new_code = models.CharField("nouvelle certification", max_length=16, db_index=True)
    declared_by_old = models.BooleanField("déclaré par l'ancienne fiche", default=False)
    declared_by_new = models.BooleanField("déclaré par la nouvelle fiche", default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "remplacement"
        constraints = [
            models.UniqueConstraint(fields=["old_code", "new_code"], name="replacement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.old_code} → {self.new_code}"


class RegistryImport(models.Model):
    """One run of the registry import, from the command line or the admin's background task."""

    files = models.JSONField("fichiers", default=list)
    dry_run = models.BooleanField("simulation", default=False)
    status = models.CharField("état", max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    processed = models.PositiveIntegerField("fiches lues", default=0)
    report = models.JSONField("compte rendu", default=dict, blank=True)
    error = models.TextField("erreur", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    # Text, not a foreign key: the registry sits below the accounts app (docs/architecture.md).
    requested_by = models.CharField("demandé par", max_length=255, blank=True)

    class Meta:
        verbose_name = "import du répertoire"
        verbose_name_plural = "imports du répertoire"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import n° {self.pk} ({self.get_status_display()})"
