"""EDO-2's deadlines: what each person must do and by when, and the periodic task's work.

- shown: `pending_action(dossier)` gives the deadline, its date and who must act; pages show it
  to that person (`action_for(user, dossier)`).
- applied: `apply_deadlines()` closes requests and propositions unanswered in time (« Annulé sans
  suite »), validates the service fait 5 working days after its declaration unless a control holds
  it, and passes waiting-list places not taken to the next person. Each dossier in its own
  transaction, re-checked under its lock: safe to run twice, or concurrently.
"""

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from parcours.core.errors import DomainError
from parcours.registry.models import paris_today

from . import services, training, waiting_list
from .enums import OCCUPYING_STATES, DeadlineKind, DossierState, Side
from .evaluations import unregistered_blocks
from .machine import acts_as
from .models import Dossier
from .proposal import adaptation_of

logger = logging.getLogger(__name__)

WHO_ACTS = {
    DeadlineKind.ANSWER_REQUEST: Side.ORGANISATION,
    DeadlineKind.ANSWER_PROPOSAL: Side.HOLDER,
    DeadlineKind.DECLARE_ENTRY: Side.ORGANISATION,
    DeadlineKind.DECLARE_EXIT: Side.ORGANISATION,
    DeadlineKind.SERVICE_AUTO_VALIDATION: Side.CONTROLLER,  # a control must be opened before it
}
# What happens when the deadline passes, if anything.
CONSEQUENCES = {
    DeadlineKind.ANSWER_REQUEST: "sans réponse, la demande sera annulée sans suite",
    DeadlineKind.ANSWER_PROPOSAL: "sans réponse, la proposition sera annulée sans suite",
    DeadlineKind.DECLARE_ENTRY: "déclarez l'entrée dans les 3 jours ouvrés qui suivent le début",
    DeadlineKind.DECLARE_EXIT: "déclarez la sortie dans les 3 jours ouvrés qui suivent la fin",
    DeadlineKind.SERVICE_AUTO_VALIDATION: "le service fait sera validé automatiquement ce jour-là, sauf contrôle",
}


@dataclass(frozen=True)
class PendingAction:
    kind: str
    due_on: datetime.date
    side: str  # who must act
    overdue: bool

    @property
    def message(self) -> str:
        label = DeadlineKind(self.kind).label
        if self.overdue:
            return f"{label} : le délai a expiré le {self.due_on:%d/%m/%Y} (EDO-2)."
        return f"{label} au plus tard le {self.due_on:%d/%m/%Y} : {CONSEQUENCES[DeadlineKind(self.kind)]} (EDO-2)."


def pending_action(dossier: Dossier, on: datetime.date | None = None) -> PendingAction | None:
    if not dossier.deadline_kind or dossier.deadline_on is None:
        return None
    on = on or paris_today()
    kind = DeadlineKind(dossier.deadline_kind)
    overdue = on >= dossier.deadline_on if kind == DeadlineKind.SERVICE_AUTO_VALIDATION else on > dossier.deadline_on
    return PendingAction(kind, dossier.deadline_on, WHO_ACTS[kind], overdue)


def action_for(user: Any, dossier: Dossier, on: datetime.date | None = None) -> PendingAction | None:
    """The deadline, if `user` is the person who must meet it."""
    action = pending_action(dossier, on)
    if action is None or action.side not in acts_as(user, dossier):
        return None
    return action


def to_do(user: Any, dossier: Dossier, on: datetime.date | None = None) -> list[str]:
    """What the dossier's page tells `user` to do: their deadline with its date (EDO-2), and for the
    organisation what the rules still ask (DOS-4, DOS-7, DOS-8)."""
    items = []
    action = action_for(user, dossier, on)
    if action is not None:
        items.append(action.message)
    if Side.ORGANISATION not in acts_as(user, dossier):
        return items
    if dossier.state == DossierState.NOT_PROCESSED:
        if not hasattr(dossier, "positioning"):
            items.append("Enregistrez l'entretien de positionnement et sa preuve (DOS-8).")
        adaptation = adaptation_of(dossier)
        if adaptation.blocks_changed and adaptation.still_identical:
            items.append(
                "La liste des blocs a changé ; encore identiques à l'offre : "
                f"{', '.join(adaptation.still_identical)} (DOS-4)."
            )
    if dossier.state in OCCUPYING_STATES:
        missing = [block.code for block in unregistered_blocks(dossier)]
        if missing:
            items.append(
                f"Inscrivez le stagiaire aux évaluations des blocs {', '.join(missing)}, de préférence à "
                "l'entrée en formation (DOS-7)."
            )
    return items


@dataclass
class DeadlineReport:
    lapsed: list[int] = field(default_factory=list)
    service_validated: list[int] = field(default_factory=list)
    waiting_offers_expired: int = 0
    skipped: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lapsed": self.lapsed,
            "service_validated": self.service_validated,
            "waiting_offers_expired": self.waiting_offers_expired,
            "skipped": self.skipped,
        }


def apply_deadlines() -> DeadlineReport:
    """EDO-2, for every dossier whose deadline passed today (Europe/Paris).

    The services re-check each deadline under the row lock: a dossier answered meanwhile is skipped.
    """
    on = paris_today()
    report = DeadlineReport()
    lapsing = Dossier.objects.filter(
        deadline_kind__in=[DeadlineKind.ANSWER_REQUEST, DeadlineKind.ANSWER_PROPOSAL], deadline_on__lt=on
    ).values_list("pk", flat=True)
    for dossier_id in list(lapsing):
        try:
            services.lapse(dossier_id)
            report.lapsed.append(dossier_id)
        except DomainError as error:  # answered meanwhile, or already lapsed: nothing to do
            logger.info("Dossier %s: %s", dossier_id, error.message)
            report.skipped.append(dossier_id)
    validating = Dossier.objects.filter(
        deadline_kind=DeadlineKind.SERVICE_AUTO_VALIDATION, deadline_on__lte=on, control_opened_on__isnull=True
    ).values_list("pk", flat=True)
    for dossier_id in list(validating):
        try:
            training.validate_service_done(dossier_id)
            report.service_validated.append(dossier_id)
        except DomainError as error:
            logger.info("Dossier %s: %s", dossier_id, error.message)
            report.skipped.append(dossier_id)
    report.waiting_offers_expired = waiting_list.expire_offers(on)
    return report
