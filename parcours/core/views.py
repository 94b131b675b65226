from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Liveness probe for load balancers, and the ceiling the search benchmark compares against."""
    return HttpResponse("ok", content_type="text/plain")
