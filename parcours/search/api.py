"""`GET /api/v1/offers/{id}`: a public offer, for anyone (the search endpoint comes with the index)."""

from django.http import HttpRequest
from ninja import Router, Schema

from parcours.catalogue import services as catalogue
from parcours.catalogue.models import Offer

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
