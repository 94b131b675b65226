from django import forms

from parcours.catalogue.enums import Modality
from parcours.registry.enums import Registry

from .engine import Filters


class SearchForm(forms.Form):
    q = forms.CharField(label="Métier, formation, certification, organisme", required=False, max_length=200)
    registry = forms.ChoiceField(label="Répertoire", required=False, choices=[("", "Tous")] + list(Registry.choices))
    level = forms.TypedChoiceField(
        label="Niveau",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Tous")] + [(str(n), f"Niveau {n}") for n in range(3, 9)],
    )
    modality = forms.ChoiceField(label="Modalité", required=False, choices=[("", "Toutes")] + list(Modality.choices))
    department = forms.CharField(label="Département (ex. 69)", required=False, max_length=3)
    perimeter = forms.ChoiceField(
        label="Périmètre",
        required=False,
        choices=[("", "Tous"), ("complete", "Certification complète"), ("partial", "Certification partielle")],
    )
    customisable = forms.ChoiceField(
        label="Blocs personnalisables", required=False, choices=[("", "Indifférent"), ("1", "Oui")]
    )
    price_max = forms.DecimalField(
        label="Prix maximum (€ TTC)", required=False, min_value=0, max_digits=9, decimal_places=2
    )
    starts_after = forms.DateField(
        label="Début après le", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_before = forms.DateField(
        label="Début avant le", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(
            q=data.get("q") or "",
            registry=data.get("registry") or "",
            level=data.get("level"),
            modality=data.get("modality") or "",
            department=(data.get("department") or "").strip(),
            perimeter=data.get("perimeter") or "",
            customisable=True if data.get("customisable") == "1" else None,
            price_max=float(data["price_max"]) if data.get("price_max") is not None else None,
            starts_after=data.get("starts_after"),
            starts_before=data.get("starts_before"),
        )
