from django.urls import path

from .views import documents, enrolment, listing, proposal, terms
from .views.actions import ACTIONS

app_name = "dossiers"
urlpatterns = [
    path("", listing.dossier_list, name="list"),
    path("conditions/", terms.commercial_terms, name="terms"),
    path("conditions/modules/", terms.module_add, name="module_add"),
    path("conditions/modules/<int:module_id>/supprimer/", terms.module_delete, name="module_delete"),
    path("sessions/<int:session_id>/inscription/", enrolment.enrol, name="enrol"),
    path("sessions/<int:session_id>/liste-attente/", enrolment.join_waiting_list, name="join_waiting_list"),
    path("liste-attente/<int:entry_id>/quitter/", enrolment.leave_waiting_list, name="leave_waiting_list"),
    path("<int:dossier_id>/", listing.dossier_detail, name="detail"),
    path("<int:dossier_id>/modifier/", proposal.proposal_edit, name="edit"),
    path("<int:dossier_id>/valider/", proposal.proposal_validate, name="validate"),
    path("<int:dossier_id>/positionnement/preuve/", documents.positioning_proof, name="positioning_proof"),
    path("<int:dossier_id>/annuler/", proposal.cancel, name="cancel"),
    path("<int:dossier_id>/accepter/", proposal.accept, name="accept"),
    path("<int:dossier_id>/proposition.pdf", documents.proposal_document, name="proposal_pdf"),
    path(
        "<int:dossier_id>/attestations/<int:attestation_id>.pdf", documents.attestation_document, name="attestation_pdf"
    ),
] + [
    # The actions of the dossier's page, one URL each (views.actions.ACTIONS).
    path(f"<int:dossier_id>/{action.path}/", listing.dossier_action, {"name": name}, name=name)
    for name, action in ACTIONS.items()
]
