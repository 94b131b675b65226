"""Steps of a dossier's life, for tests: each calls the services as the right person."""

import datetime
import io
from decimal import Decimal

from parcours.accounts.services import Upload
from parcours.dossiers import evaluations, services, training
from parcours.dossiers.commercial import cancellation_quote
from parcours.dossiers.enums import Side
from parcours.dossiers.models import Dossier
from parcours.registry.models import paris_today

PDF = b"%PDF-1.4\n% preuve de l'entretien de positionnement\n"


def proof(data: bytes = PDF, name: str = "entretien.pdf") -> Upload:
    return Upload(name=name, size=len(data), stream=io.BytesIO(data))


def positioned(dossier: Dossier, manager, held_on: datetime.date | None = None) -> Dossier:
    evaluations.record_positioning_interview(dossier.pk, manager, held_on=held_on or paris_today(), proof=proof())
    return Dossier.objects.get(pk=dossier.pk)


def validated(session, holder, manager) -> Dossier:
    dossier = services.enrol(actor=holder, session_id=session.pk)
    positioned(dossier, manager)
    return services.validate_dossier(dossier.pk, manager)


def accepted(session, holder, manager, **kwargs) -> Dossier:
    dossier = validated(session, holder, manager)
    return services.accept_proposal(dossier.pk, holder, **kwargs)


def in_training(session, holder, manager, clock) -> Dossier:
    dossier = accepted(session, holder, manager)
    clock.set(dossier.session_starts_on)
    return training.declare_entry(dossier.pk, manager, entered_on=dossier.session_starts_on)


def holder_fee(dossier: Dossier, on: datetime.date | None = None) -> Decimal:
    return cancellation_quote(dossier, side=Side.HOLDER, on=on).fee.amount
