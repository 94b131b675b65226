from allauth.account.signals import email_confirmed
from django.db.models.signals import post_save
from django.dispatch import receiver

from parcours.core.outbox import ORGANISATION, announce

from .enums import MembershipState
from .models import Entity, Membership
from .services import announce_pending_membership


@receiver(email_confirmed)
def tell_who_must_validate(request, email_address, **kwargs):  # type: ignore[no-untyped-def]
    membership = Membership.objects.filter(user=email_address.user, state=MembershipState.PENDING).first()
    if membership is not None:
        announce_pending_membership(membership)


@receiver(post_save, sender=Entity)
def entity_changed(sender, instance, **kwargs):  # type: ignore[no-untyped-def]
    """Qualiopi dates, name, SIRET: what the public catalogue shows of its offers (issue 5)."""
    announce(ORGANISATION, [instance.pk])
