from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.offer_list, name="offer_list"),
    path("nouvelle/", views.offer_create, name="offer_create"),
    path("certification/", views.certification_lookup, name="certification_lookup"),
    path("identifiant/", views.internal_id_check, name="internal_id_check"),
    path("import/", views.catalogue_import, name="catalogue_import"),
    path("export/", views.catalogue_export, name="catalogue_export"),
    path("<int:offer_id>/", views.offer_detail, name="offer_detail"),
    path("<int:offer_id>/modifier/", views.offer_edit, name="offer_edit"),
    path("<int:offer_id>/blocs/", views.offer_blocks, name="offer_blocks"),
    path("<int:offer_id>/<str:name>/", views.offer_transition, name="offer_transition"),
    path("<int:offer_id>/actions/nouvelle/", views.action_edit, name="action_create"),
    path("actions/<int:action_id>/", views.action_edit, name="action_edit"),
    path("actions/<int:action_id>/supprimer/", views.action_delete, name="action_delete"),
    path("actions/<int:action_id>/sessions/nouvelle/", views.session_edit, name="session_create"),
    path("sessions/<int:session_id>/", views.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/supprimer/", views.session_delete, name="session_delete"),
]
