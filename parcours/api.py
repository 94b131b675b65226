"""The one NinjaAPI of the project: each app mounts its router (house style)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, Throttled, ValidationError

from parcours.accounts.api import router as accounts_router
from parcours.catalogue.api import router as catalogue_router
from parcours.core.errors import DomainError
from parcours.dossiers.api import router as dossiers_router
from parcours.dossiers.api import terms_router
from parcours.registry.api import router as registry_router
from parcours.search.api import router as search_router

api = NinjaAPI(
    title="API Parcours",
    version="1",
    description="API des certifications professionnelles et des formations CPF. "
    "Authentification : `Authorization: Bearer <jeton de l'entité>` (créé par le gestionnaire de l'entité).",
    urls_namespace="api-v1",
    docs_url="/docs",
)
api.add_router("/certifications", registry_router)
api.add_router("", accounts_router)
api.add_router("/catalogue", catalogue_router)
api.add_router("/offers", search_router)
api.add_router("/dossiers", dossiers_router)
api.add_router("/commercial-terms", terms_router)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Authentification requise : envoyez « Authorization: Bearer <jeton> » avec un jeton valide."},
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(part) for part in error.get("loc", [])[1:]) or "requête",
            "message": _french(error),
        }
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": "Requête invalide.", "errors": errors}, status=422)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if exc.args else "Ressource introuvable."
    return api.create_response(request, {"detail": message, "message": message}, status=404)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = max(1, int(exc.wait or 1))
    response = api.create_response(
        request,
        {"detail": f"Trop de requêtes depuis votre adresse : réessayez dans {wait} s (limite de l'API publique)."},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or "Vous n'avez pas le droit de faire cela."
    return api.create_response(request, {"detail": message, "message": message}, status=403)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """422 for a value a rule refuses; 409 for a state or version conflict."""
    status = 409 if exc.field in {"status", "state", "version", "membership"} else 422
    return api.create_response(request, exc.as_dict(), status=status)


def _french(error: dict) -> str:  # type: ignore[type-arg]
    kind = error.get("type", "")
    if kind == "missing":
        return "Ce champ est obligatoire."
    if kind in {"enum", "literal_error"}:
        expected = error.get("ctx", {}).get("expected", "")
        return f"Valeur non autorisée : attendu {expected}."
    if kind.startswith("int"):
        return "Nombre entier attendu."
    if kind.startswith("bool"):
        return "Valeur booléenne attendue (true ou false)."
    if kind.startswith("date"):
        return "Date attendue au format AAAA-MM-JJ."
    return "Valeur invalide."
