"""The list of dossiers and the dossier's page, with the actions of its table (`actions.ACTIONS`)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from parcours.core.errors import DomainError

from .. import deadlines, evaluations, policies, proposal, training, waiting_list
from ..enums import OCCUPYING_STATES, DossierState, EvaluationResult, Side, WaitingState
from ..forms import ResultForm
from ..machine import ACTED_BY, TRANSITIONS, VERBS, acts_as
from ..models import Dossier, WaitingListEntry
from .actions import ACTIONS, block_slug
from .common import error_message, require, show_error

PAGE_SIZE = 20
EVENT_LABELS = {
    "enrol": "Demande d'inscription",
    "update": "Proposition modifiée",
    "positioning": "Entretien de positionnement enregistré",
    "validate": "Dossier validé : proposition envoyée",
    "refuse_request": "Demande refusée",
    "lapse_request": "Demande close sans réponse",
    "accept": "Proposition acceptée",
    "refuse_proposal": "Proposition refusée",
    "lapse_proposal": "Proposition close sans réponse",
    "cancel_by_holder": "Annulé par le titulaire",
    "cancel_by_organisation": "Annulé par l'organisme",
    "copy": "Dossier refait",
    "declare_entry": "Entrée en formation déclarée",
    "declare_exit": "Sortie de formation déclarée",
    "evaluation": "Inscription à une évaluation",
    "result": "Résultat d'une évaluation",
    "certification": "Certification obtenue",
    "attendance": "Attestation de présence délivrée",
    "declare_service_done": "Service fait déclaré",
    "control": "Contrôle ouvert",
    "control-closed": "Contrôle clos",
    "validate_service_done": "Service fait validé",
    "open_billing": "Passé à facturer",
    "bill": "Facturé",
    "record_payment": "Paiement enregistré",
}


# -- the list ---------------------------------------------------------------------------------
@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    """A holder's own dossiers, an organisation's, or all of them for the Caisse des dépôts."""
    user = request.user
    organisation = policies.organisation_of(user)
    holder = policies.can_enrol(user)
    if not (holder or organisation is not None or policies.can_control_dossier(user)):
        raise Http404("Aucun dossier.")
    dossiers = policies.dossiers_for_user(user).select_related("holder", "organisation")
    state = request.GET.get("etat", "")
    if state in DossierState.values:
        dossiers = dossiers.filter(state=state)
    page = Paginator(dossiers.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = (
        WaitingListEntry.objects.filter(holder=user, state__in=[WaitingState.WAITING, WaitingState.OFFERED])
        .select_related("session__action__offer")
        .order_by("created_at")
        if holder
        else []
    )
    title = "Mes dossiers" if holder else f"Dossiers de {organisation.name}" if organisation else "Dossiers"
    return render(
        request,
        "dossiers/list.html",
        {
            "page_title": title,
            "page_obj": page,
            "rows": [(dossier, deadlines.to_do(user, dossier)) for dossier in page.object_list],
            "states": DossierState.choices,
            "state": state,
            "querystring_without_page": f"etat={state}&" if state else "",
            "holder_view": holder,
            "waiting": [(entry, waiting_list.position(entry)) for entry in waiting],
        },
    )


# -- the dossier's page, and the actions of its table ----------------------------------------------
def _offered(dossier: Dossier, sides: set[str]) -> list[str]:
    return [name for name, action in ACTIONS.items() if action.sides & sides and action.when(dossier)]


def _evaluation_rows(dossier: Dossier, offered: list[str], bound: dict[str, Any]) -> list[dict[str, Any]]:
    """Each block of the order (and the final evaluation, REG-8): its registration, result and forms."""
    targets: list[tuple[Any, Any]] = [
        (b, getattr(b, "evaluation", None)) for b in dossier.blocks.select_related("evaluation")
    ]
    if dossier.final_evaluation_required:
        targets.append((None, dossier.evaluations.filter(dossier_block__isnull=True).first()))
    rows = []
    for block, evaluation in targets:
        slug = block_slug(block.code if block else None)
        result = evaluation.result if evaluation else None
        row: dict[str, Any] = {"block": block, "evaluation": evaluation, "slug": slug}
        if "register_evaluation" in offered and result != EvaluationResult.PASSED:
            row["register"] = _form("register_evaluation", dossier, bound, slug)
        if "record_result" in offered and result == EvaluationResult.PENDING:
            row["result"] = bound.get(f"record_result-{slug}") or ResultForm(
                prefix=f"record_result-{slug}", initial={"result_on": evaluation.scheduled_on}
            )
        rows.append(row)
    return rows


def _form(name: str, dossier: Dossier, bound: dict[str, Any], slug: str = "") -> Any:
    key = f"{name}-{slug}" if slug else name
    action = ACTIONS[name]
    assert action.form is not None
    return bound.get(key) or action.form(prefix=key, initial=action.initial(dossier))


def _detail(request: HttpRequest, dossier: Dossier, bound: dict[str, Any] | None = None) -> HttpResponse:
    user, bound = request.user, bound or {}
    sides = acts_as(user, dossier)
    organisation, holder, controller = (s in sides for s in (Side.ORGANISATION, Side.HOLDER, Side.CONTROLLER))
    offered = _offered(dossier, sides)
    replaced_by = Dossier.objects.filter(replaces=dossier).only("pk").first()
    if replaced_by is not None and "copy" in offered:
        offered.remove("copy")  # done once (DOS-5)
    blocks = list(dossier.blocks.all())
    copy_codes = dossier.offer_copy.get("block_codes", [])
    titles = dict(dossier.certification.blocks.values_list("code", "title")) if dossier.certification else {}
    events = dossier.events.select_related("actor")[:50]

    def can(name: str) -> bool:
        return dossier.state in TRANSITIONS[name][0] and bool(ACTED_BY[name] & sides)

    context = {
        "page_title": f"Dossier n° {dossier.pk}",
        "dossier": dossier,
        "holder_view": holder,
        "controller_view": controller,
        "profile": getattr(dossier.holder, "holder", None) if (organisation or controller) else None,
        "to_do": deadlines.to_do(user, dossier),
        "blocks": blocks,
        "perimeter": proposal.perimeter_of(dossier, sum(1 for b in blocks if b.block_id)),
        "copy_blocks": [(code, titles.get(code, "")) for code in copy_codes],
        "copy_perimeter": proposal.perimeter_of(dossier, sum(1 for code in copy_codes if code in titles)),
        "unregistered": evaluations.unregistered_blocks(dossier) if dossier.state in OCCUPYING_STATES else [],
        "evaluation_rows": _evaluation_rows(dossier, offered, bound),
        "attestations": dossier.attestations.select_related("dossier_block"),
        "positioning": dossier.positioning if hasattr(dossier, "positioning") else None,
        "movements": dossier.movements.all(),
        "events": [(e, EVENT_LABELS.get(e.verb) or VERBS.get(e.verb, e.verb)) for e in events],
        "state_labels": dict(DossierState.choices),
        "forms": {
            name: _form(name, dossier, bound)
            for name in offered
            if ACTIONS[name].form is not None and not ACTIONS[name].per_block
        },
        "buttons": {name for name in offered if ACTIONS[name].form is None},
        "pages": {
            "edit": organisation and dossier.state == DossierState.NOT_PROCESSED,
            "validate": can("validate"),
            "accept": can("accept"),
            "cancel": can("cancel_by_holder") or can("cancel_by_organisation"),
        },
        "replaced_by": replaced_by,
        "billable": training.billable_amount(dossier) if "bill" in offered else None,
        "failed_form": next(iter(bound), None),
        "failed_errors": next(iter(bound.values())).errors if bound else {},
    }
    return render(request, "dossiers/detail.html", context)


@login_required
def dossier_detail(request: HttpRequest, dossier_id: int) -> HttpResponse:
    return _detail(request, policies.get_dossier_for_user(request.user, dossier_id))


@login_required
@require_POST
def dossier_action(request: HttpRequest, dossier_id: int, name: str, slug: str = "") -> HttpResponse:
    """An action of the dossier's page (`ACTIONS`): its errors show on the page, in its form."""
    action = ACTIONS[name]
    dossier = policies.get_dossier_for_user(request.user, dossier_id)
    require(bool(action.sides & acts_as(request.user, dossier)))
    key = f"{name}-{slug}" if slug else name
    form = action.form(request.POST, request.FILES, prefix=key) if action.form else None
    if form is None or form.is_valid():
        try:
            result = action.call(request.user, dossier, form.cleaned_data if form else {}, slug)
        except DomainError as error:
            if form is None:
                messages.error(request, error_message(error))
                return redirect("dossiers:detail", dossier.pk)
            show_error(form, error)
        else:
            messages.success(request, action.success(result))
            return redirect("dossiers:detail", action.goes_to(result) if action.goes_to else dossier.pk)
    return _detail(request, dossier, {key: form})
