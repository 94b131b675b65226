"""`/api/v1/certifications`: the registry, read-only and public (open data)."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from .enums import Registry
from .models import Certification
from .schemas import CertificationOut, CertificationSummaryOut, ErrorOut
from .services import (
    CertificationFilters,
    CertificationNotFound,
    get_certification,
    replacement_links,
    search_certifications,
)

router = Router(tags=["Répertoire des certifications"])


class SearchParams(Schema):
    q: str = ""
    registry: Registry | None = None
    active: bool | None = None
    level: int | None = None


def _summary(c: Certification) -> dict[str, object]:
    return {
        "code": c.code,
        "registry": c.registry,
        "title": c.title,
        "level": c.level,
        "active": c.is_active(),
        "end_date": c.end_date,
    }


@router.get("", response=list[CertificationSummaryOut], summary="Rechercher des certifications")
@paginate(PageNumberPagination, page_size=20)
def list_certifications(request: HttpRequest, params: Query[SearchParams]):  # type: ignore[no-untyped-def]
    filters = CertificationFilters(q=params.q, registry=params.registry or "", level=params.level, active=params.active)
    return [_summary(c) for c in search_certifications(filters)]


@router.get("/{code}", response={200: CertificationOut, 404: ErrorOut}, summary="Consulter une certification")
def get_certification_detail(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    try:
        c = get_certification(code)
    except CertificationNotFound as exc:
        return 404, {"detail": str(exc)}
    links = replacement_links(c)
    return 200, {
        **_summary(c),
        "number": c.number,
        "short_title": c.short_title,
        "declared_active": c.declared_active,
        "fiche_state": c.fiche_state,
        "registration_type": c.registration_type,
        "partial_validation": c.partial_validation,
        "url": c.france_competences_url,
        "certifiers": [{"name": k.certifier.name, "siret": k.certifier.siret or None} for k in c.certifier_links.all()],
        "blocks": list(c.blocks.all()),
        "formacodes": list(c.formacodes.all()),
        "nsf": list(c.nsf_codes.all()),
        "rome": list(c.rome_codes.all()),
        "replaced_by": links.replaced_by,
        "replaces": links.replaces,
    }
