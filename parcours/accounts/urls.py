from django.urls import include, path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("inscription/titulaire/", views.HolderSignupView.as_view(), name="signup_holder"),
    path("activation/renvoyer/", views.resend_activation, name="resend_activation"),
    path("validations/", views.validation_queue, name="validation_queue"),
    path("validations/<int:membership_id>/decision/", views.decide, name="decide"),
    path("entite/", views.entity, name="entity"),
    path("entite/documents/<int:document_id>/", views.document, name="document"),
    path("entite/jetons/", views.token_create, name="token_create"),
    path("entite/jetons/<int:token_id>/revoquer/", views.token_revoke, name="token_revoke"),
    path("entite/partenaires/", views.partners, name="partners"),
    path("entite/partenaires/<int:accreditation_id>/fin/", views.partner_end, name="partner_end"),
    path("titulaire/", views.holder, name="holder"),
]

allauth_urlpatterns = [path("", include("allauth.urls"))]
