"""Enumerations of enrolment dossiers: English values, French labels (EDO-1 to EDO-3, COM)."""

from django.db import models


class DossierState(models.TextChoices):
    """EDO-1: EDOF's labels, word for word."""

    NOT_PROCESSED = "not_processed", "Non traité"
    VALIDATED = "validated", "Validé"
    ACCEPTED = "accepted", "Accepté"
    IN_TRAINING = "in_training", "En formation"
    EXITED = "exited", "Sortie de formation"
    SERVICE_DECLARED = "service_declared", "Service fait déclaré"
    SERVICE_VALIDATED = "service_validated", "Service fait validé"
    TO_BILL = "to_bill", "À facturer"
    BILLED = "billed", "Facturé"
    PAID = "paid", "Payé"
    REFUSED_BY_ORGANISATION = "refused_by_organisation", "Refusé par l'organisme"
    REFUSED_BY_HOLDER = "refused_by_holder", "Refusé par le titulaire"
    CANCELLED_BY_HOLDER = "cancelled_by_holder", "Annulé par le titulaire"
    CANCELLED_BY_ORGANISATION = "cancelled_by_organisation", "Annulé par l'organisme"
    CANCELLED_UNANSWERED = "cancelled_unanswered", "Annulé sans suite"


# States with no way out.
FINAL_STATES = frozenset(
    {
        DossierState.PAID,
        DossierState.REFUSED_BY_ORGANISATION,
        DossierState.REFUSED_BY_HOLDER,
        DossierState.CANCELLED_BY_HOLDER,
        DossierState.CANCELLED_BY_ORGANISATION,
        DossierState.CANCELLED_UNANSWERED,
    }
)
# COM-5: a place in the session is taken once the holder accepted (the signed quote, COM-6),
# and stays taken for the rest of the dossier's life.
OCCUPYING_STATES = frozenset(
    {
        DossierState.ACCEPTED,
        DossierState.IN_TRAINING,
        DossierState.EXITED,
        DossierState.SERVICE_DECLARED,
        DossierState.SERVICE_VALIDATED,
        DossierState.TO_BILL,
        DossierState.BILLED,
        DossierState.PAID,
    }
)
# Before acceptance: the proposal is still being made or answered.
PENDING_STATES = frozenset({DossierState.NOT_PROCESSED, DossierState.VALIDATED})
# From entry on, the trainee is or was in training: evaluations and attestations apply (DOS-7, COM-6).
TRAINING_STATES = OCCUPYING_STATES - {DossierState.ACCEPTED}


class Side(models.TextChoices):
    """Who performs a transition (EDO-1)."""

    ORGANISATION = "organisation", "Organisme de formation"
    HOLDER = "holder", "Titulaire"
    CONTROLLER = "controller", "Caisse des dépôts"
    SYSTEM = "system", "Automatique"


class ExitReason(models.TextChoices):
    """EDO-3: the reason of the exit from training.

    Source: the CDC's help page « Comment choisir le motif de sortie de formation » (three families
    when the trainee does not finish) and EDOF's API as public integrations call it, which gives the
    code of the planned end: `{"code": "8", "label": "Fin prévue de l'action de formation"}`. Only
    that code is the CDC's; the CDC's codes of the three families are not in any source we have, so
    their values are ours (not guessed numbers) — map them to EDOF's codes when an export needs them.
    """

    PLANNED_END = "8", "Fin prévue de l'action de formation"
    BY_TRAINEE = "trainee", "Le stagiaire n'a pas pu ou voulu suivre l'intégralité de la formation"
    BY_ORGANISATION_POSTPONED = (
        "organisation_postponed",
        "L'organisme interrompt la formation et propose un report ou une prolongation",
    )
    BY_ORGANISATION_STOPPED = (
        "organisation_stopped",
        "L'organisme interrompt la formation sans pouvoir proposer de report ni de prolongation",
    )


# EDOF's own codes, where a source gives them (EDO-3).
CDC_EXIT_CODES = {ExitReason.PLANNED_END: "8"}


class DeadlineKind(models.TextChoices):
    """EDO-2: the one deadline a dossier waits on, and who must act before it."""

    ANSWER_REQUEST = "answer_request", "Répondre à la demande d'inscription"
    ANSWER_PROPOSAL = "answer_proposal", "Accepter ou refuser la proposition"
    DECLARE_ENTRY = "declare_entry", "Déclarer l'entrée en formation"
    DECLARE_EXIT = "declare_exit", "Déclarer la sortie de formation"
    SERVICE_AUTO_VALIDATION = "service_auto_validation", "Validation automatique du service fait"


class DayKind(models.TextChoices):
    """How days are counted (see workdays.py)."""

    WORKING = "working", "jours ouvrés (lundi au vendredi, hors jours fériés)"
    BUSINESS = "business", "jours ouvrables (lundi au samedi, hors jours fériés)"


class EvaluationResult(models.TextChoices):
    PENDING = "pending", "En attente"
    PASSED = "passed", "Réussi"
    FAILED = "failed", "Non réussi"


class AttestationKind(models.TextChoices):
    BLOCK = "block", "Attestation de réussite du bloc de compétences"  # REG-9
    CERTIFICATION = "certification", "Attestation de la certification"  # REG-8
    TRAINING = "training", "Attestation de formation"  # COM-6
    ATTENDANCE = "attendance", "Attestation de présence"  # COM-6


class MovementKind(models.TextChoices):
    """The CPF balance ledger: one debit at acceptance, at most one credit back."""

    DEBIT = "debit", "Débit"
    CREDIT = "credit", "Recrédit"


class WaitingState(models.TextChoices):
    """COM-5: the waiting list of a full session."""

    WAITING = "waiting", "En liste d'attente"
    OFFERED = "offered", "Place proposée"
    ENROLLED = "enrolled", "Inscrit"
    WITHDRAWN = "withdrawn", "Retiré"
    EXPIRED = "expired", "Place non saisie"


# EDO-2, in working days.
ANSWER_REQUEST_DAYS = 2
ANSWER_PROPOSAL_DAYS = 4
DECLARATION_DAYS = 3
SERVICE_AUTO_VALIDATION_DAYS = 5
WITHDRAWAL_DAYS = 11
# COM-5: how long a freed place is kept for the first person of the waiting list. No source
# gives it: we reuse the holder's time to answer a proposition (EDO-2).
WAITING_OFFER_DAYS = ANSWER_PROPOSAL_DAYS

# COM-2: the CGV's default cancellation policy.
DEFAULT_FREE_ABOVE_DAYS = 15
DEFAULT_FULL_BELOW_DAYS = 7
DEFAULT_PARTIAL_RATE = 50
# COM-7, COM-8
DEFAULT_LATE_PAYMENT_MULTIPLIER = "1.5"
DEFAULT_HOURS_PER_DAY = 7
