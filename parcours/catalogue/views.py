"""EDOF's catalogue pages for training organisations (OFF-1 to OFF-22). Rules live in services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from parcours.accounts.forms import add_domain_error
from parcours.core.errors import DomainError
from parcours.registry.models import Certification

from . import policies, services
from .enums import CLEA_CODES, OfferStatus, OfferType
from .forms import ActionForm, BlocksForm, OfferDescriptionForm, OfferStartForm, SessionForm
from .models import Offer

PAGE_SIZE = 20


def _flash(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, f"{error.message} (règle {error.rule})" if error.rule else error.message)


@login_required
def offer_list(request: HttpRequest) -> HttpResponse:
    owner = policies.require_owner(request.user)
    offers = Offer.objects.of(owner).select_related("certification").prefetch_related("offer_blocks")
    status = request.GET.get("statut", "")
    if status in OfferStatus.values:
        offers = offers.filter(status=status)
    page = Paginator(offers.order_by("-updated_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(offer, services.offer_warnings(offer)) for offer in page.object_list]
    return render(
        request,
        "catalogue/offer_list.html",
        {
            "page_title": "Mon catalogue",
            "page_obj": page,
            "rows": rows,
            "statuses": OfferStatus.choices,
            "status": status,
            "querystring_without_page": f"statut={status}&" if status else "",
        },
    )


def _block_choices(certification: Certification | None) -> list[tuple[str, str]]:
    if certification is None:
        return []
    return [(b.code, f"{b.code} — {b.title}") for b in certification.blocks.order_by("position", "code")]


def _certification_from(data) -> Certification | None:  # type: ignore[no-untyped-def]
    """The certification named by step 1: registry + digits (OFF-2), or Cléa's choice (OFF-20)."""
    if data.get("offer_type") == OfferType.CLEA:
        code = data.get("clea_code") or CLEA_CODES[0]
        return Certification.objects.filter(code=code).first()
    if data.get("offer_type", OfferType.CERTIFYING) != OfferType.CERTIFYING:
        return None
    return services.find_certification(data.get("registry", ""), data.get("digits", ""))


@login_required
def certification_lookup(request: HttpRequest) -> HttpResponse:
    """htmx « Appliquer »: the title, or why not; then the blocks, all preselected (OFF-2, OFF-3)."""
    owner = policies.require_owner(request.user)
    context: dict[str, object] = {"form": OfferStartForm()}
    try:
        certification = _certification_from(request.GET)
        if certification is not None:
            services.check_may_offer(owner, certification)
            context["certification"] = certification
            context["blocks"] = list(certification.blocks.order_by("position", "code"))
            context["advice"] = services.same_certification_advice(owner, certification)
    except DomainError as error:
        context["error"] = error
    return render(request, "catalogue/_certification_lookup.html", context)


@login_required
def internal_id_check(request: HttpRequest) -> HttpResponse:
    """htmx « Vérifier » (OFF-7)."""
    owner = policies.require_owner(request.user)
    value = request.GET.get("internal_id", "").strip()
    exclude = None
    if request.GET.get("offer"):
        exclude = policies.get_offer_for_user(request.user, int(request.GET["offer"]))
    if not value:
        state, text = "error", "Veuillez renseigner un identifiant interne afin de poursuivre votre saisie."
    elif services.internal_id_taken(owner, value, exclude):
        state, text = "error", f"« {value} » est déjà utilisé dans votre catalogue."
    else:
        state, text = "valid", f"« {value} » est disponible."
    return render(request, "catalogue/_internal_id_check.html", {"state": state, "text": text})


@login_required
def offer_create(request: HttpRequest) -> HttpResponse:
    owner = policies.require_owner(request.user)
    data = request.POST if request.method == "POST" else request.GET
    certification = None
    context: dict[str, object] = {"page_title": "Nouvelle offre"}
    try:
        certification = (
            _certification_from(data) if data.get("digits") or data.get("offer_type") == OfferType.CLEA else None
        )
    except DomainError:
        certification = None
    form = OfferStartForm(
        request.POST or None,
        initial={"offer_type": request.GET.get("type", OfferType.CERTIFYING)},
        block_choices=_block_choices(certification),
    )
    if request.method == "POST" and form.is_valid():
        try:
            certification = _certification_from(form.cleaned_data)
            offer = services.create_offer(
                owner,
                request.user,
                services.OfferInput(
                    offer_type=form.cleaned_data["offer_type"],
                    certification=certification,
                    block_codes=form.cleaned_data["blocks"],
                    blocks_customisable=form.cleaned_data["blocks_customisable"],
                    values={"internal_id": form.cleaned_data["internal_id"]},
                ),
            )
            messages.success(request, "Offre enregistrée en brouillon : complétez sa description.")
            return redirect("catalogue:offer_edit", offer.pk)
        except DomainError as error:
            add_domain_error(form, error)
    context.update(
        {
            "form": form,
            "certification": certification,
            "blocks": list(certification.blocks.order_by("position", "code")) if certification else [],
            "selected_blocks": set(form.data.getlist("blocks")) if form.is_bound else None,
        }
    )
    return render(request, "catalogue/offer_create.html", context)


def _summary_context(offer: Offer) -> dict[str, object]:
    certification = offer.certification
    return {
        "offer": offer,
        "certification": certification,
        "certifiers": list(certification.certifier_links.select_related("certifier")) if certification else [],
        "perimeter": services.perimeter(offer),
        "offer_blocks": list(offer.offer_blocks.select_related("block")),
        "warnings": services.offer_warnings(offer),
    }


@login_required
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    """Step 2: summary of the certification (OFF-6) and the description (OFF-7 to OFF-14)."""
    offer = policies.get_offer_for_user(request.user, offer_id)
    initial = {name: getattr(offer, name) for name in services.OFFER_FIELDS} | {"version": offer.version}
    form = OfferDescriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.update_offer(offer.pk, request.user, form.values(), version=form.cleaned_data["version"])
            if "validate" in request.POST:
                offer = services.transition_offer(offer.pk, request.user, "validate")
                messages.success(request, "Offre validée.")
            else:
                messages.success(request, "Brouillon enregistré.")
            return redirect("catalogue:offer_detail", offer.pk)
        except DomainError as error:
            add_domain_error(form, error)
    context = _summary_context(offer) | {"form": form, "page_title": f"Modifier l'offre {offer.internal_id}"}
    if offer.certification:
        context["advice"] = services.same_certification_advice(offer.organisation, offer.certification, exclude=offer)
    return render(request, "catalogue/offer_edit.html", context)


@login_required
def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = policies.get_offer_for_user(request.user, offer_id)
    context = _summary_context(offer) | {
        "page_title": f"Offre {offer.internal_id}",
        "actions": offer.actions.prefetch_related("sessions"),
        "errors": services.validation_errors(offer) if offer.status == OfferStatus.DRAFT else [],
        "events": offer.events.select_related("actor")[:20],
    }
    return render(request, "catalogue/offer_detail.html", context)


@login_required
def offer_blocks(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = policies.get_offer_for_user(request.user, offer_id)
    if offer.certification is None or not offer.certification.blocks.exists():
        raise Http404
    selected = list(offer.offer_blocks.values_list("code", flat=True))
    customisable = None if offer.blocks_customisable is None else ("1" if offer.blocks_customisable else "0")
    form = BlocksForm(
        request.POST or None,
        initial={"blocks": selected, "blocks_customisable": customisable, "version": offer.version},
        block_choices=_block_choices(offer.certification),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_blocks(
                offer.pk,
                request.user,
                form.cleaned_data["blocks"],
                form.cleaned_data["blocks_customisable"],
                version=form.cleaned_data["version"],
            )
            offer.refresh_from_db()
            if offer.blocks_changed_at:
                messages.warning(
                    request,
                    "La liste des blocs a changé : mettez à jour la description et les actions de l'offre (OFF-16).",
                )
            return redirect("catalogue:offer_detail", offer.pk)
        except DomainError as error:
            add_domain_error(form, error)
    return render(
        request, "catalogue/offer_blocks.html", _summary_context(offer) | {"form": form, "page_title": "Blocs préparés"}
    )


@login_required
@require_POST
def offer_transition(request: HttpRequest, offer_id: int, name: str) -> HttpResponse:
    offer = policies.get_offer_for_user(request.user, offer_id)
    if name not in services.TRANSITIONS:
        raise Http404
    try:
        services.transition_offer(offer.pk, request.user, name)
    except DomainError as error:
        _flash(request, error)
        return redirect("catalogue:offer_detail", offer.pk)
    labels = {"validate": "validée", "archive": "archivée", "restore": "remise en brouillon", "delete": "supprimée"}
    messages.success(request, f"Offre {offer.internal_id} {labels[name]}.")
    return redirect(
        "catalogue:offer_list" if name == "delete" else "catalogue:offer_detail",
        *([] if name == "delete" else [offer.pk]),
    )


@login_required
def action_edit(request: HttpRequest, offer_id: int | None = None, action_id: int | None = None) -> HttpResponse:
    action = policies.get_action_for_user(request.user, action_id) if action_id else None
    offer = action.offer if action else policies.get_offer_for_user(request.user, offer_id or 0)
    form = ActionForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_action(offer, request.user, form.cleaned_data, action=action)
            messages.success(request, "Action enregistrée.")
            return redirect("catalogue:offer_detail", offer.pk)
        except DomainError as error:
            add_domain_error(form, error)
    return render(
        request,
        "catalogue/action_form.html",
        {"form": form, "offer": offer, "action": action, "page_title": "Action de formation"},
    )


@login_required
@require_POST
def action_delete(request: HttpRequest, action_id: int) -> HttpResponse:
    action = policies.get_action_for_user(request.user, action_id)
    services.delete_action(action, request.user)
    messages.success(request, f"Action {action.internal_id} supprimée.")
    return redirect("catalogue:offer_detail", action.offer_id)


@login_required
def session_edit(request: HttpRequest, action_id: int | None = None, session_id: int | None = None) -> HttpResponse:
    session = policies.get_session_for_user(request.user, session_id) if session_id else None
    action = session.action if session else policies.get_action_for_user(request.user, action_id or 0)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_session(action, request.user, form.cleaned_data, session=session)
            messages.success(request, "Session enregistrée.")
            return redirect("catalogue:offer_detail", action.offer_id)
        except DomainError as error:
            add_domain_error(form, error)
    return render(
        request,
        "catalogue/session_form.html",
        {"form": form, "action": action, "session": session, "page_title": "Session"},
    )


@login_required
@require_POST
def session_delete(request: HttpRequest, session_id: int) -> HttpResponse:
    session = policies.get_session_for_user(request.user, session_id)
    services.delete_session(session, request.user)
    messages.success(request, "Session supprimée.")
    return redirect("catalogue:offer_detail", session.action.offer_id)


# -- EDOF XML catalogue (OFF-18, EDO-4, EDO-5) ------------------------------------------
@login_required
def catalogue_import(request: HttpRequest) -> HttpResponse:
    """Upload an EDOF import file; all or nothing, every error with its line and element."""
    from .edof.importer import import_catalogue
    from .forms import CatalogueImportForm

    owner = policies.require_owner(request.user)
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = import_catalogue(upload.read(), owner, request.user, dry_run=form.cleaned_data["dry_run"])
        report.source = upload.name
        if report.written:
            messages.success(request, "Catalogue importé.")
    return render(
        request, "catalogue/import.html", {"form": form, "report": report, "page_title": "Importer un catalogue"}
    )


@login_required
def catalogue_export(request: HttpRequest) -> HttpResponse:
    """Download the catalogue in EDOF's format or in LHÉO 2.3."""
    from .edof.writer import export_edof, export_lheo

    owner = policies.require_owner(request.user)
    kind = request.GET.get("format", "edof")
    if kind not in ("edof", "lheo"):
        raise Http404
    data = export_edof(owner) if kind == "edof" else export_lheo(owner)
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="catalogue-{owner.siret}-{kind}.xml"'
    return response
