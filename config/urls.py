from django.contrib import admin
from django.urls import include, path

from parcours.api import api

urlpatterns = [
    path("", include("parcours.registry.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
