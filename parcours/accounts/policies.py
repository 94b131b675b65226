"""Who may do what with accounts, entities, documents, tokens and habilitations.

Each predicate's docstring lists the roles allowed. Objects of another entity are fetched
through `get_*_for_user`, which answers 404 (not 403) so that nothing leaks.
"""

from typing import Any

from django.http import Http404

from .enums import MembershipRole, MembershipState, Role, StaffRole
from .models import Entity, EntityDocument, Membership

STAFF_ROLES = {
    StaffRole.FC_INSTRUCTOR: Role.FC_INSTRUCTOR,
    StaffRole.FC_ADMIN: Role.FC_ADMIN,
    StaffRole.CDC_CONTROLLER: Role.CDC_CONTROLLER,
    StaffRole.PLATFORM_ADMIN: Role.PLATFORM_ADMIN,
}


def membership_of(user: Any) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership  # type: ignore[no-any-return]
    except Membership.DoesNotExist:
        return None


def role_of(user: Any) -> Role:
    """The one role a person acts in."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Role.ANONYMOUS
    if user.is_superuser:
        return Role.PLATFORM_ADMIN
    if user.staff_role in STAFF_ROLES:
        return STAFF_ROLES[user.staff_role]
    if hasattr(user, "holder"):
        return Role.HOLDER
    membership = membership_of(user)
    if membership is None or membership.state != MembershipState.VALIDATED:
        return Role.PENDING
    manager = membership.role == MembershipRole.MANAGER
    if membership.entity.is_training_organisation:
        return Role.TRAINING_ORGANISATION_MANAGER if manager else Role.TRAINING_ORGANISATION
    if membership.entity.is_certifier:
        return Role.CERTIFIER_MANAGER if manager else Role.CERTIFIER
    return Role.TRAINING_ORGANISATION_MANAGER if manager else Role.TRAINING_ORGANISATION


def validated_entity(user: Any) -> Entity | None:
    membership = membership_of(user)
    if membership is not None and membership.state == MembershipState.VALIDATED:
        return membership.entity
    return None


def is_manager_of(user: Any, entity: Entity) -> bool:
    membership = membership_of(user)
    return (
        membership is not None
        and membership.entity_id == entity.pk
        and membership.role == MembershipRole.MANAGER
        and membership.state == MembershipState.VALIDATED
    )


def can_review_manager_accounts(user: Any) -> bool:
    """Platform administrator: validates the first account (gestionnaire) of each entity (ACC-5)."""
    return role_of(user) == Role.PLATFORM_ADMIN


def can_decide_membership(user: Any, membership: Membership) -> bool:
    """Gestionnaire accounts: platform administrator. Member accounts: their entity's gestionnaire (ACC-4)."""
    if membership.role == MembershipRole.MANAGER:
        return can_review_manager_accounts(user)
    return is_manager_of(user, membership.entity) or role_of(user) == Role.PLATFORM_ADMIN


def can_view_entity(user: Any, entity: Entity) -> bool:
    """The entity's validated members; platform administrators; FC and CDC staff."""
    if role_of(user) in {Role.PLATFORM_ADMIN, Role.FC_ADMIN, Role.FC_INSTRUCTOR, Role.CDC_CONTROLLER}:
        return True
    entity_of_user = validated_entity(user)
    return entity_of_user is not None and entity_of_user.pk == entity.pk


def can_manage_entity(user: Any, entity: Entity) -> bool:
    """The entity's gestionnaire: members, API tokens."""
    return is_manager_of(user, entity)


def can_read_document(user: Any, document: EntityDocument) -> bool:
    """The entity's members (even while pending: they uploaded it) and staff (ACC-3)."""
    if role_of(user) in {Role.PLATFORM_ADMIN, Role.FC_ADMIN, Role.FC_INSTRUCTOR, Role.CDC_CONTROLLER}:
        return True
    membership = membership_of(user)
    return membership is not None and membership.entity_id == document.entity_id


def can_manage_partners(user: Any) -> bool:
    """Validated members of a certifier entity (ACC-7)."""
    return role_of(user) in {Role.CERTIFIER, Role.CERTIFIER_MANAGER}


def get_document_for_user(user: Any, document_id: int) -> EntityDocument:
    document = EntityDocument.objects.filter(pk=document_id).select_related("entity").first()
    if document is None or not can_read_document(user, document):
        raise Http404("Document introuvable.")
    return document


def get_membership_for_user(user: Any, membership_id: int) -> Membership:
    membership = Membership.objects.filter(pk=membership_id).select_related("entity", "user").first()
    if membership is None or not can_decide_membership(user, membership):
        raise Http404("Compte introuvable.")
    return membership
