"""Accounts pages: dashboards per role, validation queues, entity, documents, tokens, partners."""

from allauth.account.models import EmailAddress
from allauth.account.views import SignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from parcours.core.errors import DomainError
from parcours.registry.models import Accreditation, Certification, paris_today

from . import policies
from .enums import MembershipRole, MembershipState, Role
from .forms import ApiTokenForm, DecisionForm, HolderSignupForm, PartnerForm, ResendActivationForm, add_domain_error
from .habilitations import certifications_of_certifier, end_accreditation, grant_accreditation
from .models import ApiToken, Membership
from .services import create_api_token, decide_membership, revoke_api_token

PAGE_SIZE = 25


class HolderSignupView(SignupView):
    template_name = "account/signup_holder.html"

    def get_form_class(self):  # type: ignore[no-untyped-def]
        return HolderSignupForm  # ACCOUNT_FORMS names the professional form


def resend_activation(request: HttpRequest) -> HttpResponse:
    """ACC-5: the activation mail can be sent again (same answer whether the address exists or not)."""
    form = ResendActivationForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        address = EmailAddress.objects.filter(email__iexact=form.cleaned_data["email"], verified=False).first()
        if address is not None:
            address.send_confirmation(request)
        messages.info(
            request,
            "Si un compte non activé existe pour cette adresse, un nouveau lien d'activation vient d'y être envoyé.",
        )
        return redirect("account_login")
    return render(
        request, "accounts/resend_activation.html", {"form": form, "page_title": "Renvoyer le lien d'activation"}
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = policies.role_of(request.user)
    membership = policies.membership_of(request.user)
    return render(
        request,
        "accounts/home.html",
        {"page_title": "Mon espace", "role": role, "membership": membership, "Role": Role},
    )


@login_required
def validation_queue(request: HttpRequest) -> HttpResponse:
    """Platform administrators validate the first account of each entity (ACC-4, ACC-5)."""
    if not policies.can_review_manager_accounts(request.user):
        raise Http404
    pending = (
        Membership.objects.filter(
            role=MembershipRole.MANAGER,
            state=MembershipState.PENDING,
            user__emailaddress__verified=True,
        )
        .select_related("entity", "user")
        .prefetch_related("entity__documents")
        .order_by("created_at")
    )
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/validation_queue.html", {"page_obj": page, "page_title": "Comptes à valider"})


@login_required
@require_POST
def decide(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = policies.get_membership_for_user(request.user, membership_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez « Valider » ou « Refuser ».")
    else:
        try:
            decide_membership(
                membership.pk,
                request.user,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
            verb = "validé" if form.cleaned_data["decision"] == "accept" else "refusé"
            messages.success(request, f"Le compte de {membership.user.email} est {verb}.")
        except DomainError as error:
            messages.error(request, f"{error.message} (règle {error.rule})" if error.rule else error.message)
    return redirect(request.POST.get("next") or "accounts:home")


@login_required
def entity(request: HttpRequest) -> HttpResponse:
    """The entity's page: its details and documents; members and API tokens for its gestionnaire."""
    membership = policies.membership_of(request.user)
    if membership is None or not policies.can_view_entity(request.user, membership.entity):
        raise Http404
    current = membership.entity
    manager = policies.can_manage_entity(request.user, current)
    context = {
        "page_title": current.name,
        "entity": current,
        "manager": manager,
        "documents": current.documents.order_by("-uploaded_at"),
        "members": current.memberships.select_related("user").order_by("state", "created_at") if manager else [],
        "tokens": current.api_tokens.all() if manager else [],
        "token_form": ApiTokenForm(),
        "new_token": request.session.pop("new_api_token", None),
    }
    return render(request, "accounts/entity.html", context)


@login_required
def document(request: HttpRequest, document_id: int) -> FileResponse:
    doc = policies.get_document_for_user(request.user, document_id)
    return FileResponse(doc.file.open("rb"), content_type=doc.content_type, filename=doc.original_name)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    current = policies.validated_entity(request.user)
    if current is None or not policies.can_manage_entity(request.user, current):
        raise Http404
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        token, raw = create_api_token(current, form.cleaned_data["name"], request.user)
        request.session["new_api_token"] = {"name": token.name, "secret": raw}
        messages.success(request, "Jeton créé : copiez-le maintenant, il ne sera plus affiché.")
    else:
        messages.error(request, "Donnez un nom au jeton.")
    return redirect("accounts:entity")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    current = policies.validated_entity(request.user)
    if current is None or not policies.can_manage_entity(request.user, current):
        raise Http404
    token = get_object_or_404(ApiToken, pk=token_id, entity=current)
    revoke_api_token(token)
    messages.success(request, f"Le jeton « {token.name} » est révoqué.")
    return redirect("accounts:entity")


@login_required
def partners(request: HttpRequest) -> HttpResponse:
    """A certifier's partners: add a training organisation by SIRET, end a habilitation (ACC-7)."""
    if not policies.can_manage_partners(request.user):
        raise Http404
    current = policies.validated_entity(request.user)
    assert current is not None
    certifications = list(certifications_of_certifier(current).order_by("code"))
    form = PartnerForm(request.POST or None, certifications=certifications)
    if request.method == "POST" and form.is_valid():
        certification = get_object_or_404(Certification, code=form.cleaned_data["certification"])
        try:
            grant_accreditation(
                current,
                certification,
                siret=form.cleaned_data["siret"],
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                actor=request.user,
            )
            messages.success(request, f"Habilitation enregistrée sur {certification.code}.")
            return redirect("accounts:partners")
        except DomainError as error:
            add_domain_error(form, error)
    selected = request.GET.get("certification") or (certifications[0].code if certifications else "")
    accreditations = []
    if selected:
        chosen = next((c for c in certifications if c.code == selected), None)
        if chosen is None:
            raise Http404
        accreditations = Paginator(chosen.accreditations.order_by("name"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/partners.html",
        {
            "page_title": "Partenaires habilités",
            "certifications": certifications,
            "selected": selected,
            "page_obj": accreditations,
            "form": form,
        },
    )


@login_required
@require_POST
def partner_end(request: HttpRequest, accreditation_id: int) -> HttpResponse:
    if not policies.can_manage_partners(request.user):
        raise Http404
    current = policies.validated_entity(request.user)
    assert current is not None
    accreditation = get_object_or_404(
        Accreditation.objects.select_related("certification"),
        pk=accreditation_id,
        certification__in=certifications_of_certifier(current),
    )
    try:
        end_accreditation(accreditation, paris_today(), request.user)
        messages.success(request, f"L'habilitation de {accreditation.name} est terminée.")
    except DomainError as error:
        messages.error(request, f"{error.message} (règle {error.rule})")
    return redirect(reverse("accounts:partners") + f"?certification={accreditation.certification.code}")


@login_required
def holder(request: HttpRequest) -> HttpResponse:
    if policies.role_of(request.user) != Role.HOLDER:
        raise Http404
    return render(
        request, "accounts/holder.html", {"page_title": "Mon compte formation", "profile": request.user.holder}
    )
