"""COM-5: sessions have a capacity; registrations count in order of arrival; a full session offers
a waiting list, which moves up in order of arrival when a place frees.

A place is taken when the holder accepts (the quote « bon pour accord », COM-6) and stays taken. A
place freed goes to the first person waiting: it is kept for them (`OFFERED`, then `ENROLLED` while
their dossier is pending) for `WAITING_OFFER_DAYS` working days, so that nobody overtakes them.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.http import Http404

from parcours.accounts.models import User
from parcours.catalogue.models import Session
from parcours.core.errors import DomainError
from parcours.core.mail import notify
from parcours.registry.models import paris_today

from .enums import OCCUPYING_STATES, PENDING_STATES, WAITING_OFFER_DAYS, WaitingState
from .models import Dossier, WaitingListEntry
from .policies import can_enrol
from .rules import places_left
from .workdays import add_working_days


def _reserving(session: Session) -> "Q":
    return Q(session=session) & (
        Q(state=WaitingState.OFFERED) | Q(state=WaitingState.ENROLLED, dossier__state__in=PENDING_STATES)
    )


def places_taken(session: Session, *, excluding: Dossier | None = None) -> int:
    """Accepted dossiers, and places kept for the waiting list (but not `excluding`'s own)."""
    occupied = Dossier.objects.filter(session=session, state__in=OCCUPYING_STATES)
    reserved = WaitingListEntry.objects.filter(_reserving(session))
    if excluding is not None:
        occupied = occupied.exclude(pk=excluding.pk)
        reserved = reserved.exclude(dossier=excluding)
    return occupied.count() + reserved.count()


def free_places(session: Session, *, excluding: Dossier | None = None) -> int | None:
    """None: the session has no capacity."""
    if session.capacity is None:
        return None
    return places_left(session.capacity, places_taken(session, excluding=excluding))


def offered_entry(session: Session, holder: User) -> WaitingListEntry | None:
    return WaitingListEntry.objects.filter(session=session, holder=holder, state=WaitingState.OFFERED).first()


def position(entry: WaitingListEntry) -> int:
    """1 for the first person waiting."""
    return (
        WaitingListEntry.objects.filter(session_id=entry.session_id, state=WaitingState.WAITING)
        .filter(Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, id__lt=entry.id))
        .count()
        + 1
    )


def lock_session(session_id: int, *, rule: str) -> Session:
    """The session, locked with its offer and organisation read: places are counted under the lock."""
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("action__offer__organisation", "action__offer__certification")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise DomainError("Cette session n'existe pas.", rule=rule, field="session")
    return session


def check_open_for_enrolment(session: Session, today: datetime.date) -> None:
    """DOS-1: a request (or a place on the waiting list) only on a public offer's open, future session."""
    from parcours.catalogue.enums import EnrolmentState
    from parcours.search.visibility import visibility

    public = visibility(session.action.offer, today)
    if not public.public:
        raise DomainError(public.reason, rule="DOS-1", field="session")
    if session.enrolment_state != EnrolmentState.OPEN or session.starts_on is None or session.starts_on <= today:
        raise DomainError("Cette session n'est pas ouverte aux inscriptions.", rule="DOS-1", field="session")


@transaction.atomic
def join_waiting_list(*, actor: User, session_id: int) -> WaitingListEntry:
    """COM-5: only a full session has a waiting list; one place in it per holder."""
    if not can_enrol(actor):
        raise DomainError(
            "Seul un titulaire de compte CPF s'inscrit sur une liste d'attente.", rule="COM-5", field="session"
        )
    session = lock_session(session_id, rule="COM-5")
    check_open_for_enrolment(session, paris_today())
    if free_places(session) != 0:
        raise DomainError(
            "Cette session a encore des places : inscrivez-vous directement.", rule="COM-5", field="session"
        )
    if WaitingListEntry.objects.filter(
        session=session, holder=actor, state__in=[WaitingState.WAITING, WaitingState.OFFERED]
    ).exists():
        raise DomainError("Vous êtes déjà sur la liste d'attente de cette session.", rule="COM-5", field="session")
    return WaitingListEntry.objects.create(session=session, holder=actor)


@transaction.atomic
def leave_waiting_list(entry_id: int, actor: User) -> WaitingListEntry:
    entry = WaitingListEntry.objects.select_for_update().filter(pk=entry_id, holder=actor).first()
    if entry is None:
        raise Http404("Inscription sur liste d'attente introuvable.")
    if entry.state not in (WaitingState.WAITING, WaitingState.OFFERED):
        raise DomainError("Vous n'êtes plus sur cette liste d'attente.", rule="COM-5", field="waiting_list")
    entry.state = WaitingState.WITHDRAWN
    entry.save()
    promote(entry.session_id)
    return entry


def promote(session_id: int | None, today: datetime.date | None = None) -> list[WaitingListEntry]:
    """Places freed go to those waiting, first come first served. Call inside a transaction."""
    if session_id is None:
        return []
    session = Session.objects.select_for_update().get(pk=session_id)
    free = free_places(session)
    if not free:
        return []
    today = today or paris_today()
    respond_by = add_working_days(today, WAITING_OFFER_DAYS)
    entries = list(
        WaitingListEntry.objects.select_for_update(of=("self",))
        .filter(session=session, state=WaitingState.WAITING)
        .select_related("holder")
        .order_by("created_at", "id")[:free]
    )
    for entry in entries:
        entry.state, entry.offered_on, entry.respond_by = WaitingState.OFFERED, today, respond_by
        entry.save()
        notify(
            [entry.holder.email],
            "Une place s'est libérée",
            f"Une place s'est libérée dans la session du {session.starts_on:%d/%m/%Y} : elle vous est réservée "
            f"jusqu'au {respond_by:%d/%m/%Y}. Envoyez votre demande d'inscription avant cette date.",
        )
    return entries


def take_offered_place(entry: WaitingListEntry, dossier: Dossier) -> None:
    entry.state, entry.dossier = WaitingState.ENROLLED, dossier
    entry.save()


def expire_offers(today: datetime.date) -> int:
    """Places offered and not taken in time go to the next person (deadline task)."""
    expired = 0
    session_ids = set(
        WaitingListEntry.objects.filter(state=WaitingState.OFFERED, respond_by__lt=today).values_list(
            "session_id", flat=True
        )
    )
    for session_id in session_ids:
        with transaction.atomic():
            entries = WaitingListEntry.objects.select_for_update().filter(
                session_id=session_id, state=WaitingState.OFFERED, respond_by__lt=today
            )
            for entry in entries:
                entry.state = WaitingState.EXPIRED
                entry.save()
                expired += 1
            promote(session_id, today)
    return expired
