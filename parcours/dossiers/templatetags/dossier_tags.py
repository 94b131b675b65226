"""The enrolment box of a session on the public offer page (DOS-1, COM-5).

A template tag rather than context from the search view: the public catalogue stands below
dossiers and never imports them (docs/architecture.md); its page only loads this library.
"""

from typing import Any

from django import template

from parcours.catalogue.models import Session

from .. import policies, waiting_list
from ..enums import WaitingState
from ..models import Dossier, WaitingListEntry

register = template.Library()


@register.inclusion_tag("dossiers/_enrol.html", takes_context=True)
def enrol_box(context: template.Context, session: Session) -> dict[str, Any]:
    """« S'inscrire » for a CPF account holder, « Rejoindre la liste d'attente » when the session is
    full, a log-in link for a visitor; the services check everything again on submit."""
    request = context["request"]
    user = request.user
    box: dict[str, Any] = {
        "session": session,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "anonymous": not user.is_authenticated,
        "holder": policies.can_enrol(user),
        "free": waiting_list.free_places(session),
    }
    if box["holder"]:
        box["dossier"] = Dossier.objects.open().filter(holder=user, session=session).only("pk", "state").first()
        entry = WaitingListEntry.objects.filter(
            session=session, holder=user, state__in=[WaitingState.WAITING, WaitingState.OFFERED]
        ).first()
        box["entry"] = entry
        box["position"] = waiting_list.position(entry) if entry and entry.state == WaitingState.WAITING else None
    return box
