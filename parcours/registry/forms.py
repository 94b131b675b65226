from django import forms

from .enums import Registry
from .services import CertificationFilters

LEVEL_CHOICES = [("", "Tous")] + [(str(n), f"Niveau {n}") for n in range(1, 9)]


class CertificationSearchForm(forms.Form):
    q = forms.CharField(label="Code ou mots de l'intitulé", required=False, max_length=200)
    registry = forms.ChoiceField(label="Répertoire", required=False, choices=[("", "Tous")] + list(Registry.choices))
    level = forms.TypedChoiceField(label="Niveau", required=False, choices=LEVEL_CHOICES, coerce=int, empty_value=None)
    active = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Toutes"), ("1", "Actives"), ("0", "Inactives")],
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for name in ("registry", "level", "active"):
            self.fields[name].widget.attrs["class"] = "fr-select"

    def filters(self) -> CertificationFilters:
        data = self.cleaned_data if self.is_valid() else {}
        active = {"1": True, "0": False}.get(data.get("active") or "")
        return CertificationFilters(
            q=data.get("q") or "",
            registry=data.get("registry") or "",
            level=data.get("level"),
            active=active,
        )
