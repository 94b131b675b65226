"""The public offer page (Mon Compte Formation's side): anyone, logged in or not."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from parcours.catalogue import services as catalogue
from parcours.catalogue.enums import EnrolmentState
from parcours.catalogue.models import Offer
from parcours.core.caching import anonymous_page_cache
from parcours.registry.models import paris_today

from . import geo
from .cards import cards_for
from .engine import Results, search
from .forms import SearchForm
from .visibility import visibility

PAGE_SIZE = 20


@anonymous_page_cache
def search_page(request: HttpRequest) -> HttpResponse:
    """/formations/: free text and filters over the public offers (Tantivy), with facets."""
    form = SearchForm(request.GET)
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    if form.is_valid():
        results = search(form.filters(), paris_today(), offset=(page_number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    else:
        results = Results(total=0, offer_ids=[])  # the errors are shown on their fields
    cards = cards_for(results)
    paginator = Paginator(range(results.total), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "search/search.html",
        {
            "page_title": "Trouver une formation",
            "form": form,
            "results": results,
            "cards": cards,
            "page_obj": paginator.get_page(page_number),
            "querystring_without_page": (query.urlencode() + "&") if query else "",
            "facet_groups": facet_groups(results.facets),
        },
    )


FACET_TITLES = {
    "registry": "Répertoire",
    "modality": "Modalité",
    "perimeter": "Périmètre",
    "level": "Niveau",
    "region": "Région",
    "department": "Département",
}
VALUE_LABELS = {
    "complete": "Certification complète",
    "partial": "Certification partielle",
    "on_site": "Présentiel",
    "remote": "À distance",
    "blended": "Mixte",
    "rncp": "RNCP",
    "rs": "Répertoire spécifique",
}


def facet_groups(facets: dict[str, dict[str, int]]) -> list[tuple[str, list[tuple[str, int]]]]:
    """The facet counts with their French labels, built here: a chain of {% if %} per value in the
    template cost most of a results page (docs/performance.md)."""
    regions = geo.regions()
    groups = []
    for name, title in FACET_TITLES.items():
        counts = facets.get(name) or {}
        if not counts:
            continue
        if name == "region":
            labels = {key: regions.get(key, key) for key in counts}
        elif name == "level":
            labels = {key: f"Niveau {key}" for key in counts}
        else:
            labels = {key: VALUE_LABELS.get(key, key) for key in counts}
        groups.append((title, [(labels[key], count) for key, count in counts.items()]))
    return groups


def city_suggestions(request: HttpRequest) -> HttpResponse:
    """The city field's suggestions (htmx swaps them into its datalist as the person types)."""
    communes = geo.suggest(request.GET.get("city", ""))
    return render(request, "search/_city_options.html", {"communes": communes})


def offer_page(request: HttpRequest, offer_id: int) -> HttpResponse:
    """OFF-21, OFF-6: the offer as a CPF account holder sees it; 410 with the reason once withdrawn."""
    offer = Offer.objects.filter(pk=offer_id).select_related("certification", "organisation").first()
    if offer is None:
        raise Http404("Offre introuvable.")
    state = visibility(offer)
    if not state.public:
        if not state.was_published:
            raise Http404("Offre introuvable.")
        return render(
            request,
            "search/offer_gone.html",
            {"offer": offer, "reason": state.reason, "page_title": "Offre indisponible"},
            status=410,
        )
    today = paris_today()
    actions = [
        (
            action,
            [
                s
                for s in action.sessions.all()
                if s.enrolment_state == EnrolmentState.OPEN and s.starts_on and s.starts_on > today
            ],
        )
        for action in offer.actions.prefetch_related("sessions")
    ]
    context = {
        "page_title": offer.title,
        "offer": offer,
        "certification": offer.certification,
        "certifiers": list(offer.certification.certifier_links.select_related("certifier"))
        if offer.certification
        else [],
        "perimeter": catalogue.perimeter(offer),
        "offer_blocks": list(offer.offer_blocks.select_related("block")),
        "actions": [(a, sessions) for a, sessions in actions if sessions],
    }
    return render(request, "search/offer_page.html", context)
