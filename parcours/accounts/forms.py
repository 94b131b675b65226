"""Sign-up forms (allauth) and the forms of the accounts pages. Rules live in services/rules."""

import datetime

from allauth.account.forms import SignupForm
from allauth.account.models import EmailAddress
from django import forms
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from parcours.core.errors import DomainError
from parcours.registry.enums import AccreditationKind
from parcours.registry.models import paris_today

from .enums import LEGAL_DOCUMENT_KINDS, DocumentKind, EntityKind
from .models import User
from .services import EntityDetails, Upload, attach_to_entity, check_entity_details, create_holder_profile


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    visible = error.field in form.fields and not form.fields[error.field].widget.is_hidden
    field = error.field if visible else None
    message = f"{error.message} (règle {error.rule})" if error.rule else error.message
    form.add_error(field, message)


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (YYYY-MM-DD) whatever the language, else a French
    browser shows the field empty and saving the form would clear the date."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # type: ignore[no-untyped-def]
        super().__init__(attrs, format=format or "%Y-%m-%d")


class EmailCheckMixin:
    def clean_email(self):  # type: ignore[no-untyped-def]
        """ACC-5: signing up again with the same address offers to resend the activation mail."""
        email = self.cleaned_data["email"].strip().lower()  # type: ignore[attr-defined]
        existing = EmailAddress.objects.filter(email__iexact=email).first()
        if existing is None and not User.objects.filter(email__iexact=email).exists():
            return email
        if existing is not None and not existing.verified:
            url = reverse("accounts:resend_activation") + f"?email={email}"
            raise forms.ValidationError(
                format_html(
                    "Un compte existe déjà avec cette adresse mais n'est pas encore activé. "
                    '<a href="{}">Renvoyer le lien d\'activation</a>.',
                    url,
                )
            )
        raise forms.ValidationError(
            "Un compte existe déjà avec cette adresse : connectez-vous, ou utilisez « Mot de passe oublié »."
        )


class ProfessionalSignupForm(EmailCheckMixin, SignupForm):
    """The person, then the entity (ACC-1 to ACC-4, ACC-8)."""

    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    siret = forms.CharField(
        label="SIRET de l'entité",
        required=False,
        max_length=20,
        help_text="14 chiffres sans espaces ; pour une université ou une école publique, celui du siège. "
        "Laissez vide si l'entité n'en a pas.",
    )
    name = forms.CharField(label="Nom de l'entité", required=False, max_length=255)
    address = forms.CharField(
        label="Adresse de l'entité (obligatoire sans SIRET)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(
        label="Nature de l'entité",
        choices=EntityKind.choices,
        initial=EntityKind.ORGANISATION,
        help_text="Les universités et les écoles publiques ne sont pas des ministères.",
    )
    is_training_organisation = forms.BooleanField(label="Organisme de formation", required=False)
    is_certifier = forms.BooleanField(label="Certificateur", required=False)
    is_cpne = forms.BooleanField(label="CPNE d'une branche professionnelle", required=False)
    is_public_establishment = forms.BooleanField(label="Établissement public", required=False)
    nda = forms.CharField(
        label="Numéro de déclaration d'activité (organisme de formation)", required=False, max_length=11
    )
    qualiopi_training = forms.BooleanField(label="Certifié Qualiopi pour les actions de formation", required=False)
    qualiopi_valid_until = forms.DateField(
        label="Certification Qualiopi valable jusqu'au", required=False, widget=DateInput
    )
    legal_document_kind = forms.ChoiceField(
        label="Preuve de l'existence légale",
        choices=[(k.value, k.label) for k in LEGAL_DOCUMENT_KINDS],
        required=False,
    )
    legal_document = forms.FileField(label="Document justificatif", required=False)
    named_on_legal_document = forms.BooleanField(
        label="Mon nom figure sur ce document (sinon, un mandat est demandé)", required=False
    )
    mandate = forms.FileField(label="Mandat me désignant « administrateur entité »", required=False)
    mandate_date = forms.DateField(label="Date du mandat (moins de 3 mois)", required=False, widget=DateInput)

    person_fields = ["email", "first_name", "last_name", "password1", "password2"]

    def entity_fields(self):  # type: ignore[no-untyped-def]
        return [self[name] for name in self.fields if name not in self.person_fields]

    def person_bound_fields(self):  # type: ignore[no-untyped-def]
        return [self[name] for name in self.person_fields if name in self.fields]

    def details(self) -> EntityDetails:
        data = self.cleaned_data
        return EntityDetails(
            siret=(self.data.get("siret") or "").strip() if not data.get("siret") else data["siret"],
            name=data.get("name") or "",
            address=data.get("address") or "",
            kind=data.get("kind") or EntityKind.ORGANISATION,
            is_training_organisation=bool(data.get("is_training_organisation")),
            is_certifier=bool(data.get("is_certifier")),
            is_cpne=bool(data.get("is_cpne")),
            is_public_establishment=bool(data.get("is_public_establishment")),
            nda=data.get("nda") or "",
            qualiopi_training=bool(data.get("qualiopi_training")),
            qualiopi_valid_until=data.get("qualiopi_valid_until"),
            legal_document_kind=data.get("legal_document_kind") or DocumentKind.KBIS,
            legal_document=_upload(data.get("legal_document")),
            named_on_legal_document=bool(data.get("named_on_legal_document")),
            mandate=_upload(data.get("mandate")),
            mandate_date=data.get("mandate_date"),
        )

    def clean_siret(self) -> str:
        # Kept raw: the rule (ACC-2) reports spaces and bad keys with its own message.
        return self.data.get("siret", "")

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        if not self.errors:
            for error in check_entity_details(self.details(), paris_today()):
                add_domain_error(self, error)
        return cleaned

    def save(self, request):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            user = super().save(request)
            user.first_name = self.cleaned_data["first_name"]
            user.last_name = self.cleaned_data["last_name"]
            user.save(update_fields=["first_name", "last_name"])
            attach_to_entity(user, self.details(), paris_today())
        return user


class HolderSignupForm(EmailCheckMixin, SignupForm):
    """A CPF account holder signs up alone, with the identity a dossier needs."""

    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom d'usage", max_length=150)
    birth_name = forms.CharField(label="Nom de naissance", max_length=150)
    birth_date = forms.DateField(label="Date de naissance", widget=DateInput)
    birth_place = forms.CharField(label="Lieu de naissance", max_length=150)
    address = forms.CharField(label="Adresse postale", widget=forms.Textarea(attrs={"rows": 2}))
    phone = forms.CharField(label="Téléphone", max_length=20, required=False)

    def clean_birth_date(self) -> datetime.date:
        value = self.cleaned_data["birth_date"]
        if value >= paris_today():
            raise forms.ValidationError("La date de naissance doit être passée.")
        return value  # type: ignore[no-any-return]

    def save(self, request):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            user = super().save(request)
            user.first_name = self.cleaned_data["first_name"]
            user.last_name = self.cleaned_data["last_name"]
            user.save(update_fields=["first_name", "last_name"])
            create_holder_profile(
                user,
                birth_name=self.cleaned_data["birth_name"],
                birth_date=self.cleaned_data["birth_date"],
                birth_place=self.cleaned_data["birth_place"],
                address=self.cleaned_data["address"],
                phone=self.cleaned_data["phone"],
            )
        return user


def _upload(file) -> Upload | None:  # type: ignore[no-untyped-def]
    if not file:
        return None
    return Upload(name=file.name, size=file.size, stream=file)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Valider"), ("reject", "Refuser")])
    reason = forms.CharField(label="Motif du refus", required=False, max_length=1000)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Nom du jeton", max_length=100, help_text="Par exemple « logiciel de gestion ».")


class ResendActivationForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique")


class PartnerForm(forms.Form):
    certification = forms.ChoiceField(label="Certification")
    siret = forms.CharField(label="SIRET de l'organisme partenaire", max_length=20)
    name = forms.CharField(label="Nom de l'organisme (si inconnu de Parcours)", max_length=255, required=False)
    kind = forms.ChoiceField(label="Habilitation", choices=AccreditationKind.choices)
    starts_on = forms.DateField(label="Début", required=False, widget=DateInput)
    ends_on = forms.DateField(label="Fin", required=False, widget=DateInput)

    def __init__(self, *args, certifications=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["certification"].choices = [(c.code, f"{c.code} — {c.title}") for c in certifications]
