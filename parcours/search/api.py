"""`GET /api/v1/offers`: the public search (same engine as /formations/), and one public offer."""

import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from parcours.catalogue import services as catalogue
from parcours.catalogue.models import Offer
from parcours.registry.models import paris_today

from .engine import Filters, search
from .visibility import visibility

router = Router(tags=["Catalogue public"])


class PublicSessionOut(Schema):
    starts_on: str | None
    ends_on: str | None
    capacity: int | None


class PublicOfferOut(Schema):
    id: int
    title: str
    organisation: str
    certification: str | None
    perimeter: str | None
    complete: bool | None
    blocks: list[str]
    customisable: bool | None
    pedagogical_objectives: str
    content: str
    expected_results: str
    strengths: str
    course_type: str


class GoneOut(Schema):
    detail: str


class SearchParams(Schema):
    q: str = ""
    registry: str = ""
    level: int | None = None
    modality: str = ""
    department: str = ""
    perimeter: str = ""
    customisable: bool | None = None
    price_max: float | None = None
    starts_after: datetime.date | None = None
    starts_before: datetime.date | None = None
    page: int = 1


class HitOut(Schema):
    id: int
    title: str
    organisation: str
    certification: str | None
    perimeter: str | None


class SearchOut(Schema):
    count: int
    page: int
    items: list[HitOut]
    facets: dict[str, dict[str, int]]


@router.get("", response=SearchOut, auth=None, summary="Rechercher des formations publiques")
def search_offers(request: HttpRequest, params: Query[SearchParams]):  # type: ignore[no-untyped-def]
    page = max(1, params.page)
    filters = Filters(**params.dict(exclude={"page"}))
    results = search(filters, paris_today(), offset=(page - 1) * 20, limit=20)
    offers = {
        o.pk: o for o in Offer.objects.filter(pk__in=results.offer_ids).select_related("organisation", "certification")
    }
    items = []
    for offer_id in results.offer_ids:
        offer = offers.get(offer_id)
        if offer is None:
            continue
        perimeter = catalogue.perimeter(offer)
        items.append(
            {
                "id": offer.pk,
                "title": offer.title,
                "organisation": offer.organisation.name,
                "certification": offer.certification.code if offer.certification else None,
                "perimeter": perimeter.line if perimeter and perimeter.total else None,
            }
        )
    return {"count": results.total, "page": page, "items": items, "facets": results.facets}


@router.get("/{offer_id}", response={200: PublicOfferOut, 404: GoneOut, 410: GoneOut}, auth=None)
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
