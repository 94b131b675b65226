from django import forms

from parcours.accounts.forms import DateInput
from parcours.registry.enums import Registry

from .enums import CLEA_CODES, LONG_TEXT_MAX, STRENGTHS_MAX, TITLE_MAX, CourseType, EnrolmentState, Modality, OfferType
from .models import Action, Session
from .services import ACTION_FIELDS, SESSION_FIELDS

YES_NO = [("1", "Oui"), ("0", "Non")]


def counted(max_length: int, rows: int | None = None) -> forms.Widget:
    attrs = {"maxlength": str(max_length), "data-counter": "1"}
    if rows:
        return forms.Textarea(attrs={**attrs, "rows": str(rows)})
    return forms.TextInput(attrs=attrs)


class OfferStartForm(forms.Form):
    """Step 1: type, certification by registry + digits (OFF-2), blocks (OFF-3, OFF-4), internal id (OFF-7)."""

    offer_type = forms.ChoiceField(label="Type d'offre", choices=OfferType.choices, initial=OfferType.CERTIFYING)
    registry = forms.ChoiceField(label="Répertoire", choices=Registry.choices, required=False)
    digits = forms.CharField(label="Numéro de la certification (chiffres)", max_length=12, required=False)
    clea_code = forms.ChoiceField(label="Certification Cléa", choices=[(c, c) for c in CLEA_CODES], required=False)
    blocks = forms.MultipleChoiceField(label="Blocs de compétences préparés", required=False)
    blocks_customisable = forms.TypedChoiceField(
        label="La liste des blocs pourra-t-elle être personnalisée dans le dossier ?",
        choices=YES_NO,
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    internal_id = forms.CharField(label="Identifiant interne", max_length=64, required=False)

    def __init__(self, *args, block_choices=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["blocks"].choices = list(block_choices)


class OfferDescriptionForm(forms.Form):
    """Step 2: the description (OFF-8 to OFF-14), with live counters."""

    internal_id = forms.CharField(label="Identifiant interne", max_length=64, required=False)
    title = forms.CharField(label="Intitulé de la formation", required=False, widget=counted(TITLE_MAX))
    pedagogical_objectives = forms.CharField(
        label="Objectifs pédagogiques", required=False, widget=counted(LONG_TEXT_MAX, 6)
    )
    content = forms.CharField(label="Contenu de la formation", required=False, widget=counted(LONG_TEXT_MAX, 8))
    strengths = forms.CharField(label="Points forts", required=False, widget=counted(STRENGTHS_MAX, 2))
    expected_results = forms.CharField(label="Résultats attendus", required=False, widget=counted(LONG_TEXT_MAX, 6))
    course_type = forms.ChoiceField(
        label="Type de parcours", choices=[("", "—")] + list(CourseType.choices), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def values(self) -> dict[str, str]:
        """Only the fields the page sent: a partial post never blanks the others."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and k in self.data}


class BlocksForm(forms.Form):
    blocks = forms.MultipleChoiceField(
        label="Blocs de compétences préparés", required=False, widget=forms.CheckboxSelectMultiple
    )
    blocks_customisable = OfferStartForm.base_fields["blocks_customisable"]
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, block_choices=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["blocks"].choices = list(block_choices)


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ACTION_FIELDS  # the service decides what an action is
        widgets = {
            "admission_conditions": forms.Textarea(attrs={"rows": 3}),
            "prerequisites": forms.Textarea(attrs={"rows": 3}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"price_incl_vat": "Laissez 0 pour le calculer à partir du prix HT et du taux de TVA."}

    modality = forms.ChoiceField(label="Modalité", choices=Modality.choices)

    def _post_clean(self) -> None:
        # Model validation is the service's job (same rules for the API and the import).
        pass


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = SESSION_FIELDS
        widgets = {"starts_on": DateInput, "ends_on": DateInput}

    enrolment_state = forms.ChoiceField(label="Inscriptions", choices=EnrolmentState.choices)

    def _post_clean(self) -> None:
        pass


class CatalogueImportForm(forms.Form):
    file = forms.FileField(label="Fichier XML du catalogue (format d'import EDOF, ISO-8859-1 ou UTF-8)")
    dry_run = forms.BooleanField(label="Simulation : vérifier sans rien enregistrer", required=False)

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > 200_000_000:
            raise forms.ValidationError("Le fichier dépasse 200 Mo.")
        return upload
