"""The organisation's proposal and the holder's answer: modify, validate, accept, cancel (DOS-2 to
DOS-8, COM-2, EDO-1). Refusing and copying a dossier are actions of its page (`actions`)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from parcours.core.errors import DomainError

from .. import commercial, policies, proposal, services
from ..enums import DossierState, Side
from ..forms import AcceptForm, CancelForm, ProposalForm, VersionForm
from ..machine import refusal
from ..models import Dossier
from ..rules import CONFIRMABLE, missing_amount
from .common import error_message, require, show_error


def _may_manage(user: Any, dossier: Dossier) -> bool:
    return policies.can_manage_dossier(user, dossier)


def _may_answer(user: Any, dossier: Dossier) -> bool:
    return policies.can_answer_proposal(user, dossier)


# -- the organisation: the proposal (DOS-2 to DOS-6, DOS-8) ------------------------------------
@login_required
def proposal_edit(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """« Modifier le dossier »: the proposal, the blocks on a personalisable dossier (DOS-3), and
    after a new block list what is still the offer's, with the confirmations of DOS-4."""
    dossier = policies.get_dossier_for_user(request.user, dossier_id)
    require(_may_manage(request.user, dossier))
    if dossier.is_read_only and request.method != "POST":
        closed = refusal("validate", dossier) if dossier.validated_on else None
        messages.info(
            request, error_message(closed) if closed else f"Ce dossier est « {dossier.get_state_display()} »."
        )
        return redirect("dossiers:detail", dossier.pk)
    adaptation = proposal.adaptation_of(dossier)
    choices = [(code, f"{code} — {title}") for code, title in _certification_blocks(dossier)]
    form = ProposalForm(
        request.POST or None,
        initial=proposal.proposal_values(dossier) | {"blocks": dossier.block_codes(), "version": dossier.version},
        block_choices=choices,
        confirmable=adaptation.unconfirmed,
    )
    if request.method == "POST" and form.is_valid():
        try:
            dossier = proposal.update_proposal(
                dossier.pk,
                request.user,
                values=form.values(),
                block_codes=form.block_codes(),
                confirm_unchanged=form.cleaned_data["confirm_unchanged"],
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Proposition enregistrée.")
            if not proposal.adaptation_of(dossier).complete:
                return redirect("dossiers:edit", dossier.pk)  # DOS-4: the page says what remains
            return redirect("dossiers:detail", dossier.pk)
    return render(
        request,
        "dossiers/edit.html",
        {
            "page_title": f"Modifier le dossier n° {dossier.pk}",
            "dossier": dossier,
            "form": form,
            "text_fields": [form[name] for name in ("title", "pedagogical_objectives", "content", "expected_results")],
            "adaptation": adaptation,
            "confirmed": [label for group, label in _confirmable_labels() if group in dossier.unchanged_confirmations],
            "blocks": list(dossier.blocks.all()),
        },
    )


def _certification_blocks(dossier: Dossier) -> list[tuple[str, str]]:
    if dossier.certification is None:
        return [(b.code, b.title) for b in dossier.blocks.all()]
    return list(dossier.certification.blocks.order_by("position", "code").values_list("code", "title"))


def _confirmable_labels() -> list[tuple[str, str]]:
    return [(group, label) for group, (_fields, label) in CONFIRMABLE.items()]


@login_required
def proposal_validate(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """« Valider le dossier »: the summary to confirm, then the proposal goes to the holder (DOS-5)."""
    dossier = policies.get_dossier_for_user(request.user, dossier_id)
    require(_may_manage(request.user, dossier))
    form = VersionForm(request.POST or None, initial={"version": dossier.version})
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.validate_dossier(dossier.pk, request.user, version=form.cleaned_data["version"])
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                f"Dossier validé : la proposition est envoyée au titulaire, qui doit y répondre avant le "
                f"{dossier.deadline_on:%d/%m/%Y}.",
            )
            return redirect("dossiers:detail", dossier.pk)
    open_ = dossier.state == DossierState.NOT_PROCESSED
    return render(
        request,
        "dossiers/validate.html",
        {
            "page_title": f"Valider le dossier n° {dossier.pk}",
            "dossier": dossier,
            "form": form,
            "summary": proposal.proposal_summary(dossier) if open_ else None,
            "errors": proposal.validation_errors(dossier) if open_ else [],
        },
    )


# -- cancelling, by either side (COM-2) ---------------------------------------------------------
@login_required
def cancel(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """« Annuler »: the fee and the policy first (COM-2), then the cancellation at that fee."""
    dossier = policies.get_dossier_for_user(request.user, dossier_id)
    side = services.cancellation_side(request.user, dossier)
    if side == Side.ORGANISATION:
        require(_may_manage(request.user, dossier))
    quote = commercial.cancellation_quote(dossier, side=side)
    form = CancelForm(request.POST or None, initial={"confirmed_fee": quote.fee.amount})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cancel(dossier.pk, request.user, confirmed_fee=data["confirmed_fee"], reason=data["reason"])
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Dossier annulé.")
            return redirect("dossiers:detail", dossier.pk)
    return render(
        request,
        "dossiers/cancel.html",
        {
            "page_title": f"Annuler le dossier n° {dossier.pk}",
            "dossier": dossier,
            "form": form,
            "quote": quote,
            "terms": commercial.terms_for(dossier.organisation_id),
            "holder_side": side == Side.HOLDER,
        },
    )


# -- the holder: the answer (EDO-1) ------------------------------------------------------------
@login_required
def accept(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """« Accepter »: the CPF balance against the price; when short, what is missing and « Je paie le reste »."""
    dossier = policies.get_dossier_for_user(request.user, dossier_id)
    require(_may_answer(request.user, dossier))
    form = AcceptForm(request.POST or None, initial={"version": dossier.version})
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.accept_proposal(
                dossier.pk,
                request.user,
                pay_remainder=form.cleaned_data["pay_remainder"],
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Proposition acceptée : votre inscription est confirmée.")
            return redirect("dossiers:detail", dossier.pk)
    balance = dossier.holder.holder.cpf_balance
    return render(
        request,
        "dossiers/accept.html",
        {
            "page_title": f"Accepter la proposition n° {dossier.pk}",
            "dossier": dossier,
            "form": form,
            "balance": balance,
            "missing": missing_amount(balance, dossier.total_incl_vat),
            "summary": proposal.proposal_summary(dossier),
        },
    )
