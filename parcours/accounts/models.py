"""People, the entities they act for, and what those entities are (ACC-1 to ACC-8)."""

import datetime
import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .enums import DocumentKind, EntityKind, MembershipRole, MembershipState, StaffRole


def private_storage() -> FileSystemStorage:
    """Uploads live outside the public static and media files; served only through a view."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


class User(AbstractUser):
    """Logs in by e-mail address (ACC-5); `username` stays for Django's admin tooling."""

    email = models.EmailField("adresse électronique", unique=True)
    staff_role = models.CharField("rôle institutionnel", max_length=32, choices=StaffRole.choices, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "utilisateur"


class Entity(models.Model):
    """An organisation accounts are created for (ACC-1, ACC-2), with what it is (ACC-8)."""

    name = models.CharField("raison sociale ou nom", max_length=255)
    kind = models.CharField("nature", max_length=16, choices=EntityKind.choices, default=EntityKind.ORGANISATION)
    siret = models.CharField("SIRET", max_length=14, null=True, blank=True, unique=True)
    address = models.TextField("adresse", blank=True)
    is_training_organisation = models.BooleanField("organisme de formation", default=False)
    is_certifier = models.BooleanField("certificateur", default=False)
    is_cpne = models.BooleanField("CPNE d'une branche", default=False)
    is_public_establishment = models.BooleanField("établissement public", default=False)
    # Training organisation (ACC-6, ACC-8)
    nda = models.CharField("numéro de déclaration d'activité", max_length=11, blank=True)
    qualiopi_training = models.BooleanField("certifié Qualiopi pour les actions de formation", default=False)
    qualiopi_valid_from = models.DateField("Qualiopi valable du", null=True, blank=True)
    qualiopi_valid_until = models.DateField("Qualiopi valable jusqu'au", null=True, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "entité"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(siret__isnull=False) | ~Q(address=""), name="entity_siret_or_address"),
        ]

    def __str__(self) -> str:
        return self.name

    def qualiopi_valid_on(self, day: datetime.date) -> bool:
        """ACC-6: Qualiopi for « actions de formation », valid on `day`."""
        return (
            self.qualiopi_training
            and (self.qualiopi_valid_from is None or self.qualiopi_valid_from <= day)
            and (self.qualiopi_valid_until is None or day <= self.qualiopi_valid_until)
        )

    @property
    def roles_display(self) -> str:
        labels = [
            label
            for flag, label in (
                (self.is_training_organisation, "organisme de formation"),
                (self.is_certifier, "certificateur"),
                (self.is_cpne, "CPNE"),
                (self.is_public_establishment, "établissement public"),
            )
            if flag
        ]
        return ", ".join(labels) or "—"


class Membership(models.Model):
    """A person's account within an entity: its gestionnaire or a member (ACC-4)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=16, choices=MembershipRole.choices)
    state = models.CharField("état", max_length=16, choices=MembershipState.choices, default=MembershipState.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    reason = models.TextField("motif", blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "rattachement"
        indexes = [models.Index(fields=["entity", "state"]), models.Index(fields=["role", "state"])]
        constraints = [
            # ACC-4: one gestionnaire entité per entity.
            models.UniqueConstraint(
                fields=["entity"],
                condition=Q(role=MembershipRole.MANAGER) & ~Q(state=MembershipState.REJECTED),
                name="one_manager_per_entity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} — {self.entity} ({self.get_role_display()})"

    @property
    def is_validated(self) -> bool:
        return self.state == MembershipState.VALIDATED


class EntityDocument(models.Model):
    """ACC-3: proof of legal existence, mandate. Readable only by the entity's members and staff."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("type", max_length=32, choices=DocumentKind.choices)
    file = models.FileField("fichier", storage=private_storage, upload_to="entity-documents/%Y/%m/")
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField("taille (octets)")
    signed_on = models.DateField("date du mandat", null=True, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "pièce justificative"
        verbose_name_plural = "pièces justificatives"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"


class HolderProfile(models.Model):
    """A CPF account holder (titulaire): the identity a dossier needs, and the CPF balance."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="holder")
    birth_name = models.CharField("nom de naissance", max_length=150)
    birth_date = models.DateField("date de naissance")
    birth_place = models.CharField("lieu de naissance", max_length=150)
    address = models.TextField("adresse")
    phone = models.CharField("téléphone", max_length=20, blank=True)
    cpf_balance = models.DecimalField("solde CPF (€)", max_digits=9, decimal_places=2, default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "titulaire de compte CPF"
        verbose_name_plural = "titulaires de compte CPF"

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email


class ApiToken(models.Model):
    """An entity's API key, sent as `Authorization: Bearer …`. Only its hash is stored."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=100)
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
