from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from .enums import MembershipState
from .models import Membership
from .services import announce_pending_membership


@receiver(email_confirmed)
def tell_who_must_validate(request, email_address, **kwargs):  # type: ignore[no-untyped-def]
    membership = Membership.objects.filter(user=email_address.user, state=MembershipState.PENDING).first()
    if membership is not None:
        announce_pending_membership(membership)
