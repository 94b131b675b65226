"""What a search result shows (OFF-21): the same facts for the page's cards and the API's items.

Read from the index's stored `card` (written with the document), not from the tables: a results
page costs no query. It lags the database as the index does (about a second).
"""

from decimal import Decimal
from typing import Any

from parcours.catalogue.services import Perimeter

from .engine import Results


def cards_for(results: Results) -> list[dict[str, Any]]:
    cards = []
    for offer_id in results.offer_ids:
        stored = results.cards[offer_id]
        perimeter = Perimeter(*stored["perimeter"]) if stored["perimeter"] else None
        cards.append(
            {
                "id": offer_id,
                "title": stored["title"],
                "organisation": stored["organisation"],
                "certification_code": stored["certification_code"] or None,
                "customisable": stored["customisable"],
                "perimeter": perimeter if perimeter and perimeter.total else None,
                "place": stored["place"] or "À distance",
                "price": Decimal(stored["price"]) if stored["price"] is not None else None,
                "next_session": stored["next_session"],
                "snippet": results.snippets.get(offer_id, ""),
                "distance": results.distances.get(offer_id),
            }
        )
    return cards
