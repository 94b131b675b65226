"""A training organisation's catalogue: offers, their actions and sessions (OFF-1 to OFF-22, EDO-4)."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from parcours.accounts.models import Entity
from parcours.registry.models import Certification, CompetenceBlock

from .enums import (
    LONG_TEXT_MAX,
    STRENGTHS_MAX,
    TITLE_MAX,
    CourseType,
    EnrolmentState,
    Modality,
    OfferStatus,
    OfferType,
)


class OfferQuerySet(models.QuerySet["Offer"]):
    def of(self, organisation: Entity) -> "OfferQuerySet":
        return self.filter(organisation=organisation).exclude(status=OfferStatus.DELETED)


class Offer(models.Model):
    organisation = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="offers")
    offer_type = models.CharField("type d'offre", max_length=32, choices=OfferType.choices)
    certification = models.ForeignKey(
        Certification, null=True, blank=True, on_delete=models.PROTECT, related_name="offers"
    )
    cpf_code = models.CharField("code CPF", max_length=16, blank=True)
    internal_id = models.CharField("identifiant interne", max_length=64)
    title = models.CharField("intitulé", max_length=TITLE_MAX, blank=True)
    general_objective = models.CharField("objectif général", max_length=64, blank=True)
    pedagogical_objectives = models.TextField("objectifs pédagogiques", max_length=LONG_TEXT_MAX, blank=True)
    content = models.TextField("contenu de la formation", max_length=LONG_TEXT_MAX, blank=True)
    strengths = models.CharField("points forts", max_length=STRENGTHS_MAX, blank=True)
    expected_results = models.TextField("résultats attendus", max_length=LONG_TEXT_MAX, blank=True)
    course_type = models.CharField("type de parcours", max_length=8, choices=CourseType.choices, blank=True)
    # OFF-4: None until answered; only asked when the certification has blocks.
    blocks_customisable = models.BooleanField("blocs personnalisables dans le dossier", null=True, blank=True)
    formacode = models.CharField("Formacode", max_length=16, blank=True)
    nsf_code = models.CharField("code NSF", max_length=16, blank=True)
    status = models.CharField("statut", max_length=16, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    # OFF-16: the block list changed; description and actions must be updated.
    blocks_changed_at = models.DateTimeField("liste des blocs modifiée le", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()
    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = "offre de formation"
        verbose_name_plural = "offres de formation"
        ordering = ["-updated_at"]
        constraints = [
            # OFF-7: the internal identifier is unique in the organisation's catalogue.
            models.UniqueConstraint(
                fields=["organisation", "internal_id"],
                condition=~Q(status=OfferStatus.DELETED),
                name="offer_internal_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"]), models.Index(fields=["certification", "status"])]

    def __str__(self) -> str:
        return f"{self.internal_id} — {self.title or self.get_offer_type_display()}"


class OfferBlock(models.Model):
    """A block the offer prepares (OFF-3). The code is kept: the registry may drop the block (OFF-22)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="offer_blocks")
    block = models.ForeignKey(CompetenceBlock, null=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField("code du bloc", max_length=32)

    class Meta:
        verbose_name = "bloc préparé"
        verbose_name_plural = "blocs préparés"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["offer", "code"], name="offer_block_unique")]

    def __str__(self) -> str:
        return self.code


class Action(models.Model):
    """An action of an offer (OFF-17, EDO-4): where, how, how long, at what price."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="actions")
    internal_id = models.CharField("identifiant interne", max_length=64)
    modality = models.CharField("modalité", max_length=16, choices=Modality.choices, default=Modality.ON_SITE)
    place_name = models.CharField("lieu", max_length=255, blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("ville", max_length=100, blank=True)
    hours_in_centre = models.PositiveIntegerField("heures en centre", default=0)
    hours_in_company = models.PositiveIntegerField("heures en entreprise", default=0)
    price_excl_vat = models.DecimalField("prix HT (€)", max_digits=9, decimal_places=2, default=0)
    vat_rate = models.DecimalField("taux de TVA (%)", max_digits=5, decimal_places=2, default=20)
    price_incl_vat = models.DecimalField("prix TTC (€)", max_digits=9, decimal_places=2, default=0)
    exam_fees_included = models.BooleanField("frais d'examen inclus", default=True)
    admission_conditions = models.TextField("conditions d'admission", max_length=LONG_TEXT_MAX, blank=True)
    prerequisites = models.TextField("prérequis", max_length=LONG_TEXT_MAX, blank=True)
    accessibility = models.TextField("accessibilité aux personnes handicapées", max_length=LONG_TEXT_MAX, blank=True)
    contact_name = models.CharField("contact : nom", max_length=150, blank=True)
    contact_email = models.EmailField("contact : courriel", blank=True)
    contact_phone = models.CharField("contact : téléphone", max_length=20, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "action de formation"
        verbose_name_plural = "actions de formation"
        ordering = ["internal_id"]
        constraints = [models.UniqueConstraint(fields=["offer", "internal_id"], name="action_internal_id_unique")]

    def __str__(self) -> str:
        return f"{self.internal_id} — {self.get_modality_display()} {self.city}".strip()

    @property
    def total_hours(self) -> int:
        return self.hours_in_centre + self.hours_in_company


class Session(models.Model):
    """A session of an action (OFF-17)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="sessions")
    internal_id = models.CharField("identifiant interne", max_length=64)
    starts_on = models.DateField("début", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    enrolment_state = models.CharField(
        "inscriptions", max_length=16, choices=EnrolmentState.choices, default=EnrolmentState.OPEN
    )
    capacity = models.PositiveIntegerField("places", null=True, blank=True)
    registration_address = models.CharField("adresse d'inscription", max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "session"
        ordering = ["starts_on", "internal_id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "internal_id"], name="session_internal_id_unique"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="session_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["starts_on"])]

    def __str__(self) -> str:
        return f"{self.internal_id} ({self.starts_on or '—'} → {self.ends_on or '—'})"


class OfferEvent(models.Model):
    """The offer's log: who did what, when (house style: a transition log beside the history)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.from_status}→{self.to_status}"
