"""Forms of the dossier pages: they collect and parse; every rule is the services' (house style).

Fields are optional unless the browser cannot send a sensible value otherwise: an empty value goes
to the service, which answers with the rule and the French message.
"""

from django import forms

from parcours.accounts.forms import DateInput
from parcours.catalogue.enums import LONG_TEXT_MAX, TITLE_MAX
from parcours.catalogue.forms import counted

from .commercial import TERMS_FIELDS
from .enums import ExitReason
from .models import CommercialTerms
from .rules import CONFIRMABLE

YES_NO = [("1", "Oui"), ("0", "Non")]


def decimal(label: str, **kwargs) -> forms.DecimalField:  # type: ignore[no-untyped-def]
    return forms.DecimalField(label=label, required=False, decimal_places=2, max_digits=9, **kwargs)


def iso_date() -> forms.DateInput:
    """A date picker: its value is an ISO date whatever the language (HTML spec)."""
    return DateInput(format="%Y-%m-%d")


def date(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=iso_date())


class AnyCodesField(forms.MultipleChoiceField):
    """Codes as posted: the service names the unknown ones (DOS-3, DOS-4)."""

    def valid_value(self, value: str) -> bool:
        return True


class ProposalForm(forms.Form):
    """« Modifier le dossier » (DOS-2 to DOS-4). The block list is rendered only on a personalisable
    dossier; `blocks_sent` says the checkboxes were on the page (none ticked sends nothing)."""

    title = forms.CharField(label="Intitulé", required=False, widget=counted(TITLE_MAX))
    pedagogical_objectives = forms.CharField(
        label="Objectifs pédagogiques", required=False, widget=counted(LONG_TEXT_MAX, 5)
    )
    content = forms.CharField(label="Contenu de la formation", required=False, widget=counted(LONG_TEXT_MAX, 6))
    expected_results = forms.CharField(label="Résultats attendus", required=False, widget=counted(LONG_TEXT_MAX, 4))
    session_starts_on = date("Début de la session")
    session_ends_on = date("Fin de la session")
    duration_hours = forms.DecimalField(label="Durée totale (heures)", required=False, decimal_places=1, max_digits=7)
    price_excl_vat = decimal("Prix HT (€)")
    vat_rate = decimal("Taux de TVA (%)")
    exam_fees_excl_vat = decimal("Frais d'examen HT (€)")
    price_detail = forms.CharField(label="Détail du prix", required=False, widget=counted(LONG_TEXT_MAX, 3))
    blocks = AnyCodesField(
        label="Blocs de compétences de la commande", required=False, widget=forms.CheckboxSelectMultiple
    )
    blocks_sent = forms.BooleanField(required=False, widget=forms.HiddenInput)
    confirm_unchanged = AnyCodesField(label="Maintien confirmé", required=False, widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput)

    VALUE_FIELDS = (
        "title",
        "pedagogical_objectives",
        "content",
        "expected_results",
        "session_starts_on",
        "session_ends_on",
        "duration_hours",
        "price_excl_vat",
        "vat_rate",
        "exam_fees_excl_vat",
        "price_detail",
    )

    def __init__(self, *args, block_choices=(), confirmable=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["blocks"].choices = list(block_choices)
        self.fields["confirm_unchanged"].choices = [
            (group, f"Je confirme maintenir {CONFIRMABLE[group][1]} pour le nouveau périmètre") for group in confirmable
        ]

    def values(self) -> dict[str, object]:
        """Only the fields the person changed: a partial post never blanks the others, and the log
        names what changed."""
        return {k: self.cleaned_data[k] for k in self.VALUE_FIELDS if k in self.changed_data}

    def block_codes(self) -> list[str] | None:
        """None when the page did not carry the block list."""
        if self.cleaned_data.get("blocks_sent") or self.cleaned_data.get("blocks"):
            return list(self.cleaned_data["blocks"])
        return None


class VersionForm(forms.Form):
    """Confirms what was shown, at the version shown (DOS-5)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AcceptForm(VersionForm):
    pay_remainder = forms.BooleanField(label="Je paie le reste", required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(ReasonForm):
    confirmed_fee = forms.DecimalField(widget=forms.HiddenInput, decimal_places=2, max_digits=9)


class EntryForm(forms.Form):
    entered_on = date("Date d'entrée en formation")


class ExitForm(forms.Form):
    exited_on = date("Date de sortie de formation")
    exit_reason = forms.ChoiceField(
        label="Motif de sortie", required=False, choices=[("", "— Choisissez le motif —"), *ExitReason.choices]
    )


class ServiceDoneForm(forms.Form):
    completion_rate = forms.DecimalField(label="Taux de réalisation (%)", decimal_places=2, max_digits=5)
    absence_hours = forms.DecimalField(
        label="Absences (heures)", required=False, decimal_places=1, max_digits=7, help_text="Vide : aucune."
    )
    force_majeure = forms.BooleanField(label="Absences pour cas de force majeure", required=False)

    def clean_absence_hours(self):  # type: ignore[no-untyped-def]
        return self.cleaned_data.get("absence_hours") or 0


class EvaluationForm(forms.Form):
    """DOS-7 (a block) or REG-8 (the final evaluation: `block` empty)."""

    block = forms.CharField(required=False, widget=forms.HiddenInput)
    scheduled_on = date("Date de l'évaluation", required=True)
    place = forms.CharField(label="Lieu", required=False, max_length=255)
    organiser = forms.CharField(label="Organisateur", required=False, max_length=255)

    def block_code(self) -> str | None:
        return self.cleaned_data.get("block") or None


class ResultForm(forms.Form):
    block = forms.CharField(required=False, widget=forms.HiddenInput)
    passed = forms.TypedChoiceField(
        label="Évaluation réussie ?", choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    result_on = date("Date du résultat", required=True)

    def block_code(self) -> str | None:
        return self.cleaned_data.get("block") or None


class PositioningForm(forms.Form):
    held_on = date("Date de l'entretien", required=True)
    proof = forms.FileField(label="Preuve de l'entretien")


class BillForm(forms.Form):
    invoice_number = forms.CharField(label="Numéro de la facture", required=False, max_length=64)
    amount = decimal("Montant facturé TTC (€)")


class CommercialTermsForm(forms.ModelForm):
    class Meta:
        model = CommercialTerms
        fields = TERMS_FIELDS

    def _post_clean(self) -> None:
        # The service checks the terms (COM-1, COM-2, COM-8), for the page as for the API.
        pass


class ModulePriceForm(forms.Form):
    label = forms.CharField(label="Module", max_length=255)
    days = forms.DecimalField(label="Durée (jours)", decimal_places=1, max_digits=4)
    price_excl_vat = forms.DecimalField(label="Prix HT (€)", decimal_places=2, max_digits=9)
