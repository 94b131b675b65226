"""Who may do what with dossiers (EDO-1): the organisation's members act on their organisation's
dossiers, the holder on their own, the Caisse des dépôts controls.

Each predicate's docstring lists the roles allowed. Dossiers fetched through `get_dossier_for_user`
answer 404 to anyone who may not see them.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from parcours.accounts.enums import Role
from parcours.accounts.models import Entity
from parcours.accounts.policies import role_of, validated_entity

from .models import Dossier

ORGANISATION_ROLES = {Role.TRAINING_ORGANISATION, Role.TRAINING_ORGANISATION_MANAGER}
CONTROL_ROLES = {Role.CDC_CONTROLLER, Role.PLATFORM_ADMIN}


def organisation_of(user: Any) -> Entity | None:
    """The training organisation a member acts for."""
    if role_of(user) not in ORGANISATION_ROLES:
        return None
    return validated_entity(user)


def can_enrol(user: Any) -> bool:
    """CPF account holders (DOS-1)."""
    return role_of(user) == Role.HOLDER


def can_manage_dossier(user: Any, dossier: Dossier) -> bool:
    """Members and gestionnaires of the dossier's training organisation: personalise, validate,
    refuse, cancel, declare entry, exit and service fait, evaluations, results, billing."""
    organisation = organisation_of(user)
    return organisation is not None and organisation.pk == dossier.organisation_id


def can_answer_proposal(user: Any, dossier: Dossier) -> bool:
    """The dossier's holder: accept, refuse, cancel, ask for an attendance attestation."""
    return role_of(user) == Role.HOLDER and user.pk == dossier.holder_id


def can_control_dossier(user: Any) -> bool:
    """Caisse des dépôts controllers and platform administrators: controls, service fait, payment (DOS-9)."""
    return role_of(user) in CONTROL_ROLES


def can_view_dossier(user: Any, dossier: Dossier) -> bool:
    """Its holder, its organisation's members, the Caisse des dépôts' controllers, platform administrators."""
    return can_answer_proposal(user, dossier) or can_manage_dossier(user, dossier) or can_control_dossier(user)


def can_manage_commercial_terms(user: Any, organisation: Entity) -> bool:
    """Members and gestionnaires of the training organisation (COM-1, COM-2), as for its catalogue."""
    own = organisation_of(user)
    return own is not None and own.pk == organisation.pk


def dossiers_for_user(user: Any) -> QuerySet[Dossier]:
    """The dossiers a person may list: their own, their organisation's, or all for controllers."""
    if can_control_dossier(user):
        return Dossier.objects.all()
    if role_of(user) == Role.HOLDER:
        return Dossier.objects.filter(holder=user)
    organisation = organisation_of(user)
    if organisation is not None:
        return Dossier.objects.filter(organisation=organisation)
    return Dossier.objects.none()


def get_dossier_for_user(user: Any, dossier_id: int) -> Dossier:
    dossier = Dossier.objects.filter(pk=dossier_id).select_related("organisation", "holder", "certification").first()
    if dossier is None or not can_view_dossier(user, dossier):
        raise Http404("Dossier introuvable.")
    return dossier
