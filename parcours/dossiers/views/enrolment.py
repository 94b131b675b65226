"""Enrolment and the waiting list, from the public offer page (DOS-1, COM-5)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from parcours.catalogue.models import Session
from parcours.core.errors import DomainError
from parcours.search.visibility import visibility

from .. import policies, services, waiting_list
from ..models import WaitingListEntry
from .common import error_message, require


def _public_session(session_id: int) -> Session:
    return get_object_or_404(Session.objects.select_related("action__offer"), pk=session_id)


@login_required
@require_POST
def enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _public_session(session_id)
    require(policies.can_enrol(request.user))
    try:
        dossier = services.enrol(actor=request.user, session_id=session.pk)
    except DomainError as error:
        messages.error(request, error_message(error))
        return redirect("search:offer_page", session.action.offer_id)
    messages.success(
        request,
        f"Demande d'inscription envoyée à {dossier.organisation.name}, qui doit y répondre avant le "
        f"{dossier.deadline_on:%d/%m/%Y}.",
    )
    return redirect("dossiers:detail", dossier.pk)


@login_required
@require_POST
def join_waiting_list(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _public_session(session_id)
    require(policies.can_enrol(request.user))
    offer_page = redirect("search:offer_page", session.action.offer_id)
    public = visibility(session.action.offer)  # the service does not check it: see the report
    if not public.public:
        messages.error(request, f"{public.reason} (règle DOS-1)")
        return offer_page
    try:
        entry = waiting_list.join_waiting_list(actor=request.user, session_id=session.pk)
    except DomainError as error:
        messages.error(request, error_message(error))
        return offer_page
    messages.success(request, f"Vous êtes inscrit sur la liste d'attente, en position {waiting_list.position(entry)}.")
    return offer_page


@login_required
@require_POST
def leave_waiting_list(request: HttpRequest, entry_id: int) -> HttpResponse:
    require(policies.can_enrol(request.user))
    entry = get_object_or_404(WaitingListEntry, pk=entry_id, holder=request.user)
    try:
        waiting_list.leave_waiting_list(entry.pk, request.user)
        messages.success(request, "Vous avez quitté la liste d'attente.")
    except DomainError as error:
        messages.error(request, error_message(error))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("dossiers:list")
