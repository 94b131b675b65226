from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from parcours.api import api
from parcours.core.views import health

urlpatterns = [
    path("", include("parcours.registry.urls")),
    path("espace/", include("parcours.accounts.urls")),
    path("catalogue/", include("parcours.catalogue.urls")),
    path("formations/", include("parcours.search.urls")),
    path("dossiers/", include("parcours.dossiers.urls")),
    path("comptes/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("sante/", health, name="health"),
    # The admin logs in through the site's login, with its second factor.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/", admin.site.urls),
]
