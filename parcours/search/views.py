"""The public offer page (Mon Compte Formation's side): anyone, logged in or not."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from parcours.catalogue import services as catalogue
from parcours.catalogue.enums import EnrolmentState
from parcours.catalogue.models import Offer
from parcours.registry.models import paris_today

from .visibility import visibility


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
