"""The one NinjaAPI of the project: each app mounts its router (house style)."""

from ninja import NinjaAPI

from parcours.registry.api import router as registry_router

api = NinjaAPI(
    title="API Parcours",
    version="1",
    description="API des certifications professionnelles et des formations CPF.",
    urls_namespace="api-v1",
    docs_url="/docs",
)
api.add_router("/certifications", registry_router)
