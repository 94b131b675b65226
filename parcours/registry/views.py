from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import policies
from .forms import CertificationSearchForm
from .models import Certification
from .services import (
    CertificationNotFound,
    get_certification,
    known_codes,
    replacement_links,
    search_certifications,
)

PAGE_SIZE = 20


def _require_view(request: HttpRequest) -> None:
    if not policies.can_view_registry(request.user):
        raise Http404


def home(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    return render(
        request,
        "registry/home.html",
        {
            "active_count": Certification.objects.active().count(),
            "total_count": Certification.objects.count(),
        },
    )


def certification_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    form = CertificationSearchForm(request.GET or None)
    queryset = search_certifications(form.filters())
    page_obj = Paginator(
        queryset.only("code", "title", "level", "end_date", "declared_active", "registry", "number"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/certification_list.html",
        {
            "page_title": "Certifications",
            "form": form,
            "page_obj": page_obj,
            "querystring_without_page": (query.urlencode() + "&") if query else "",
        },
    )


def certification_detail(request: HttpRequest, code: str) -> HttpResponse:
    _require_view(request)
    try:
        certification = get_certification(code)
    except CertificationNotFound as exc:
        raise Http404(str(exc)) from None
    if certification.code != code:
        return redirect("registry:certification_detail", code=certification.code, permanent=True)
    replacements = replacement_links(certification)
    return render(
        request,
        "registry/certification_detail.html",
        {
            "page_title": f"{certification.code} — {certification.title}",
            "certification": certification,
            "replacements": replacements,
            "known": known_codes(replacements.replaced_by + replacements.replaces),
            "texts": [
                ("Objectifs et contexte de la certification", certification.objectives_context),
                ("Activités visées", certification.activities),
                ("Compétences attestées", certification.capacities),
                ("Secteurs d'activité", certification.sectors),
                ("Types d'emplois accessibles", certification.job_types),
                ("Réglementation d'activités", certification.regulations),
                ("Prérequis à l'entrée en formation", certification.entry_prerequisites),
                ("Prérequis à la validation de la certification", certification.validation_prerequisites),
            ],
        },
    )
