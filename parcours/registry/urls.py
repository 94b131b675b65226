from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("certifications/", views.certification_list, name="certification_list"),
    path("certifications/<str:code>/", views.certification_detail, name="certification_detail"),
]
