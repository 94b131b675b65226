"""Who may do what with a dossier: every role against the predicates (house style's matrix)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from parcours.dossiers import policies, services

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "pending",
    "training_organisation",
    "training_organisation_manager",
    "another_organisation_member",
    "other_manager",
    "certifier",
    "certifier_manager",
    "fc_instructor",
    "fc_admin",
    "cdc_controller",
    "holder",
    "another_holder",
    "platform_admin",
    "plain",
]


@pytest.fixture
def roles(people, member, manager):
    from tests.factories import holder

    return {
        **people,
        "training_organisation": member,  # of the dossier's organisation
        "training_organisation_manager": manager,
        "another_organisation_member": people["training_organisation"],
        "another_holder": holder(),
    }


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(roles, session, clock, role):
    dossier = services.enrol(actor=roles["holder"], session_id=session.pk)
    user = roles[role] or AnonymousUser()
    organisation = role in {"training_organisation", "training_organisation_manager"}
    control = role in {"cdc_controller", "platform_admin"}
    assert policies.can_manage_dossier(user, dossier) is organisation
    assert policies.can_answer_proposal(user, dossier) is (role == "holder")
    assert policies.can_view_dossier(user, dossier) is (organisation or control or role == "holder")
    assert policies.can_enrol(user) is (role in {"holder", "another_holder"})
    assert policies.can_control_dossier(user) is control
    assert (dossier in policies.dossiers_for_user(user)) is policies.can_view_dossier(user, dossier)
    if policies.can_view_dossier(user, dossier):
        assert policies.get_dossier_for_user(user, dossier.pk) == dossier
    else:
        with pytest.raises(Http404):
            policies.get_dossier_for_user(user, dossier.pk)
