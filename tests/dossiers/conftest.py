"""Fixtures of the dossier tests: a public offer on RNCP40344 (4 blocks), its organisation, a holder,
and a clock that tests move (dates in Europe/Paris)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from parcours.catalogue import services as catalogue
from parcours.registry.models import Certification
from tests.factories import holder, member_of

BLOCKS = ["RNCP40344BC01", "RNCP40344BC02", "RNCP40344BC03", "RNCP40344BC04"]


class Clock:
    """`timezone.now()` at noon, Paris time, of the chosen day."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.UTC)

    def set(self, day: datetime.date) -> datetime.date:
        self.now = datetime.datetime.combine(day, datetime.time(11, 0), tzinfo=datetime.UTC)
        return day

    def advance(self, days: int) -> datetime.date:
        return self.set(self.today() + datetime.timedelta(days=days))

    def today(self) -> datetime.date:
        return timezone.localdate(self.now)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.fixture
def member(organisation):
    return member_of(organisation)


@pytest.fixture
def titulaire(db):
    """A CPF account holder with 1 500 € on their account."""
    return holder()


@pytest.fixture
def make_session(organisation, clock):
    """A validated, public offer's session, `starts_in` days after the clock's today."""
    counter = iter(range(1, 1000))

    def make(
        *,
        starts_in: int = 60,
        lasts: int = 10,
        capacity: int | None = None,
        blocks: tuple[str, ...] = ("RNCP40344BC01", "RNCP40344BC02"),
        customisable: bool = True,
        price: str = "1000",
        exam_fees_included: bool = True,
    ):
        n = next(counter)
        offer = catalogue.create_offer(
            organisation,
            None,
            catalogue.OfferInput(
                certification=Certification.objects.get(code="RNCP40344"),
                block_codes=list(blocks),
                blocks_customisable=customisable,
                values={
                    "internal_id": f"ASV-{n}",
                    "title": "Auxiliaire spécialisé vétérinaire",
                    "pedagogical_objectives": "Conseiller la clientèle du vétérinaire.",
                    "content": "Accueil, conseil, vente.",
                    "expected_results": "Évaluation des blocs préparés.",
                    "course_type": "96213",
                },
            ),
        )
        action = catalogue.save_action(
            offer,
            None,
            {
                "internal_id": "A1",
                "postal_code": "69002",
                "city": "Lyon",
                "hours_in_centre": 35,
                "price_excl_vat": Decimal(price),
                "vat_rate": Decimal(20),
                "exam_fees_included": exam_fees_included,
            },
        )
        starts_on = clock.today() + datetime.timedelta(days=starts_in)
        session = catalogue.save_session(
            action,
            None,
            {
                "internal_id": "S1",
                "starts_on": starts_on,
                "ends_on": starts_on + datetime.timedelta(days=lasts),
                "capacity": capacity,
            },
        )
        catalogue.transition_offer(offer.pk, None, "validate")
        return session

    return make


@pytest.fixture
def session(make_session):
    return make_session()
