"""An organisation's commercial terms and its priced modules (COM-1, COM-2, COM-5, COM-7, COM-8)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from parcours.core.errors import DomainError

from .. import commercial, policies
from ..forms import CommercialTermsForm, ModulePriceForm
from ..models import ModulePrice
from .common import show_error


def _terms_owner(request: HttpRequest) -> Any:
    organisation = policies.organisation_of(request.user)
    if organisation is None or not policies.can_manage_commercial_terms(request.user, organisation):
        raise Http404("Conditions commerciales introuvables.")
    return organisation


def _terms_page(request: HttpRequest, organisation: Any, form: Any = None, module_form: Any = None) -> HttpResponse:
    terms = commercial.terms_for(organisation)
    return render(
        request,
        "dossiers/terms.html",
        {
            "page_title": "Conditions commerciales",
            "organisation": organisation,
            "form": form or CommercialTermsForm(instance=terms),
            "module_form": module_form or ModulePriceForm(prefix="module"),
            "modules": terms.modules.all() if terms.pk else [],
        },
    )


@login_required
def commercial_terms(request: HttpRequest) -> HttpResponse:
    organisation = _terms_owner(request)
    if request.method != "POST":
        return _terms_page(request, organisation)
    form = CommercialTermsForm(request.POST, instance=commercial.terms_for(organisation))
    if form.is_valid():
        try:
            commercial.save_commercial_terms(organisation, request.user, form.cleaned_data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, "Conditions commerciales enregistrées.")
            return redirect("dossiers:terms")
    return _terms_page(request, organisation, form=form)


@login_required
@require_POST
def module_add(request: HttpRequest) -> HttpResponse:
    organisation = _terms_owner(request)
    form = ModulePriceForm(request.POST, prefix="module")
    if form.is_valid():
        try:
            module = commercial.save_module_price(organisation, request.user, **form.cleaned_data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Module « {module.label} » ajouté.")
            return redirect("dossiers:terms")
    return _terms_page(request, organisation, module_form=form)


@login_required
@require_POST
def module_delete(request: HttpRequest, module_id: int) -> HttpResponse:
    organisation = _terms_owner(request)
    get_object_or_404(ModulePrice, pk=module_id, terms__organisation=organisation)  # another's: 404
    commercial.delete_module_price(organisation, request.user, module_id)
    messages.success(request, "Module supprimé.")
    return redirect("dossiers:terms")
