"""When is an offer public? One rule for search, the offer page, the API and enrolment.

OFF-22 and REG-6: validated; its certification active today (end date included, Europe/Paris);
its organisation holding a valid Qualiopi « actions de formation » certification and its
habilitation (ACC-6, ACC-7); at least one session open and starting in the future.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from parcours.accounts.habilitations import TRAINING_KINDS, may_prepare
from parcours.catalogue.enums import EnrolmentState, OfferStatus
from parcours.catalogue.models import Offer, Session
from parcours.registry.enums import AccreditationState
from parcours.registry.models import Accreditation, CertificationCertifier, paris_today


@dataclass(frozen=True)
class Visibility:
    public: bool
    reason: str = ""
    # An offer that was once published answers 410 with the reason; one never published, 404.
    was_published: bool = False


def _open_future_sessions(on: datetime.date) -> QuerySet[Session]:
    return Session.objects.filter(action__offer=OuterRef("pk"), enrolment_state=EnrolmentState.OPEN, starts_on__gt=on)


def public_offers(on: datetime.date | None = None) -> QuerySet[Offer]:
    """The same rule as `visibility`, as one query (for lists and counts)."""
    on = on or paris_today()
    habilitated = Exists(
        Accreditation.objects.filter(
            certification=OuterRef("certification"),
            siret=OuterRef("organisation__siret"),
            kind__in=TRAINING_KINDS,
            state=AccreditationState.ACTIVE,
        ).filter(Q(starts_on__isnull=True) | Q(starts_on__lte=on), Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    ) | Exists(
        CertificationCertifier.objects.filter(
            certification=OuterRef("certification"),
            certifier__siret=OuterRef("organisation__siret"),
            state=AccreditationState.ACTIVE,
        )
    )
    certification_ok = Q(certification__isnull=True) | (
        Q(certification__declared_active=True)
        & (Q(certification__end_date__isnull=True) | Q(certification__end_date__gte=on))
        & habilitated
    )
    qualiopi_ok = (
        Q(organisation__qualiopi_training=True)
        & (Q(organisation__qualiopi_valid_from__isnull=True) | Q(organisation__qualiopi_valid_from__lte=on))
        & (Q(organisation__qualiopi_valid_until__isnull=True) | Q(organisation__qualiopi_valid_until__gte=on))
    )
    return Offer.objects.filter(
        certification_ok,
        qualiopi_ok,
        Exists(_open_future_sessions(on)),
        status=OfferStatus.VALIDATED,
        organisation__is_training_organisation=True,
    )


def visibility(offer: Offer, on: datetime.date | None = None) -> Visibility:
    """The rule for one offer, with the French reason when it is not public."""
    on = on or paris_today()
    published = offer.status != OfferStatus.DRAFT and offer.events.filter(verb="validate").exists()
    if offer.status != OfferStatus.VALIDATED:
        reasons = {
            OfferStatus.DRAFT: "Cette offre n'est pas publiée.",
            OfferStatus.ARCHIVED: "Cette offre a été retirée du catalogue par l'organisme de formation.",
            OfferStatus.DELETED: "Cette offre a été supprimée par l'organisme de formation.",
        }
        return Visibility(False, reasons[OfferStatus(offer.status)], published)
    if offer.certification is not None:
        decision = may_prepare(offer.organisation, offer.certification, on)
        if not decision:
            reason = {
                "REG-6": f"La certification {offer.certification.code} préparée par cette offre n'est plus active : "
                "l'offre n'est plus ouverte aux inscriptions.",
                "ACC-6": "L'organisme de formation ne détient plus de certification Qualiopi valide.",
                "ACC-7": "L'organisme de formation n'est plus habilité à préparer cette certification.",
            }.get(decision.rule, decision.reason)
            return Visibility(False, reason, True)
    elif not offer.organisation.qualiopi_valid_on(on):
        return Visibility(False, "L'organisme de formation ne détient plus de certification Qualiopi valide.", True)
    has_session = Session.objects.filter(
        action__offer=offer, enrolment_state=EnrolmentState.OPEN, starts_on__gt=on
    ).exists()
    if not has_session:
        return Visibility(False, "Aucune session de cette offre n'est ouverte aux inscriptions.", True)
    return Visibility(True)
