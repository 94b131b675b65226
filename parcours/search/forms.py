from django import forms

from parcours.accounts.forms import DateInput
from parcours.catalogue.enums import Modality
from parcours.core.errors import DomainError
from parcours.registry.enums import Registry

from . import geo
from .engine import Filters

SORTS = [("relevance", "Pertinence"), ("price", "Prix croissant"), ("start", "Date de début la plus proche")]


def _regions() -> list[tuple[str, str]]:
    return [("", "Toutes")] + sorted(geo.regions().items(), key=lambda item: item[1])


class SearchForm(forms.Form):
    q = forms.CharField(label="Métier, formation, certification, organisme", required=False, max_length=200)
    city = forms.CharField(
        label="Ville ou code postal",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "list": "city-options",
                "autocomplete": "off",
                "hx-get": "/formations/villes/",
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#city-options",
            }
        ),
    )
    radius_km = forms.TypedChoiceField(
        label="Distance",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Dans la ville")] + [(str(km), f"À {km} km au plus") for km in geo.RADII_KM],
    )
    registry = forms.ChoiceField(label="Répertoire", required=False, choices=[("", "Tous")] + list(Registry.choices))
    level = forms.TypedChoiceField(
        label="Niveau",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Tous")] + [(str(n), f"Niveau {n}") for n in range(3, 9)],
    )
    modality = forms.ChoiceField(label="Modalité", required=False, choices=[("", "Toutes")] + list(Modality.choices))
    region = forms.ChoiceField(label="Région", required=False, choices=_regions)
    department = forms.CharField(label="Département (ex. 69, 2A, 974)", required=False, max_length=3)
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
    starts_after = forms.DateField(label="Début après le", required=False, widget=DateInput)
    starts_before = forms.DateField(label="Début avant le", required=False, widget=DateInput)
    formacode = forms.CharField(label="Formacode (ex. 31090)", required=False, max_length=16)
    nsf = forms.CharField(label="Code NSF (ex. 326)", required=False, max_length=16)
    rome = forms.CharField(label="Code ROME (ex. M1805)", required=False, max_length=16)
    sort = forms.ChoiceField(label="Trier par", required=False, choices=SORTS)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        try:
            self.place = geo.place_filter(data.get("city") or "", data.get("radius_km"))
        except DomainError as error:
            self.add_error(error.field, error.message)
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            q=data.get("q") or "",
            registry=data.get("registry") or "",
            level=data.get("level"),
            modality=data.get("modality") or "",
            region=data.get("region") or "",
            department=data.get("department") or "",
            formacode=data.get("formacode") or "",
            nsf=data.get("nsf") or "",
            rome=data.get("rome") or "",
            perimeter=data.get("perimeter") or "",
            customisable=True if data.get("customisable") == "1" else None,
            price_max=float(data["price_max"]) if data.get("price_max") is not None else None,
            starts_after=data.get("starts_after"),
            starts_before=data.get("starts_before"),
            sort=data.get("sort") or "relevance",
            **self.place,  # type: ignore[arg-type]
        )
