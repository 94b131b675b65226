"""The actions of the dossier's page (EDO-1 and the training's course): one declarative table.

Each entry names who may use it (others get 403), when the page offers it, the service it calls
and its form; `listing.dossier_action` runs them, `listing` shows them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from parcours.accounts.services import Upload

from .. import evaluations, services, training
from ..enums import FINAL_STATES, OCCUPYING_STATES, TRAINING_STATES, DossierState, Side
from ..forms import (
    BillForm,
    EntryForm,
    EvaluationForm,
    ExitForm,
    PositioningForm,
    ReasonForm,
    ResultForm,
    ServiceDoneForm,
)
from ..machine import ACTED_BY, TRANSITIONS
from ..models import Dossier

FINAL = "finale"  # the final evaluation's slug in URLs (REG-8); block codes never take it


def block_slug(block_code: str | None) -> str:
    return block_code or FINAL


def slug_block_code(slug: str) -> str | None:
    return None if slug == FINAL else slug


@dataclass(frozen=True)
class Action:
    """A form (or a button) of the dossier's page: the sides who may use it (others get 403), when the
    page offers it, and the service it calls as `call(actor, dossier, data, slug)`."""

    path: str
    sides: frozenset[str]
    when: Callable[[Dossier], bool]
    call: Callable[[Any, Dossier, dict[str, Any], str], Any]
    success: Callable[[Any], str]
    form: type[forms.Form] | None = None
    initial: Callable[[Dossier], dict[str, Any]] = lambda dossier: {}
    per_block: bool = False  # one form per block of the order (and the final evaluation), by slug
    goes_to: Callable[[Any], int] | None = None  # the dossier shown next, if not this one


def _table(name: str) -> dict[str, Any]:
    """A transition of EDO-1's table: who performs it, from which states."""
    sources = TRANSITIONS[name][0]
    return {"sides": ACTED_BY[name] - {Side.SYSTEM}, "when": lambda dossier: dossier.state in sources}


def _said(text: str) -> Callable[[Any], str]:
    return lambda result: text


def _positioning(actor: Any, dossier: Dossier, data: dict[str, Any], slug: str) -> Any:
    proof = data["proof"]
    upload = Upload(name=proof.name, size=proof.size, stream=proof)
    return evaluations.record_positioning_interview(dossier.pk, actor, held_on=data["held_on"], proof=upload)


ORGANISATION, HOLDER, CONTROLLER = (frozenset({side}) for side in (Side.ORGANISATION, Side.HOLDER, Side.CONTROLLER))
ACTIONS: dict[str, Action] = {
    "positioning": Action(
        "positionnement",
        ORGANISATION,
        lambda d: d.state == DossierState.NOT_PROCESSED,
        _positioning,
        _said("Entretien de positionnement enregistré, avec sa preuve."),
        PositioningForm,
    ),
    "refuse_request": Action(
        "refuser-demande",
        **_table("refuse_request"),
        call=lambda u, d, f, s: services.refuse_request(d.pk, u, reason=f["reason"]),
        success=_said("Demande d'inscription refusée : le titulaire en est informé."),
        form=ReasonForm,
    ),
    "copy": Action(
        "refaire",
        ORGANISATION,
        lambda d: d.state == DossierState.CANCELLED_BY_ORGANISATION and d.validated_on is not None,
        lambda u, d, f, s: services.copy_dossier(d.pk, u),
        lambda new: (
            f"Nouveau dossier n° {new.pk}, refait à partir du n° {new.replaces_id} : corrigez-le puis validez-le."
        ),
        goes_to=lambda new: new.pk,
    ),
    "refuse_proposal": Action(
        "refuser",
        **_table("refuse_proposal"),
        call=lambda u, d, f, s: services.refuse_proposal(d.pk, u, reason=f["reason"]),
        success=_said("Proposition refusée."),
        form=ReasonForm,
    ),
    "attendance": Action(
        "attestation-presence",
        HOLDER | ORGANISATION,
        lambda d: d.state in TRAINING_STATES,
        lambda u, d, f, s: evaluations.request_attendance_attestation(d.pk, u),
        _said("Attestation de présence délivrée : elle est dans la liste des attestations."),
    ),
    "declare_entry": Action(
        "entree",
        **_table("declare_entry"),
        call=lambda u, d, f, s: training.declare_entry(d.pk, u, entered_on=f["entered_on"]),
        success=_said("Entrée en formation déclarée."),
        form=EntryForm,
        initial=lambda d: {"entered_on": d.session_starts_on},
    ),
    "declare_exit": Action(
        "sortie",
        **_table("declare_exit"),
        call=lambda u, d, f, s: training.declare_exit(d.pk, u, exited_on=f["exited_on"], reason=f["exit_reason"]),
        success=_said("Sortie de formation déclarée : l'attestation de formation est délivrée."),
        form=ExitForm,
        initial=lambda d: {"exited_on": d.session_ends_on},
    ),
    "declare_service_done": Action(
        "service-fait",
        **_table("declare_service_done"),
        call=lambda u, d, f, s: training.declare_service_done(
            d.pk,
            u,
            completion_rate=f["completion_rate"],
            absence_hours=f["absence_hours"],
            force_majeure=f["force_majeure"],
        ),
        success=lambda d: f"Service fait déclaré : il sera validé le {d.deadline_on:%d/%m/%Y} sauf contrôle.",
        form=ServiceDoneForm,
        initial=lambda d: {"completion_rate": 100},
    ),
    "register_evaluation": Action(
        "evaluations/<str:slug>/inscription",
        ORGANISATION,
        lambda d: d.state in OCCUPYING_STATES,
        lambda u, d, f, s: evaluations.register_evaluation(
            d.pk,
            u,
            block_code=slug_block_code(s),
            scheduled_on=f["scheduled_on"],
            place=f["place"],
            organiser=f["organiser"],
        ),
        lambda evaluation: f"Stagiaire inscrit à l'évaluation : {evaluation}.",
        EvaluationForm,
        initial=lambda d: {"scheduled_on": d.session_ends_on},
        per_block=True,
    ),
    "record_result": Action(
        "evaluations/<str:slug>/resultat",
        ORGANISATION,
        lambda d: d.state in TRAINING_STATES,
        lambda u, d, f, s: evaluations.record_result(
            d.pk, u, block_code=slug_block_code(s), passed=f["passed"], result_on=f["result_on"]
        ),
        lambda e: f"Résultat enregistré : {e} — {e.get_result_display()}.",
        ResultForm,
        per_block=True,
    ),
    "open_billing": Action(
        "a-facturer",
        **_table("open_billing"),
        call=lambda u, d, f, s: training.open_billing(d.pk, u),
        success=_said("Dossier passé « À facturer »."),
    ),
    "bill": Action(
        "facturer",
        **_table("bill"),
        call=lambda u, d, f, s: training.bill(d.pk, u, invoice_number=f["invoice_number"], amount=f["amount"]),
        success=lambda d: f"Dossier facturé : facture {d.invoice_number}, {d.billed_amount} €.",
        form=BillForm,
    ),
    "open_control": Action(
        "controle",
        CONTROLLER,
        lambda d: d.state not in FINAL_STATES and d.control_opened_on is None,
        lambda u, d, f, s: training.open_control(d.pk, u, reason=f["reason"]),
        _said("Contrôle ouvert : la validation automatique du service fait est suspendue."),
        ReasonForm,
    ),
    "close_control": Action(
        "controle/clore",
        CONTROLLER,
        lambda d: d.control_opened_on is not None,
        lambda u, d, f, s: training.close_control(d.pk, u),
        _said("Contrôle clos."),
    ),
    "validate_service_done": Action(
        "service-fait/valider",
        **_table("validate_service_done"),
        call=lambda u, d, f, s: training.validate_service_done(d.pk, u),
        success=_said("Service fait validé."),
    ),
    "record_payment": Action(
        "paiement",
        **_table("record_payment"),
        call=lambda u, d, f, s: training.record_payment(d.pk, u),
        success=_said("Paiement enregistré."),
    ),
}
