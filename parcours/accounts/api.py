"""`/api/v1/me` and `/api/v1/habilitations`: who a token acts for, and what it may prepare."""

from django.http import HttpRequest
from ninja import Router, Schema

from parcours.registry.services import CertificationNotFound, get_certification

from .auth import entity_token
from .habilitations import may_prepare
from .models import ApiToken

router = Router(tags=["Comptes et habilitations"], auth=entity_token)


class EntityOut(Schema):
    name: str
    siret: str | None
    training_organisation: bool
    certifier: bool
    nda: str
    qualiopi_training: bool


class TokenOut(Schema):
    name: str
    prefix: str


class MeOut(Schema):
    entity: EntityOut
    token: TokenOut


class HabilitationOut(Schema):
    certification: str
    allowed: bool
    rule: str
    reason: str


class ErrorOut(Schema):
    detail: str


@router.get("/me", response=MeOut, summary="Pour qui agit ce jeton")
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    entity = token.entity
    return {
        "entity": {
            "name": entity.name,
            "siret": entity.siret,
            "training_organisation": entity.is_training_organisation,
            "certifier": entity.is_certifier,
            "nda": entity.nda,
            "qualiopi_training": entity.qualiopi_training,
        },
        "token": {"name": token.name, "prefix": token.prefix},
    }


@router.get(
    "/habilitations/{code}",
    response={200: HabilitationOut, 404: ErrorOut},
    summary="L'entité du jeton peut-elle préparer cette certification aujourd'hui ?",
)
def habilitation(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    try:
        certification = get_certification(code)
    except CertificationNotFound as exc:
        return 404, {"detail": str(exc)}
    decision = may_prepare(token.entity, certification)
    return 200, {
        "certification": certification.code,
        "allowed": decision.allowed,
        "rule": decision.rule,
        "reason": decision.reason,
    }
