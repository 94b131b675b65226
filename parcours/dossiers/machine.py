"""The dossier's state machine (EDO-1): the table, and the one way every transition runs.

Every state change goes through `transition`: lock the row, check who acts and the table, apply the
transition's checks and facts, save (simple-history records it), log a `DossierEvent`. The public
functions, one per transition, live in services.py and training.py and notify on commit.
"""

import datetime
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied

from parcours.accounts.enums import MembershipState
from parcours.accounts.models import Membership, User
from parcours.core.errors import DomainError
from parcours.core.mail import notify
from parcours.registry.models import paris_today

from .enums import FINAL_STATES, DossierState, Side
from .models import Dossier, DossierEvent
from .policies import can_answer_proposal, can_control_dossier, can_manage_dossier
from .rules import next_deadline

S = DossierState
# EDO-1: name → (allowed sources, target). Who may perform each: ACTED_BY.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "validate": (frozenset({S.NOT_PROCESSED}), S.VALIDATED),
    "refuse_request": (frozenset({S.NOT_PROCESSED}), S.REFUSED_BY_ORGANISATION),
    "lapse_request": (frozenset({S.NOT_PROCESSED}), S.CANCELLED_UNANSWERED),
    "accept": (frozenset({S.VALIDATED}), S.ACCEPTED),
    "refuse_proposal": (frozenset({S.VALIDATED}), S.REFUSED_BY_HOLDER),
    "lapse_proposal": (frozenset({S.VALIDATED}), S.CANCELLED_UNANSWERED),
    "cancel_by_holder": (frozenset({S.ACCEPTED}), S.CANCELLED_BY_HOLDER),
    "cancel_by_organisation": (frozenset({S.VALIDATED, S.ACCEPTED}), S.CANCELLED_BY_ORGANISATION),
    "declare_entry": (frozenset({S.ACCEPTED}), S.IN_TRAINING),
    "declare_exit": (frozenset({S.IN_TRAINING}), S.EXITED),
    "declare_service_done": (frozenset({S.EXITED}), S.SERVICE_DECLARED),
    "validate_service_done": (frozenset({S.SERVICE_DECLARED}), S.SERVICE_VALIDATED),
    "open_billing": (frozenset({S.SERVICE_VALIDATED}), S.TO_BILL),
    "bill": (frozenset({S.TO_BILL}), S.BILLED),
    "record_payment": (frozenset({S.BILLED}), S.PAID),
}
ACTED_BY: dict[str, frozenset[str]] = {
    "validate": frozenset({Side.ORGANISATION}),
    "refuse_request": frozenset({Side.ORGANISATION}),
    "lapse_request": frozenset({Side.SYSTEM}),
    "accept": frozenset({Side.HOLDER}),
    "refuse_proposal": frozenset({Side.HOLDER}),
    "lapse_proposal": frozenset({Side.SYSTEM}),
    "cancel_by_holder": frozenset({Side.HOLDER}),
    "cancel_by_organisation": frozenset({Side.ORGANISATION}),
    "declare_entry": frozenset({Side.ORGANISATION}),
    "declare_exit": frozenset({Side.ORGANISATION}),
    "declare_service_done": frozenset({Side.ORGANISATION}),
    "validate_service_done": frozenset({Side.SYSTEM, Side.CONTROLLER}),
    "open_billing": frozenset({Side.ORGANISATION, Side.SYSTEM}),
    "bill": frozenset({Side.ORGANISATION}),
    "record_payment": frozenset({Side.CONTROLLER, Side.SYSTEM}),
}
VERBS = {
    "validate": "valider le dossier",
    "refuse_request": "refuser la demande",
    "lapse_request": "clore une demande sans réponse",
    "accept": "accepter la proposition",
    "refuse_proposal": "refuser la proposition",
    "lapse_proposal": "clore une proposition sans réponse",
    "cancel_by_holder": "annuler le dossier",
    "cancel_by_organisation": "annuler le dossier",
    "declare_entry": "déclarer l'entrée en formation",
    "declare_exit": "déclarer la sortie de formation",
    "declare_service_done": "déclarer le service fait",
    "validate_service_done": "valider le service fait",
    "open_billing": "passer le dossier à facturer",
    "bill": "facturer",
    "record_payment": "enregistrer le paiement",
}


# -- machinery --------------------------------------------------------------------------------
def lock_dossier(dossier_id: int, version: int | None = None) -> Dossier:
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("organisation", "holder", "certification", "session")
        .get(pk=dossier_id)
    )
    if version is not None and dossier.version != version:
        raise DomainError(
            "Le dossier a été modifié entre-temps par quelqu'un d'autre : rechargez la page.",
            rule="DOS-5",
            field="version",
        )
    return dossier


def acts_as(actor: User | None, dossier: Dossier) -> set[str]:
    if actor is None:
        return {Side.SYSTEM}
    sides: set[str] = set()
    if can_manage_dossier(actor, dossier):
        sides.add(Side.ORGANISATION)
    if can_answer_proposal(actor, dossier):
        sides.add(Side.HOLDER)
    if can_control_dossier(actor):
        sides.add(Side.CONTROLLER)
    return sides


def require(actor: User | None, dossier: Dossier, sides: Iterable[str], what: str) -> None:
    if not acts_as(actor, dossier) & set(sides):
        raise PermissionDenied(f"Vous ne pouvez pas {what} sur ce dossier.")


def log(dossier: Dossier, actor: User | None, verb: str, source: str, target: str, note: str = "") -> None:
    DossierEvent.objects.create(
        dossier=dossier,
        actor=actor if actor and actor.pk else None,
        verb=verb,
        from_state=source,
        to_state=target,
        note=note,
    )


def save(dossier: Dossier, reason: str) -> None:
    dossier.version += 1
    dossier._change_reason = reason  # type: ignore[attr-defined]
    dossier.save()


def organisation_emails(dossier: Dossier) -> list[str]:
    return list(
        Membership.objects.filter(entity_id=dossier.organisation_id, state=MembershipState.VALIDATED).values_list(
            "user__email", flat=True
        )
    )


def tell_holder(dossier: Dossier, subject: str, body: str) -> None:
    notify([dossier.holder.email], subject, f"{body}\n\nDossier n° {dossier.pk} — {dossier.title}")


def tell_organisation(dossier: Dossier, subject: str, body: str) -> None:
    notify(organisation_emails(dossier), subject, f"{body}\n\nDossier n° {dossier.pk} — {dossier.title}")


def refusal(name: str, dossier: Dossier) -> DomainError:
    if name in ("validate",) and dossier.state != S.NOT_PROCESSED:
        return DomainError(
            "Ce dossier est déjà validé : il ne peut plus être modifié ni validé à nouveau. Pour le corriger, "
            "annulez-le puis faites-en un nouveau.",
            rule="DOS-5",
            field="state",
        )
    verb = VERBS[name]
    of = "d'" if verb[0] in "aeiouéè" else "de "
    return DomainError(
        f"Impossible {of}{verb} : le dossier est « {dossier.get_state_display()} ».", rule="EDO-1", field="state"
    )


def transition(
    dossier_id: int,
    actor: User | None,
    name: str,
    change: Callable[[Dossier, datetime.date], str | None] | None = None,
    *,
    version: int | None = None,
) -> Dossier:
    """Lock, check who acts and the table, apply `change` (its checks and facts), save, log.

    Call inside a transaction. `change` returns the log's note, if any.
    """
    sources, target = TRANSITIONS[name]
    dossier = lock_dossier(dossier_id, version)
    require(actor, dossier, ACTED_BY[name], VERBS[name])
    if dossier.state not in sources:
        raise refusal(name, dossier)
    today = paris_today()
    note = change(dossier, today) if change else ""
    source, dossier.state = dossier.state, target
    dossier.deadline_kind, dossier.deadline_on = next_deadline(
        target, since=today, starts_on=dossier.session_starts_on, ends_on=dossier.session_ends_on
    )
    if target in FINAL_STATES:
        dossier.closed_on = today
    save(dossier, name)
    log(dossier, actor, name, source, target, note or "")
    return dossier
