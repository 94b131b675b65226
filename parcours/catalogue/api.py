"""`/api/v1/catalogue/…`: the token's organisation's offers, actions and sessions, same rules as the pages."""

from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from parcours.accounts.auth import entity_token
from parcours.accounts.models import ApiToken, Entity
from parcours.core.errors import DomainError
from parcours.registry.models import Certification

from . import services
from .enums import OfferStatus, OfferType
from .models import Action, Offer, Session
from .schemas import ActionIn, ActionOut, BlocksIn, ErrorOut, OfferIn, OfferOut, OfferPatch, SessionIn, SessionOut

router = Router(tags=["Catalogue de l'organisme"], auth=entity_token)
ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def organisation_of(request: HttpRequest) -> Entity:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if not token.entity.is_training_organisation:
        raise DomainError("Le jeton n'appartient pas à un organisme de formation.", rule="ACC-8", field="token")
    return token.entity


def offer_of(request: HttpRequest, offer_id: int) -> Offer:
    offer = Offer.objects.of(organisation_of(request)).filter(pk=offer_id).select_related("certification").first()
    if offer is None:
        raise Http404("Offre introuvable.")
    return offer


def action_of(request: HttpRequest, action_id: int) -> Action:
    action = (
        Action.objects.filter(pk=action_id, offer__organisation=organisation_of(request))
        .select_related("offer")
        .first()
    )
    if action is None or action.offer.status == OfferStatus.DELETED:
        raise Http404("Action introuvable.")
    return action


def session_of(request: HttpRequest, session_id: int) -> Session:
    session = (
        Session.objects.filter(pk=session_id, action__offer__organisation=organisation_of(request))
        .select_related("action__offer")
        .first()
    )
    if session is None:
        raise Http404("Session introuvable.")
    return session


def present(offer: Offer) -> dict[str, object]:
    perimeter = services.perimeter(offer)
    return {
        **{name: getattr(offer, name) for name in services.OFFER_FIELDS},
        "id": offer.pk,
        "offer_type": offer.offer_type,
        "status": offer.status,
        "version": offer.version,
        "certification": offer.certification.code if offer.certification else None,
        "cpf_code": offer.cpf_code,
        "blocks": list(offer.offer_blocks.values_list("code", flat=True)),
        "blocks_customisable": offer.blocks_customisable,
        "perimeter": perimeter.line if perimeter and perimeter.total else None,
        "general_objective": offer.general_objective,
        "warnings": services.offer_warnings(offer),
        "actions": list(offer.actions.prefetch_related("sessions")),
    }


@router.get("/offers", response=list[OfferOut], summary="Offres de l'organisme")
@paginate(PageNumberPagination, page_size=20)
def list_offers(request: HttpRequest, status: str = ""):  # type: ignore[no-untyped-def]
    offers = Offer.objects.of(organisation_of(request)).select_related("certification").order_by("-updated_at")
    if status:
        offers = offers.filter(status=status)
    return [present(offer) for offer in offers]


@router.post("/offers", response={201: OfferOut, **ERRORS}, summary="Créer une offre (brouillon)")
def create_offer(request: HttpRequest, payload: OfferIn):  # type: ignore[no-untyped-def]
    organisation = organisation_of(request)
    certification: Certification | None = None
    if payload.offer_type == OfferType.CLEA:
        certification = Certification.objects.filter(code=payload.certification or "").first()
    elif payload.offer_type == OfferType.CERTIFYING:
        certification = services.find_certification(payload.registry or "", payload.certification or "")
    values = payload.dict(include=set(services.OFFER_FIELDS))
    offer = services.create_offer(
        organisation,
        None,
        services.OfferInput(
            offer_type=payload.offer_type,
            certification=certification,
            block_codes=payload.blocks,
            blocks_customisable=payload.blocks_customisable,
            values=values,
        ),
    )
    return 201, present(offer)


@router.get("/offers/{offer_id}", response={200: OfferOut, **ERRORS}, summary="Consulter une offre")
def get_offer(request: HttpRequest, offer_id: int):  # type: ignore[no-untyped-def]
    return 200, present(offer_of(request, offer_id))


@router.patch("/offers/{offer_id}", response={200: OfferOut, **ERRORS}, summary="Modifier une offre")
def patch_offer(request: HttpRequest, offer_id: int, payload: OfferPatch):  # type: ignore[no-untyped-def]
    offer = offer_of(request, offer_id)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if k != "version"}
    offer = services.update_offer(offer.pk, None, values, version=payload.version)
    return 200, present(offer)


@router.put("/offers/{offer_id}/blocks", response={200: OfferOut, **ERRORS}, summary="Changer les blocs préparés")
def put_blocks(request: HttpRequest, offer_id: int, payload: BlocksIn):  # type: ignore[no-untyped-def]
    offer = offer_of(request, offer_id)
    offer = services.change_blocks(offer.pk, None, payload.blocks, payload.blocks_customisable, version=payload.version)
    return 200, present(offer)


@router.post("/offers/{offer_id}/actions", response={201: ActionOut, **ERRORS}, summary="Ajouter une action")
def create_action(request: HttpRequest, offer_id: int, payload: ActionIn):  # type: ignore[no-untyped-def]
    action = services.save_action(offer_of(request, offer_id), None, payload.dict())
    return 201, action


@router.patch("/actions/{action_id}", response={200: ActionOut, **ERRORS}, summary="Modifier une action")
def patch_action(request: HttpRequest, action_id: int, payload: ActionIn):  # type: ignore[no-untyped-def]
    action = action_of(request, action_id)
    return 200, services.save_action(action.offer, None, payload.dict(exclude_unset=True), action=action)


@router.delete("/actions/{action_id}", response={204: None, **ERRORS}, summary="Supprimer une action")
def delete_action(request: HttpRequest, action_id: int):  # type: ignore[no-untyped-def]
    services.delete_action(action_of(request, action_id), None)
    return 204, None


@router.post("/actions/{action_id}/sessions", response={201: SessionOut, **ERRORS}, summary="Ajouter une session")
def create_session(request: HttpRequest, action_id: int, payload: SessionIn):  # type: ignore[no-untyped-def]
    return 201, services.save_session(action_of(request, action_id), None, payload.dict())


@router.patch("/sessions/{session_id}", response={200: SessionOut, **ERRORS}, summary="Modifier une session")
def patch_session(request: HttpRequest, session_id: int, payload: SessionIn):  # type: ignore[no-untyped-def]
    session = session_of(request, session_id)
    return 200, services.save_session(session.action, None, payload.dict(exclude_unset=True), session=session)


@router.delete("/sessions/{session_id}", response={204: None, **ERRORS}, summary="Supprimer une session")
def delete_session(request: HttpRequest, session_id: int):  # type: ignore[no-untyped-def]
    services.delete_session(session_of(request, session_id), None)
    return 204, None


@router.post("/import", response={200: dict, 422: dict}, summary="Importer un fichier XML EDOF (tout ou rien)")
def import_file(request: HttpRequest, file: File[UploadedFile], dry_run: bool = False):  # type: ignore[no-untyped-def]
    from .edof.importer import import_catalogue

    report = import_catalogue(file.read(), organisation_of(request), None, dry_run=dry_run)
    report.source = file.name or "catalogue.xml"
    body = {**report.as_dict(), "dry_run": dry_run, "report": report.lines(limit=None)}
    return (200 if report.ok else 422), body


@router.get("/export", summary="Exporter le catalogue (format=edof ou lheo)")
def export_file(request: HttpRequest, format: str = "edof"):  # type: ignore[no-untyped-def]
    from .edof.writer import export_edof, export_lheo

    organisation = organisation_of(request)
    if format not in ("edof", "lheo"):
        raise DomainError("Format inconnu : edof ou lheo.", rule="EDO-5", field="format")
    data = export_edof(organisation) if format == "edof" else export_lheo(organisation)
    return HttpResponse(data, content_type="application/xml")


# Last: its path would otherwise catch /offers/{id}/actions.
@router.post(
    "/offers/{offer_id}/{operation}",
    response={200: OfferOut, **ERRORS},
    summary="Valider, archiver, remettre en brouillon ou supprimer une offre",
)
def transition(request: HttpRequest, offer_id: int, operation: str):  # type: ignore[no-untyped-def]
    offer = offer_of(request, offer_id)
    if operation not in services.TRANSITIONS:
        raise Http404("Opération inconnue : validate, archive, restore ou delete.")
    offer = services.transition_offer(offer.pk, None, operation)
    return 200, present(offer)
