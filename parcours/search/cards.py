"""What a search result shows (OFF-21): the same facts for the page's cards and the API's items."""

import datetime as dt
from decimal import Decimal
from typing import Any

from parcours.catalogue import services as catalogue
from parcours.catalogue.enums import EnrolmentState
from parcours.catalogue.models import Offer

from .engine import Results


def cards_for(results: Results, today: dt.date) -> list[dict[str, Any]]:
    """One card per hit, in the engine's order; a hit deleted since indexing is skipped."""
    offers = {
        offer.pk: offer
        for offer in Offer.objects.filter(pk__in=results.offer_ids)
        .select_related("organisation", "certification")
        .prefetch_related("actions__sessions", "offer_blocks")
    }
    cards = []
    for offer_id in results.offer_ids:
        offer = offers.get(offer_id)
        if offer is None:
            continue
        actions = list(offer.actions.all())
        starts = sorted(
            s.starts_on
            for a in actions
            for s in a.sessions.all()
            if s.enrolment_state == EnrolmentState.OPEN and s.starts_on and s.starts_on > today
        )
        prices: list[Decimal] = [a.price_incl_vat for a in actions if a.price_incl_vat is not None]
        cards.append(
            {
                "offer": offer,
                "snippet": results.snippets.get(offer_id, ""),
                "distance": results.distances.get(offer_id),
                "perimeter": catalogue.perimeter(offer),
                "next_session": starts[0] if starts else None,
                "place": ", ".join(sorted({a.city for a in actions if a.city})) or "À distance",
                "price": min(prices, default=None),
            }
        )
    return cards
