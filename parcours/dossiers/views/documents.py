"""The dossier's files: the positioning proof, the proposal and the attestations as PDFs (DOS-6,
REG-8, REG-9, COM-6). Whoever may see the dossier may read them."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .. import policies
from ..models import Attestation


@login_required
def positioning_proof(request: HttpRequest, dossier_id: int) -> FileResponse:
    dossier = policies.get_dossier_for_user(request.user, dossier_id)
    interview = getattr(dossier, "positioning", None) if hasattr(dossier, "positioning") else None
    if interview is None:
        raise Http404("Aucune preuve d'entretien.")
    return FileResponse(
        interview.file.open("rb"), content_type=interview.content_type, filename=interview.original_name
    )


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def proposal_document(request: HttpRequest, dossier_id: int) -> HttpResponse:
    from ..documents import proposal_pdf

    dossier = policies.get_dossier_for_user(request.user, dossier_id)
    return _pdf(proposal_pdf(dossier), f"proposition-dossier-{dossier.pk}.pdf")


@login_required
def attestation_document(request: HttpRequest, dossier_id: int, attestation_id: int) -> HttpResponse:
    from ..documents import attestation_pdf

    dossier = policies.get_dossier_for_user(request.user, dossier_id)
    attestation = get_object_or_404(
        Attestation.objects.select_related("dossier_block"), pk=attestation_id, dossier=dossier
    )
    return _pdf(
        attestation_pdf(attestation), f"attestation-{attestation.kind}-dossier-{dossier.pk}-{attestation.pk}.pdf"
    )
