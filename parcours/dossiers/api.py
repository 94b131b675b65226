"""`/api/v1/dossiers/…`: the same services as the pages, for organisations (an entity token, or a
logged-in member) and holders (logged in), with the same French errors (DomainError → 409/422,
PermissionDenied → 403).

Who acts with an entity token: the member who created the token, while they still belong to the
organisation; the event log records them.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from parcours.accounts.auth import entity_token
from parcours.accounts.models import ApiToken, User
from parcours.accounts.services import Upload

from . import commercial, deadlines, evaluations, proposal, services, training
from .documents import attestation_pdf, proposal_pdf
from .enums import DossierState, Side
from .machine import acts_as
from .models import Dossier
from .policies import dossiers_for_user, get_dossier_for_user, organisation_of
from .rules import PROPOSAL_FIELDS

router = Router(tags=["Dossiers de formation"], auth=[entity_token, django_auth])


class ErrorOut(Schema):
    rule: str = ""
    field: str = ""
    message: str


ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# -- who acts -----------------------------------------------------------------------------------
def actor_of(request: HttpRequest) -> User:
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiToken):
        user = auth.created_by
        organisation = organisation_of(user) if user is not None else None
        if organisation is None or organisation.pk != auth.entity_id:
            raise PermissionDenied(
                "Ce jeton n'a plus d'auteur membre de l'organisme : créez-en un nouveau depuis votre espace."
            )
        return user
    return request.user  # type: ignore[return-value]


def dossier_of(request: HttpRequest, dossier_id: int) -> Dossier:
    return get_dossier_for_user(actor_of(request), dossier_id)


# -- what a dossier looks like --------------------------------------------------------------------
class BlockOut(Schema):
    code: str
    title: str


class EventOut(Schema):
    verb: str
    from_state: str
    to_state: str
    note: str
    created_at: datetime.datetime


class DossierOut(Schema):
    id: int
    state: str
    state_label: str
    version: int
    organisation: str
    organisation_siret: str | None
    holder: str
    certification: str
    blocks_customisable: bool
    blocks: list[BlockOut]
    title: str
    pedagogical_objectives: str
    content: str
    expected_results: str
    duration_hours: Decimal
    price_excl_vat: Decimal
    vat_rate: Decimal
    price_incl_vat: Decimal
    exam_fees_excl_vat: Decimal
    exam_fees_incl_vat: Decimal
    price_detail: str
    session_starts_on: datetime.date | None
    session_ends_on: datetime.date | None
    deadline: str
    deadline_on: datetime.date | None
    to_do: list[str]
    validated_on: datetime.date | None
    accepted_on: datetime.date | None
    entered_on: datetime.date | None
    exited_on: datetime.date | None
    exit_reason: str
    cpf_amount: Decimal
    holder_amount: Decimal
    still_identical: list[str]
    unregistered_blocks: list[str]


class DossierDetailOut(DossierOut):
    events: list[EventOut]
    attestations: list[dict[str, Any]]


# Read-only facts shown beside the proposal's fields (rules.PROPOSAL_FIELDS).
FACTS = (
    "price_incl_vat",
    "exam_fees_incl_vat",
    "deadline_on",
    "validated_on",
    "accepted_on",
    "entered_on",
    "exited_on",
    "exit_reason",
    "cpf_amount",
    "holder_amount",
)


def present(dossier: Dossier, user: User) -> dict[str, Any]:
    organisation_side = Side.ORGANISATION in acts_as(user, dossier)
    return {
        "id": dossier.pk,
        "state": dossier.state,
        "state_label": dossier.get_state_display(),
        "version": dossier.version,
        "organisation": dossier.organisation.name,
        "organisation_siret": dossier.organisation.siret,
        "holder": dossier.holder.get_full_name() or dossier.holder.email,
        "certification": dossier.certification_code,
        "blocks_customisable": dossier.blocks_customisable,
        "blocks": [{"code": b.code, "title": b.title} for b in dossier.blocks.order_by("code")],
        **{name: getattr(dossier, name) for name in (*PROPOSAL_FIELDS, *FACTS)},
        "deadline": dossier.get_deadline_kind_display() if dossier.deadline_kind else "",
        "to_do": deadlines.to_do(user, dossier),
        "still_identical": proposal.adaptation_of(dossier).still_identical if organisation_side else [],
        "unregistered_blocks": [b.code for b in evaluations.unregistered_blocks(dossier)] if organisation_side else [],
    }


def detail(dossier: Dossier, user: User) -> dict[str, Any]:
    dossier = Dossier.objects.select_related("organisation", "holder", "certification").get(pk=dossier.pk)
    return {
        **present(dossier, user),
        "events": list(dossier.events.order_by("created_at", "pk")),
        "attestations": [
            {"id": a.pk, "kind": a.kind, "label": a.get_kind_display(), "issued_on": a.issued_on.isoformat()}
            for a in dossier.attestations.order_by("pk")
        ],
    }


# -- list, enrol, read ------------------------------------------------------------------------
class ListFilters(Schema):
    state: DossierState | None = None


@router.get("", response=list[DossierOut], summary="Lister mes dossiers (titulaire) ou ceux de l'organisme")
@paginate(PageNumberPagination, page_size=20)
def list_dossiers(request: HttpRequest, filters: Query[ListFilters]):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    dossiers = dossiers_for_user(user).select_related("organisation", "holder").order_by("-created_at", "-pk")
    if filters.state:
        dossiers = dossiers.filter(state=filters.state)
    return [present(d, user) for d in dossiers]


class EnrolIn(Schema):
    session_id: int


@router.post("", response={201: DossierDetailOut, **ERRORS}, summary="S'inscrire à une session (titulaire, DOS-1)")
def enrol(request: HttpRequest, payload: EnrolIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    return 201, detail(services.enrol(actor=user, session_id=payload.session_id), user)


@router.get("/{dossier_id}", response={200: DossierDetailOut, **ERRORS}, summary="Lire un dossier")
def read(request: HttpRequest, dossier_id: int):  # type: ignore[no-untyped-def]
    return detail(dossier_of(request, dossier_id), actor_of(request))


# -- the proposal (DOS-2 to DOS-5) ----------------------------------------------------------------
class ProposalIn(Schema):
    values: dict[str, Any] = {}
    block_codes: list[str] | None = None
    confirm_unchanged: list[str] = []
    version: int | None = None


@router.patch("/{dossier_id}/proposal", response={200: DossierDetailOut, **ERRORS}, summary="Modifier le dossier")
def update(request: HttpRequest, dossier_id: int, payload: ProposalIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    dossier = proposal.update_proposal(
        dossier_of(request, dossier_id).pk,
        user,
        values=payload.values,
        block_codes=payload.block_codes,
        confirm_unchanged=payload.confirm_unchanged,
        version=payload.version,
    )
    return detail(dossier, user)


class VersionIn(Schema):
    version: int | None = None


@router.post("/{dossier_id}/validate", response={200: DossierDetailOut, **ERRORS}, summary="Valider le dossier")
def validate(request: HttpRequest, dossier_id: int, payload: VersionIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    return detail(services.validate_dossier(dossier_of(request, dossier_id).pk, user, version=payload.version), user)


class ReasonIn(Schema):
    reason: str = ""


@router.post("/{dossier_id}/refuse-request", response={200: DossierDetailOut, **ERRORS}, summary="Refuser la demande")
def refuse_request(request: HttpRequest, dossier_id: int, payload: ReasonIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    return detail(services.refuse_request(dossier_of(request, dossier_id).pk, user, reason=payload.reason), user)


class AcceptIn(Schema):
    pay_remainder: bool = False
    version: int | None = None


@router.post("/{dossier_id}/accept", response={200: DossierDetailOut, **ERRORS}, summary="Accepter la proposition")
def accept(request: HttpRequest, dossier_id: int, payload: AcceptIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    dossier = services.accept_proposal(
        dossier_of(request, dossier_id).pk, user, pay_remainder=payload.pay_remainder, version=payload.version
    )
    return detail(dossier, user)


@router.post("/{dossier_id}/refuse", response={200: DossierDetailOut, **ERRORS}, summary="Refuser la proposition")
def refuse(request: HttpRequest, dossier_id: int, payload: ReasonIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    return detail(services.refuse_proposal(dossier_of(request, dossier_id).pk, user, reason=payload.reason), user)


class CancellationOut(Schema):
    fee: Decimal
    rate: int
    days_before: int
    cpf_credit: Decimal
    holder_refund: Decimal
    explanation: str


@router.get("/{dossier_id}/cancellation", response={200: CancellationOut, **ERRORS}, summary="Frais d'annulation")
def cancellation(request: HttpRequest, dossier_id: int):  # type: ignore[no-untyped-def]
    """COM-2: what cancelling now would cost the caller, to show before confirming."""
    user = actor_of(request)
    dossier = dossier_of(request, dossier_id)
    quote = commercial.cancellation_quote(dossier, side=services.cancellation_side(user, dossier))
    return {
        "fee": quote.fee.amount,
        "rate": quote.fee.rate,
        "days_before": quote.fee.days_before,
        "cpf_credit": quote.cpf_credit,
        "holder_refund": quote.holder_refund,
        "explanation": quote.explanation,
    }


class CancelIn(Schema):
    confirmed_fee: Decimal = Decimal(0)
    reason: str = ""


@router.post("/{dossier_id}/cancel", response={200: DossierDetailOut, **ERRORS}, summary="Annuler le dossier")
def cancel(request: HttpRequest, dossier_id: int, payload: CancelIn):  # type: ignore[no-untyped-def]
    """`confirmed_fee` must be the fee `GET …/cancellation` showed: a fee that moved since is refused."""
    user = actor_of(request)
    dossier_id = dossier_of(request, dossier_id).pk
    done = services.cancel(dossier_id, user, confirmed_fee=payload.confirmed_fee, reason=payload.reason)
    return detail(done, user)


@router.post("/{dossier_id}/copy", response={201: DossierDetailOut, **ERRORS}, summary="Refaire un dossier annulé")
def copy(request: HttpRequest, dossier_id: int):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    return 201, detail(services.copy_dossier(dossier_of(request, dossier_id).pk, user), user)


# -- training, service fait, billing (EDO-1, EDO-3) -----------------------------------------------
class EntryIn(Schema):
    entered_on: datetime.date


@router.post("/{dossier_id}/entry", response={200: DossierDetailOut, **ERRORS}, summary="Déclarer l'entrée")
def entry(request: HttpRequest, dossier_id: int, payload: EntryIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    dossier = training.declare_entry(dossier_of(request, dossier_id).pk, user, entered_on=payload.entered_on)
    return detail(dossier, user)


class ExitIn(Schema):
    exited_on: datetime.date
    reason: str


@router.post("/{dossier_id}/exit", response={200: DossierDetailOut, **ERRORS}, summary="Déclarer la sortie")
def exit_training(request: HttpRequest, dossier_id: int, payload: ExitIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    dossier = training.declare_exit(
        dossier_of(request, dossier_id).pk, user, exited_on=payload.exited_on, reason=payload.reason
    )
    return detail(dossier, user)


class ServiceDoneIn(Schema):
    completion_rate: Decimal
    absence_hours: Decimal = Decimal(0)
    force_majeure: bool = False


@router.post("/{dossier_id}/service-done", response={200: DossierDetailOut, **ERRORS}, summary="Service fait")
def service_done(request: HttpRequest, dossier_id: int, payload: ServiceDoneIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    dossier = training.declare_service_done(
        dossier_of(request, dossier_id).pk,
        user,
        completion_rate=payload.completion_rate,
        absence_hours=payload.absence_hours,
        force_majeure=payload.force_majeure,
    )
    return detail(dossier, user)


@router.post(
    "/{dossier_id}/service-validation", response={200: DossierDetailOut, **ERRORS}, summary="Valider le service fait"
)
def service_validation(request: HttpRequest, dossier_id: int):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    return detail(training.validate_service_done(dossier_of(request, dossier_id).pk, user), user)


@router.post("/{dossier_id}/control", response={200: DossierDetailOut, **ERRORS}, summary="Ouvrir un contrôle")
def open_control(request: HttpRequest, dossier_id: int, payload: ReasonIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    return detail(training.open_control(dossier_of(request, dossier_id).pk, user, reason=payload.reason), user)


@router.delete("/{dossier_id}/control", response={200: DossierDetailOut, **ERRORS}, summary="Clore le contrôle")
def close_control(request: HttpRequest, dossier_id: int):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    return detail(training.close_control(dossier_of(request, dossier_id).pk, user), user)


class InvoiceIn(Schema):
    invoice_number: str
    amount: Decimal | None = None


@router.post("/{dossier_id}/billing", response={200: DossierDetailOut, **ERRORS}, summary="Passer « à facturer »")
def open_billing(request: HttpRequest, dossier_id: int):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    return detail(training.open_billing(dossier_of(request, dossier_id).pk, user), user)


@router.post("/{dossier_id}/invoice", response={200: DossierDetailOut, **ERRORS}, summary="Facturer")
def invoice(request: HttpRequest, dossier_id: int, payload: InvoiceIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    dossier = training.bill(
        dossier_of(request, dossier_id).pk, user, invoice_number=payload.invoice_number, amount=payload.amount
    )
    return detail(dossier, user)


@router.post("/{dossier_id}/payment", response={200: DossierDetailOut, **ERRORS}, summary="Enregistrer le paiement")
def payment(request: HttpRequest, dossier_id: int):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    return detail(training.record_payment(dossier_of(request, dossier_id).pk, user), user)


# -- evaluations and attestations (DOS-7, DOS-8, REG-8, REG-9, COM-6) -----------------------------
class EvaluationIn(Schema):
    block_code: str | None = None  # none: the final evaluation
    scheduled_on: datetime.date
    place: str
    organiser: str


@router.post("/{dossier_id}/evaluations", response={201: DossierDetailOut, **ERRORS}, summary="Inscrire à l'évaluation")
def register_evaluation(request: HttpRequest, dossier_id: int, payload: EvaluationIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    dossier = dossier_of(request, dossier_id)
    evaluations.register_evaluation(dossier.pk, user, **payload.dict())
    return 201, detail(dossier, user)


class ResultIn(Schema):
    block_code: str | None = None
    passed: bool
    result_on: datetime.date


@router.post("/{dossier_id}/results", response={201: DossierDetailOut, **ERRORS}, summary="Saisir un résultat")
def record_result(request: HttpRequest, dossier_id: int, payload: ResultIn):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    dossier = dossier_of(request, dossier_id)
    evaluations.record_result(dossier.pk, user, **payload.dict())
    return 201, detail(dossier, user)


@router.post(
    "/{dossier_id}/positioning", response={201: DossierDetailOut, **ERRORS}, summary="Entretien de positionnement"
)
def positioning(  # type: ignore[no-untyped-def]
    request: HttpRequest, dossier_id: int, held_on: Form[datetime.date], proof: File[UploadedFile]
):
    """DOS-8: the interview's date and its proof (PDF, PNG or JPEG), as multipart/form-data."""
    user = actor_of(request)
    dossier = dossier_of(request, dossier_id)
    upload = Upload(name=proof.name or "preuve", size=proof.size or 0, stream=proof.file)
    evaluations.record_positioning_interview(dossier.pk, user, held_on=held_on, proof=upload)
    return 201, detail(dossier, user)


@router.post(
    "/{dossier_id}/attendance-attestation",
    response={201: DossierDetailOut, **ERRORS},
    summary="Demander une attestation de présence",
)
def attendance(request: HttpRequest, dossier_id: int):  # type: ignore[no-untyped-def]
    user = actor_of(request)
    dossier = dossier_of(request, dossier_id)
    evaluations.request_attendance_attestation(dossier.pk, user)
    return 201, detail(dossier, user)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get("/{dossier_id}/proposal.pdf", response={200: None, **ERRORS}, summary="Proposition de commande (PDF)")
def proposal_document(request: HttpRequest, dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = dossier_of(request, dossier_id)
    return _pdf(proposal_pdf(dossier), f"proposition-{dossier.pk}.pdf")


@router.get(
    "/{dossier_id}/attestations/{attestation_id}.pdf", response={200: None, **ERRORS}, summary="Attestation (PDF)"
)
def attestation_document(request: HttpRequest, dossier_id: int, attestation_id: int):  # type: ignore[no-untyped-def]
    attestation = dossier_of(request, dossier_id).attestations.filter(pk=attestation_id).first()
    if attestation is None:
        raise Http404("Attestation introuvable.")
    return _pdf(attestation_pdf(attestation), f"attestation-{attestation.pk}.pdf")


# -- the organisation's commercial terms (COM-1, COM-2, COM-7, COM-8) -----------------------------
terms_router = Router(tags=["Conditions commerciales"], auth=[entity_token, django_auth])


class ModuleOut(Schema):
    id: int
    label: str
    days: Decimal
    price_excl_vat: Decimal


class TermsIn(Schema):
    vat_rate: Decimal | None = None
    day_price_excl_vat: Decimal | None = None
    half_day_price_excl_vat: Decimal | None = None
    coaching_day_price_excl_vat: Decimal | None = None
    certification_fee_excl_vat: Decimal | None = None
    hours_per_day: Decimal | None = None
    late_payment_multiplier: Decimal | None = None
    free_above_days: int | None = None
    full_below_days: int | None = None
    partial_rate: int | None = None
    day_kind: str | None = None


class TermsOut(TermsIn):
    modules: list[ModuleOut]


class ModuleIn(Schema):
    label: str
    days: Decimal
    price_excl_vat: Decimal


def _organisation(request: HttpRequest):  # type: ignore[no-untyped-def]
    organisation = organisation_of(actor_of(request))
    if organisation is None:
        raise PermissionDenied("Seuls les membres d'un organisme de formation ont des conditions commerciales.")
    return organisation


def _terms_out(organisation) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    terms = commercial.terms_for(organisation)
    values = {name: getattr(terms, name) for name in TermsIn.model_fields}
    values["modules"] = list(terms.modules.order_by("label")) if terms.pk else []
    return values


@terms_router.get("", response={200: TermsOut, **ERRORS}, summary="Lire les conditions commerciales")
def read_terms(request: HttpRequest):  # type: ignore[no-untyped-def]
    return _terms_out(_organisation(request))


@terms_router.put("", response={200: TermsOut, **ERRORS}, summary="Enregistrer les conditions commerciales")
def save_terms(request: HttpRequest, payload: TermsIn):  # type: ignore[no-untyped-def]
    organisation = _organisation(request)
    commercial.save_commercial_terms(organisation, actor_of(request), payload.dict(exclude_none=True))
    return _terms_out(organisation)


@terms_router.post("/modules", response={201: TermsOut, **ERRORS}, summary="Ajouter un prix de module")
def add_module(request: HttpRequest, payload: ModuleIn):  # type: ignore[no-untyped-def]
    organisation = _organisation(request)
    commercial.save_module_price(organisation, actor_of(request), **payload.dict())
    return 201, _terms_out(organisation)


@terms_router.delete("/modules/{module_id}", response={200: TermsOut, **ERRORS}, summary="Supprimer un module")
def delete_module(request: HttpRequest, module_id: int):  # type: ignore[no-untyped-def]
    organisation = _organisation(request)
    commercial.delete_module_price(organisation, actor_of(request), module_id)
    return _terms_out(organisation)
