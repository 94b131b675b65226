"""COM-5: capacity per session, registrations in order of arrival, a waiting list that moves up in
order of arrival when a place frees."""

import datetime

import pytest

from parcours.core.errors import DomainError
from parcours.dossiers import services, waiting_list
from parcours.dossiers.deadlines import apply_deadlines
from parcours.dossiers.enums import WaitingState
from parcours.dossiers.models import WaitingListEntry
from tests.factories import holder

from .flow import accepted, holder_fee, validated

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(make_session, manager, clock):
    """A session of 2 places, both taken by accepted dossiers."""
    session = make_session(capacity=2)
    first, second = holder(), holder()
    taken = [accepted(session, first, manager), accepted(session, second, manager)]
    return session, taken


def state(entry) -> str:
    return WaitingListEntry.objects.get(pk=entry.pk).state


def test_rule_com_5_a_place_is_taken_at_acceptance(make_session, manager, clock):
    session = make_session(capacity=1)
    first, second = validated(session, holder(), manager), validated(session, holder(), manager)
    assert waiting_list.free_places(session) == 1  # a quote is not a registration (COM-6)
    services.accept_proposal(first.pk, first.holder)
    with pytest.raises(DomainError) as error:
        services.accept_proposal(second.pk, second.holder)  # first come, first served
    assert (error.value.rule, error.value.field) == ("COM-5", "session")
    assert "liste d'attente" in error.value.message


def test_rule_com_5_a_full_session_offers_its_waiting_list(full, clock):
    session, _taken = full
    someone = holder()
    with pytest.raises(DomainError, match="complète"):
        services.enrol(actor=someone, session_id=session.pk)
    entry = waiting_list.join_waiting_list(actor=someone, session_id=session.pk)
    assert entry.state == WaitingState.WAITING and waiting_list.position(entry) == 1
    with pytest.raises(DomainError, match="déjà sur la liste"):
        waiting_list.join_waiting_list(actor=someone, session_id=session.pk)


def test_rule_com_5_no_waiting_list_while_places_remain(make_session, clock):
    with pytest.raises(DomainError, match="encore des places"):
        waiting_list.join_waiting_list(actor=holder(), session_id=make_session(capacity=3).pk)


def test_rule_com_5_the_list_moves_up_in_order_of_arrival(
    full, manager, clock, mailoutbox, django_capture_on_commit_callbacks
):
    session, taken = full
    people = [holder() for _ in range(3)]
    entries = [waiting_list.join_waiting_list(actor=p, session_id=session.pk) for p in people]
    assert [waiting_list.position(e) for e in entries] == [1, 2, 3]
    waiting_list.leave_waiting_list(entries[1].pk, people[1])
    assert waiting_list.position(entries[2]) == 2

    # A place frees: the first in line gets it, kept for them, and is told until when.
    leaving = taken[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_by_holder(leaving.pk, leaving.holder, confirmed_fee=holder_fee(leaving))
    assert [state(e) for e in entries] == [WaitingState.OFFERED, WaitingState.WITHDRAWN, WaitingState.WAITING]
    offered = WaitingListEntry.objects.get(pk=entries[0].pk)
    assert offered.respond_by == datetime.date(2026, 11, 26)  # Sunday 22 + 4 working days
    assert any(m.to == [people[0].email] and "jusqu'au 26/11/2026" in m.body for m in mailoutbox)
    # Nobody overtakes them.
    with pytest.raises(DomainError, match="complète"):
        services.enrol(actor=holder(), session_id=session.pk)
    dossier = services.enrol(actor=people[0], session_id=session.pk)
    assert state(entries[0]) == WaitingState.ENROLLED
    assert waiting_list.free_places(session) == 0  # still kept while the dossier is pending
    # Their request refused: the place goes to the next in line.
    services.refuse_request(dossier.pk, manager, reason="Prérequis.")
    assert state(entries[2]) == WaitingState.OFFERED


def test_rule_com_5_a_place_not_taken_in_time_goes_to_the_next(full, clock):
    session, taken = full
    first, second = holder(), holder()
    entries = [waiting_list.join_waiting_list(actor=p, session_id=session.pk) for p in (first, second)]
    services.cancel_by_organisation(taken[1].pk, taken[1].organisation.memberships.first().user, reason="Erreur.")
    assert state(entries[0]) == WaitingState.OFFERED
    clock.set(datetime.date(2026, 11, 26))
    assert apply_deadlines().waiting_offers_expired == 0
    clock.set(datetime.date(2026, 11, 27))
    assert apply_deadlines().waiting_offers_expired == 1
    assert [state(e) for e in entries] == [WaitingState.EXPIRED, WaitingState.OFFERED]


def test_rule_com_5_the_offered_holder_enrols_and_is_accepted(full, manager, clock):
    session, taken = full
    waiting = holder()
    entry = waiting_list.join_waiting_list(actor=waiting, session_id=session.pk)
    services.cancel_by_organisation(taken[0].pk, manager, reason="Erreur de session.")
    dossier = accepted(session, waiting, manager)
    assert dossier.waiting_list_entry == WaitingListEntry.objects.get(pk=entry.pk)
    assert waiting_list.free_places(session) == 0 and waiting_list.places_taken(session) == 2


def test_rule_dos_1_no_waiting_list_once_the_offer_is_withdrawn_or_the_session_closed(full, clock):
    from django.http import Http404

    from parcours.catalogue import services as catalogue

    session, _taken = full
    catalogue.save_session(session.action, None, {"enrolment_state": "closed"}, session=session)
    with pytest.raises(DomainError) as error:
        waiting_list.join_waiting_list(actor=holder(), session_id=session.pk)
    assert error.value.rule == "DOS-1"
    catalogue.transition_offer(session.action.offer_id, None, "archive")
    with pytest.raises(DomainError, match="retir|archiv|plus publi"):
        waiting_list.join_waiting_list(actor=holder(), session_id=session.pk)
    with pytest.raises(Http404):
        waiting_list.leave_waiting_list(999999, holder())
