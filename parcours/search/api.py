"""`GET /api/v1/offers`: the public search (same engine as /formations/), and one public offer."""

import datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.throttling import AnonRateThrottle, BaseThrottle

from parcours.catalogue import services as catalogue
from parcours.catalogue.models import Offer
from parcours.core.caching import cached_payload
from parcours.registry.models import paris_today

from . import geo
from .cards import cards_for
from .engine import Filters, search
from .visibility import visibility

router = Router(tags=["Catalogue public"])
PAGE_SIZE = 20


class PublicRateThrottle(AnonRateThrottle):
    """Per client address, at settings.PARCOURS_API_RATE_LIMIT (e.g. "120/m"; "0" turns it off).

    Read at each request, so a deployment (or a test) changes it without reloading the code. The counts
    live in the default cache: a deployment with several processes needs a shared one (docs/deployment).
    """

    def __init__(self) -> None:
        super().__init__(rate="1/s")  # replaced at each request

    def allow_request(self, request: HttpRequest) -> bool:
        rate = str(settings.PARCOURS_API_RATE_LIMIT or "0")
        if rate == "0":
            return True
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)


def public_throttles() -> list[BaseThrottle]:
    return [PublicRateThrottle()]


class PublicSessionOut(Schema):
    starts_on: str | None
    ends_on: str | None
    capacity: int | None


class OfferHeadOut(Schema):
    """What a search result and an offer's page both say of an offer (OFF-21)."""

    id: int
    title: str
    organisation: str
    certification: str | None
    perimeter: str | None
    complete: bool | None
    customisable: bool | None


class PublicOfferOut(OfferHeadOut):
    blocks: list[str]
    pedagogical_objectives: str
    content: str
    expected_results: str
    strengths: str
    course_type: str


class GoneOut(Schema):
    detail: str


class SearchParams(Schema):
    q: str = Field("", description="Mots recherchés (titre, objectifs, contenu, certification, organisme)")
    registry: str = ""
    certification_code: str = Field("", description="Code de la certification, ex. RNCP40344")
    level: int | None = Field(None, ge=1, le=8)
    modality: str = ""
    region: str = Field("", description="Code INSEE de la région, ex. 84")
    department: str = ""
    city: str = Field("", description="Nom de commune ou code postal, ex. « Lyon », « 69003 »")
    radius_km: int | None = Field(None, description="Avec city : distance maximale (5, 10, 20, 30, 50, 100)")
    formacode: str = ""
    nsf: str = ""
    rome: str = ""
    perimeter: Literal["", "complete", "partial"] = ""
    customisable: bool | None = None
    price_max: float | None = Field(None, ge=0, le=1_000_000)
    starts_after: datetime.date | None = None
    starts_before: datetime.date | None = None
    sort: Literal["relevance", "price", "start"] = "relevance"
    page: int = Field(1, ge=1, le=500)


class HitOut(OfferHeadOut):
    place: str
    price_incl_vat: Decimal | None
    next_session: datetime.date | None
    distance_km: float | None
    snippet: str


class SearchOut(Schema):
    count: int
    page: int
    items: list[HitOut]
    facets: dict[str, dict[str, int]]


@router.get(
    "",
    response=SearchOut,
    auth=None,
    throttle=public_throttles(),
    summary="Rechercher des formations publiques",
)
def search_offers(request: HttpRequest, params: Query[SearchParams]):  # type: ignore[no-untyped-def]
    """Validated against SearchOut once, then the JSON bytes are what the cache keeps and serves."""
    body = cached_payload(request, lambda: SearchOut.model_validate(_search_payload(params)).model_dump_json())
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _search_payload(params: SearchParams) -> dict[str, object]:
    place = geo.place_filter(params.city, params.radius_km)  # DomainError → 422 naming the field
    filters = Filters(**params.dict(exclude={"page", "city", "radius_km"}), **place)  # type: ignore[arg-type]
    results = search(filters, paris_today(), offset=(params.page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    items = []
    for card in cards_for(results):
        perimeter = card["perimeter"]
        items.append(
            {
                "id": card["id"],
                "title": card["title"],
                "organisation": card["organisation"],
                "certification": card["certification_code"],
                "perimeter": perimeter.line if perimeter else None,
                "complete": perimeter.complete if perimeter else None,
                "customisable": card["customisable"],
                "place": card["place"],
                "price_incl_vat": card["price"],
                "next_session": card["next_session"],
                "distance_km": round(card["distance"], 1) if card["distance"] is not None else None,
                "snippet": card["snippet"],
            }
        )
    return {"count": results.total, "page": params.page, "items": items, "facets": results.facets}


@router.get(
    "/{offer_id}",
    response={200: PublicOfferOut, 404: GoneOut, 410: GoneOut},
    auth=None,
    throttle=public_throttles(),
    summary="Lire une offre publique",
)
def public_offer(request: HttpRequest, offer_id: int):  # type: ignore[no-untyped-def]
    offer = Offer.objects.filter(pk=offer_id).select_related("certification", "organisation").first()
    state = visibility(offer) if offer else None
    if offer is None or state is None or not state.public:
        if state is not None and state.was_published:
            return 410, {"detail": state.reason}
        return 404, {"detail": "Offre introuvable."}
    perimeter = catalogue.perimeter(offer)
    return 200, {
        "id": offer.pk,
        "title": offer.title,
        "organisation": offer.organisation.name,
        "certification": offer.certification.code if offer.certification else None,
        "perimeter": perimeter.line if perimeter and perimeter.total else None,
        "complete": perimeter.complete if perimeter and perimeter.total else None,
        "blocks": list(offer.offer_blocks.values_list("code", flat=True)),
        "customisable": offer.blocks_customisable,
        "pedagogical_objectives": offer.pedagogical_objectives,
        "content": offer.content,
        "expected_results": offer.expected_results,
        "strengths": offer.strengths,
        "course_type": offer.course_type,
    }
