from django.conf import settings


def site(request):  # type: ignore[no-untyped-def]
    """What the DSFR templates read as SITE_CONFIG, without a database query per page."""
    return {
        "SITE_CONFIG": {
            "site_title": settings.SITE_TITLE,
            "site_tagline": settings.SITE_TAGLINE,
            "footer_description": "Parcours, logiciel libre des certifications professionnelles et du CPF.",
        },
        "STATE_MARKS": settings.STATE_MARKS,
    }
