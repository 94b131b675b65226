from django.urls import path

from . import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("villes/", views.city_suggestions, name="city_suggestions"),
    path("<int:offer_id>/", views.offer_page, name="offer_page"),
]
