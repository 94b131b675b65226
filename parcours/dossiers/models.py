"""Enrolment dossiers and their proposition de commande (DOS-1 to DOS-9, EDO-1 to EDO-3, COM-1 to COM-8).

A dossier copies the offer at enrolment (DOS-1): later changes to the offer, its action or session
never reach it (OFF-16), so the catalogue foreign keys are only a trace (SET_NULL).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from parcours.accounts.models import Entity, HolderProfile, User, private_storage
from parcours.catalogue.enums import LONG_TEXT_MAX, TITLE_MAX
from parcours.catalogue.models import Action, Offer, Session
from parcours.registry.models import Certification, CompetenceBlock

from .enums import (
    DEFAULT_FREE_ABOVE_DAYS,
    DEFAULT_FULL_BELOW_DAYS,
    DEFAULT_HOURS_PER_DAY,
    DEFAULT_LATE_PAYMENT_MULTIPLIER,
    DEFAULT_PARTIAL_RATE,
    FINAL_STATES,
    AttestationKind,
    DayKind,
    DeadlineKind,
    DossierState,
    EvaluationResult,
    ExitReason,
    MovementKind,
    WaitingState,
)


class DossierQuerySet(models.QuerySet["Dossier"]):
    def of_organisation(self, organisation: Entity) -> "DossierQuerySet":
        return self.filter(organisation=organisation)

    def of_holder(self, holder: User) -> "DossierQuerySet":
        return self.filter(holder=holder)

    def open(self) -> "DossierQuerySet":
        return self.exclude(state__in=FINAL_STATES)


class Dossier(models.Model):
    """A holder's enrolment in a session (dossier de formation), with its proposition de commande."""

    organisation = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="dossiers")
    holder = models.ForeignKey(User, on_delete=models.PROTECT, related_name="dossiers")
    offer = models.ForeignKey(Offer, null=True, on_delete=models.SET_NULL, related_name="dossiers")
    action = models.ForeignKey(Action, null=True, on_delete=models.SET_NULL, related_name="dossiers")
    session = models.ForeignKey(Session, null=True, on_delete=models.SET_NULL, related_name="dossiers")
    certification = models.ForeignKey(Certification, null=True, on_delete=models.SET_NULL, related_name="dossiers")
    certification_code = models.CharField("certification", max_length=16, blank=True)
    # DOS-1: the offer as it was at enrolment, for DOS-4's comparison; never changed afterwards.
    offer_copy = models.JSONField("offre à l'inscription", default=dict, editable=False)
    blocks_customisable = models.BooleanField("blocs personnalisables", default=False)  # DOS-3, copied
    # REG-8: the certifier requires a final evaluation beyond the blocks (see rules.final_evaluation_required).
    final_evaluation_required = models.BooleanField("évaluation finale exigée", default=False)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")

    state = models.CharField("état", max_length=32, choices=DossierState.choices, default=DossierState.NOT_PROCESSED)
    version = models.PositiveIntegerField(default=1)

    # The proposition de commande (DOS-2, DOS-4, DOS-6)
    title = models.CharField("intitulé", max_length=TITLE_MAX)
    pedagogical_objectives = models.TextField("objectifs pédagogiques", max_length=LONG_TEXT_MAX, blank=True)
    content = models.TextField("contenu de la formation", max_length=LONG_TEXT_MAX, blank=True)
    expected_results = models.TextField("résultats attendus", max_length=LONG_TEXT_MAX, blank=True)
    duration_hours = models.DecimalField("durée totale (heures)", max_digits=7, decimal_places=1, default=0)
    price_excl_vat = models.DecimalField("prix HT (€)", max_digits=9, decimal_places=2, default=Decimal(0))
    vat_rate = models.DecimalField("taux de TVA (%)", max_digits=5, decimal_places=2, default=Decimal(20))
    price_incl_vat = models.DecimalField("prix TTC (€)", max_digits=9, decimal_places=2, default=Decimal(0))
    exam_fees_excl_vat = models.DecimalField(
        "frais d'examen HT (€)", max_digits=9, decimal_places=2, default=Decimal(0)
    )
    exam_fees_incl_vat = models.DecimalField(
        "frais d'examen TTC (€)", max_digits=9, decimal_places=2, default=Decimal(0)
    )
    price_detail = models.TextField("détail du prix", max_length=LONG_TEXT_MAX, blank=True)
    session_starts_on = models.DateField("début de la session", null=True, blank=True)
    session_ends_on = models.DateField("fin de la session", null=True, blank=True)
    # DOS-4: {"duration": {"by": user id, "at": ISO date-time}, "price": {...}}
    unchanged_confirmations = models.JSONField("maintiens confirmés", default=dict, blank=True)

    # EDO-2: the one deadline the dossier waits on
    deadline_kind = models.CharField("échéance", max_length=32, choices=DeadlineKind.choices, blank=True)
    deadline_on = models.DateField("date d'échéance", null=True, blank=True)

    # The facts of each step (EDO-1, EDO-3)
    validated_on = models.DateField("validé le", null=True, blank=True)
    accepted_on = models.DateField("accepté le", null=True, blank=True)
    entered_on = models.DateField("entrée en formation le", null=True, blank=True)
    exited_on = models.DateField("sortie de formation le", null=True, blank=True)
    exit_reason = models.CharField("motif de sortie", max_length=32, choices=ExitReason.choices, blank=True)
    service_declared_on = models.DateField("service fait déclaré le", null=True, blank=True)
    completion_rate = models.DecimalField("taux de réalisation (%)", max_digits=5, decimal_places=2, null=True)
    absence_hours = models.DecimalField("absences (heures)", max_digits=7, decimal_places=1, null=True)
    force_majeure = models.BooleanField("absences pour force majeure", default=False)
    service_validated_on = models.DateField("service fait validé le", null=True, blank=True)
    control_opened_on = models.DateField("contrôle ouvert le", null=True, blank=True)
    control_reason = models.TextField("motif du contrôle", blank=True)
    invoice_number = models.CharField("numéro de facture", max_length=64, blank=True)
    billed_amount = models.DecimalField("montant facturé (€)", max_digits=9, decimal_places=2, null=True)
    billed_on = models.DateField("facturé le", null=True, blank=True)
    paid_on = models.DateField("payé le", null=True, blank=True)
    closing_reason = models.TextField("motif du refus ou de l'annulation", blank=True)
    closed_on = models.DateField("clos le", null=True, blank=True)

    # Money (EDO-1 acceptance, COM-2 cancellation): what the CPF and the holder paid, and got back
    cpf_amount = models.DecimalField("débité du CPF (€)", max_digits=9, decimal_places=2, default=Decimal(0))
    holder_amount = models.DecimalField("reste à charge payé (€)", max_digits=9, decimal_places=2, default=Decimal(0))
    cancellation_fee = models.DecimalField("frais d'annulation (€)", max_digits=9, decimal_places=2, default=Decimal(0))
    cpf_credited = models.DecimalField("recrédité sur le CPF (€)", max_digits=9, decimal_places=2, default=Decimal(0))
    holder_refund = models.DecimalField(
        "reste à charge remboursé (€)", max_digits=9, decimal_places=2, default=Decimal(0)
    )

    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    # The offer's copy never changes after enrolment: kept once, out of every history row.
    history = HistoricalRecords(excluded_fields=["offer_copy"])
    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "dossier de formation"
        verbose_name_plural = "dossiers de formation"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "state"]),
            models.Index(fields=["holder", "state"]),
            models.Index(fields=["deadline_kind", "deadline_on"]),
            models.Index(fields=["session", "state"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(session_starts_on__isnull=True)
                | Q(session_ends_on__isnull=True)
                | Q(session_ends_on__gte=models.F("session_starts_on")),
                name="dossier_session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(cpf_credited__lte=models.F("cpf_amount")), name="dossier_credit_le_debit"
            ),
        ]

    def __str__(self) -> str:
        return f"Dossier n° {self.pk} — {self.title}"

    @property
    def total_excl_vat(self) -> Decimal:
        return self.price_excl_vat + self.exam_fees_excl_vat

    @property
    def total_incl_vat(self) -> Decimal:
        """What the holder's CPF pays for (with the exam fees when they are not in the price)."""
        return self.price_incl_vat + self.exam_fees_incl_vat

    @property
    def is_read_only(self) -> bool:
        """DOS-5: once validated, the proposition can no longer be modified."""
        return self.state != DossierState.NOT_PROCESSED

    def block_codes(self) -> list[str]:
        return [block.code for block in self.blocks.all()]


class DossierBlock(models.Model):
    """A bloc de compétences in the order (DOS-3). The code is kept if the registry drops the block."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="blocks")
    block = models.ForeignKey(CompetenceBlock, null=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField("code du bloc", max_length=32)
    title = models.TextField("intitulé", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "bloc du dossier"
        verbose_name_plural = "blocs du dossier"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["dossier", "code"], name="dossier_block_unique")]

    def __str__(self) -> str:
        return self.code


class Evaluation(models.Model):
    """The trainee's registration for a block's evaluation (DOS-7), or for the final one (REG-8), and its result."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="evaluations")
    dossier_block = models.OneToOneField(
        DossierBlock, null=True, blank=True, on_delete=models.CASCADE, related_name="evaluation"
    )
    scheduled_on = models.DateField("date de l'évaluation")
    place = models.CharField("lieu", max_length=255)
    organiser = models.CharField("organisateur", max_length=255)
    registered_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    registered_at = models.DateTimeField("inscrit le", auto_now_add=True)
    result = models.CharField(
        "résultat", max_length=16, choices=EvaluationResult.choices, default=EvaluationResult.PENDING
    )
    result_on = models.DateField("résultat du", null=True, blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "inscription à une évaluation"
        verbose_name_plural = "inscriptions aux évaluations"
        ordering = ["scheduled_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(dossier_block__isnull=True), name="one_final_evaluation_per_dossier"
            ),
        ]

    def __str__(self) -> str:
        what = self.dossier_block.code if self.dossier_block else "évaluation finale"
        return f"{what} le {self.scheduled_on:%d/%m/%Y}"

    @property
    def is_final(self) -> bool:
        return self.dossier_block_id is None


class Attestation(models.Model):
    """Block (REG-9), certification (REG-8), training and attendance (COM-6) attestations."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attestations")
    kind = models.CharField("type", max_length=16, choices=AttestationKind.choices)
    dossier_block = models.ForeignKey(
        DossierBlock, null=True, blank=True, on_delete=models.CASCADE, related_name="attestations"
    )
    issued_on = models.DateField("délivrée le")
    issued_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    details = models.JSONField("contenu", default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "attestation"
        ordering = ["issued_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "dossier_block"],
                condition=Q(kind=AttestationKind.BLOCK),
                name="one_block_attestation",
            ),
            models.UniqueConstraint(
                fields=["dossier", "kind"],
                condition=Q(kind__in=[AttestationKind.CERTIFICATION, AttestationKind.TRAINING]),
                name="one_certification_and_training_attestation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.issued_on:%d/%m/%Y})"


class PositioningInterview(models.Model):
    """DOS-8: the positioning interview and its proof, kept for controls (DOS-9). Private file."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="positioning")
    held_on = models.DateField("entretien du")
    file = models.FileField("preuve", storage=private_storage, upload_to="positioning-proofs/%Y/%m/")
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "entretien de positionnement"
        verbose_name_plural = "entretiens de positionnement"

    def __str__(self) -> str:
        return f"Entretien du {self.held_on:%d/%m/%Y}"


class DossierEvent(models.Model):
    """The dossier's log: who did what, when, from which state to which (house style)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=32)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.from_state}→{self.to_state}"


class BalanceMovement(models.Model):
    """The CPF balance ledger: a dossier debits the holder at most once and credits back at most once."""

    holder = models.ForeignKey(HolderProfile, on_delete=models.PROTECT, related_name="movements")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField("mouvement", max_length=8, choices=MovementKind.choices)
    amount = models.DecimalField("montant (€)", max_digits=9, decimal_places=2)
    balance_after = models.DecimalField("solde après (€)", max_digits=9, decimal_places=2)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "mouvement du solde CPF"
        verbose_name_plural = "mouvements du solde CPF"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind"], name="one_movement_of_each_kind_per_dossier"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="movement_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} €"


class CommercialTerms(models.Model):
    """A training organisation's commercial terms (COM-1, COM-2, COM-7, COM-8). Defaults: the CGV's."""

    organisation = models.OneToOneField(Entity, on_delete=models.CASCADE, related_name="commercial_terms")
    vat_rate = models.DecimalField("taux de TVA (%)", max_digits=5, decimal_places=2, default=Decimal(20))
    day_price_excl_vat = models.DecimalField(
        "prix d'une journée HT (€)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    half_day_price_excl_vat = models.DecimalField(
        "prix d'une demi-journée HT (€)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    coaching_day_price_excl_vat = models.DecimalField(
        "accompagnement : prix par jour et par personne HT (€)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    certification_fee_excl_vat = models.DecimalField(
        "coût d'accès à la certification HT (€)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    hours_per_day = models.DecimalField(
        "durée d'une journée (heures)", max_digits=4, decimal_places=1, default=DEFAULT_HOURS_PER_DAY
    )
    late_payment_multiplier = models.DecimalField(
        "pénalités de retard (× taux d'intérêt légal)",
        max_digits=4,
        decimal_places=2,
        default=Decimal(DEFAULT_LATE_PAYMENT_MULTIPLIER),
    )
    # COM-2: more than `free_above_days` before the start: no fee; from `full_below_days` to
    # `free_above_days`: `partial_rate` % of the price excl. VAT; fewer than `full_below_days`: 100 %.
    free_above_days = models.PositiveSmallIntegerField("sans frais au-delà de (jours)", default=DEFAULT_FREE_ABOVE_DAYS)
    full_below_days = models.PositiveSmallIntegerField(
        "frais de 100 % en deçà de (jours)", default=DEFAULT_FULL_BELOW_DAYS
    )
    partial_rate = models.PositiveSmallIntegerField("frais entre les deux (%)", default=DEFAULT_PARTIAL_RATE)
    # The CGV count « jours ouvrables » (Monday to Saturday).
    day_kind = models.CharField("jours comptés", max_length=16, choices=DayKind.choices, default=DayKind.BUSINESS)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "conditions commerciales"
        verbose_name_plural = "conditions commerciales"

    def __str__(self) -> str:
        return f"Conditions commerciales de {self.organisation}"


class ModulePrice(models.Model):
    """COM-1: a modular price (a 2-day module 1 500 €, 1 day 800 €…)."""

    terms = models.ForeignKey(CommercialTerms, on_delete=models.CASCADE, related_name="modules")
    label = models.CharField("module", max_length=255)
    days = models.DecimalField("durée (jours)", max_digits=4, decimal_places=1)
    price_excl_vat = models.DecimalField("prix HT (€)", max_digits=9, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "prix d'un module"
        verbose_name_plural = "prix des modules"
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["terms", "label"], name="module_price_label_unique")]

    def __str__(self) -> str:
        return f"{self.label} — {self.price_excl_vat} € HT"


class WaitingListEntry(models.Model):
    """COM-5: a holder waiting for a place in a full session, in order of arrival."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="waiting_list")
    holder = models.ForeignKey(User, on_delete=models.CASCADE, related_name="waiting_list_entries")
    state = models.CharField("état", max_length=16, choices=WaitingState.choices, default=WaitingState.WAITING)
    offered_on = models.DateField("place proposée le", null=True, blank=True)
    respond_by = models.DateField("à saisir avant le", null=True, blank=True)
    dossier = models.OneToOneField(
        Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="waiting_list_entry"
    )
    created_at = models.DateTimeField("inscrit le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "inscription en liste d'attente"
        verbose_name_plural = "liste d'attente"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["session", "state"]), models.Index(fields=["state", "respond_by"])]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "holder"],
                condition=Q(state__in=[WaitingState.WAITING, WaitingState.OFFERED]),
                name="one_active_waiting_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} — {self.get_state_display()}"
