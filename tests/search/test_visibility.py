"""The visibility rule (OFF-22, REG-6, ACC-6, ACC-7): every condition, and the query agrees with the rule."""

import datetime

import pytest

from parcours.catalogue import services
from parcours.catalogue.enums import OfferStatus
from parcours.registry.models import Accreditation, Certification
from parcours.search.visibility import public_offers, visibility

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def public_offer(organisation):
    certification = Certification.objects.get(code="RNCP40344")
    offer = services.create_offer(
        organisation,
        None,
        services.OfferInput(
            certification=certification,
            block_codes=["RNCP40344BC01"],
            blocks_customisable=False,
            values={
                "internal_id": "PUB-1",
                "title": "Auxiliaire vétérinaire",
                "pedagogical_objectives": "Objectifs.",
                "content": "Contenu.",
                "expected_results": "Résultats.",
                "course_type": "96213",
            },
        ),
    )
    action = services.save_action(
        offer, None, {"internal_id": "A1", "postal_code": "69002", "city": "Lyon", "hours_in_centre": 35}
    )
    services.save_session(action, None, {"internal_id": "S1", "starts_on": TODAY + datetime.timedelta(days=10)})
    return services.transition_offer(offer.pk, None, "validate")


def agree(offer, on=TODAY):
    """The one-offer rule and the query say the same thing."""
    offer.refresh_from_db()
    state = visibility(offer, on)
    assert state.public == public_offers(on).filter(pk=offer.pk).exists()
    return state


def test_a_complete_offer_is_public(public_offer):
    assert agree(public_offer).public


def test_draft_is_not_public_and_was_never_published(public_offer):
    draft = services.create_offer(
        public_offer.organisation,
        None,
        services.OfferInput(
            certification=public_offer.certification,
            block_codes=["RNCP40344BC02"],
            blocks_customisable=False,
            values={"internal_id": "DRAFT"},
        ),
    )
    state = agree(draft)
    assert not state.public and not state.was_published


def test_archived_offer_is_gone_with_its_reason(public_offer):
    services.transition_offer(public_offer.pk, None, "archive")
    state = agree(public_offer)
    assert not state.public and state.was_published and "retirée" in state.reason


def test_rule_reg_6_offer_vanishes_the_day_after_the_end_date(public_offer):
    assert agree(public_offer).public
    Certification.objects.filter(pk=public_offer.certification_id).update(end_date=TODAY)
    assert agree(public_offer, TODAY).public
    state = agree(public_offer, TODAY + datetime.timedelta(days=1))
    assert not state.public and "n'est plus active" in state.reason


def test_rule_reg_6_export_saying_inactive(public_offer):
    Certification.objects.filter(pk=public_offer.certification_id).update(declared_active=False)
    assert not agree(public_offer).public


def test_rule_acc_6_qualiopi_expired(public_offer):
    organisation = public_offer.organisation
    organisation.qualiopi_valid_until = TODAY - datetime.timedelta(days=1)
    organisation.save()
    state = agree(public_offer)
    assert not state.public and "Qualiopi" in state.reason


def test_rule_acc_7_habilitation_ended(public_offer):
    Accreditation.objects.filter(siret=public_offer.organisation.siret).update(
        ends_on=TODAY - datetime.timedelta(days=1)
    )
    state = agree(public_offer)
    assert not state.public and "habilité" in state.reason


@pytest.mark.parametrize(
    ("change", "public"),
    [
        ({"enrolment_state": "closed"}, False),
        ({"enrolment_state": "suspended"}, False),
        ({"starts_on": TODAY}, False),  # starting today is not "in the future"
        ({"starts_on": TODAY + datetime.timedelta(days=1)}, True),
        ({"starts_on": None}, False),
    ],
)
def test_sessions_open_and_in_the_future(public_offer, change, public):
    from parcours.catalogue.models import Session

    Session.objects.filter(action__offer=public_offer).update(**change)
    state = agree(public_offer)
    assert state.public is public
    if not public:
        assert "Aucune session" in state.reason


def test_the_query_lists_only_public_offers(public_offer):
    assert list(public_offers(TODAY)) == [public_offer]
    assert public_offer.status == OfferStatus.VALIDATED
