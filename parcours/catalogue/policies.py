"""Who may manage a catalogue: the validated members of a training organisation (OFF rules).

Offers of another organisation answer 404.
"""

from typing import Any

from django.http import Http404

from parcours.accounts.enums import Role
from parcours.accounts.models import Entity
from parcours.accounts.policies import role_of, validated_entity

from .enums import OfferStatus
from .models import Action, Offer, Session

CATALOGUE_ROLES = {Role.TRAINING_ORGANISATION, Role.TRAINING_ORGANISATION_MANAGER}


def catalogue_owner(user: Any) -> Entity | None:
    """Training-organisation members and gestionnaires manage their organisation's catalogue."""
    if role_of(user) not in CATALOGUE_ROLES:
        return None
    return validated_entity(user)


def can_manage_catalogue(user: Any) -> bool:
    return catalogue_owner(user) is not None


def require_owner(user: Any) -> Entity:
    owner = catalogue_owner(user)
    if owner is None:
        raise Http404("Catalogue introuvable.")
    return owner


def get_offer_for_user(user: Any, offer_id: int) -> Offer:
    owner = require_owner(user)
    offer = (
        Offer.objects.filter(pk=offer_id, organisation=owner)
        .exclude(status=OfferStatus.DELETED)
        .select_related("certification", "organisation")
        .first()
    )
    if offer is None:
        raise Http404("Offre introuvable.")
    return offer


def get_action_for_user(user: Any, action_id: int) -> Action:
    owner = require_owner(user)
    action = Action.objects.filter(pk=action_id, offer__organisation=owner).select_related("offer").first()
    if action is None or action.offer.status == OfferStatus.DELETED:
        raise Http404("Action introuvable.")
    return action


def get_session_for_user(user: Any, session_id: int) -> Session:
    owner = require_owner(user)
    session = (
        Session.objects.filter(pk=session_id, action__offer__organisation=owner).select_related("action__offer").first()
    )
    if session is None:
        raise Http404("Session introuvable.")
    return session
