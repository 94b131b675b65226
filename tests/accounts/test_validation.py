"""Validation of accounts: the platform admin for gestionnaires, the gestionnaire for members (ACC-4, ACC-5)."""

import pytest
from django.core import mail

from parcours.accounts.enums import MembershipRole, MembershipState
from parcours.accounts.models import Membership
from tests.factories import EntityFactory, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_manager(db):
    entity = EntityFactory(training=True, siret="40483304800022", name="Nouvel organisme")
    return member_of(entity, role=MembershipRole.MANAGER, state=MembershipState.PENDING)


def test_platform_admin_validates_a_new_gestionnaire(client, people, new_manager, django_capture_on_commit_callbacks):
    client.force_login(people["platform_admin"])
    page = client.get("/espace/validations/").content.decode()
    assert "Nouvel organisme" in page and new_manager.email in page
    membership = new_manager.membership
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/espace/validations/{membership.pk}/decision/", {"decision": "accept"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.state == MembershipState.VALIDATED
    assert membership.decided_by == people["platform_admin"]
    assert [m.subject for m in mail.outbox] == ["[Parcours] Votre compte est validé"]
    assert membership.history.count() == 2  # audit trail
    assert f"membership-{membership.pk}" not in client.get("/espace/validations/").content.decode()


def test_refusal_needs_a_reason_and_is_mailed(client, people, new_manager, django_capture_on_commit_callbacks):
    client.force_login(people["platform_admin"])
    url = f"/espace/validations/{new_manager.membership.pk}/decision/"
    client.post(url, {"decision": "reject"})
    new_manager.membership.refresh_from_db()
    assert new_manager.membership.state == MembershipState.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "reject", "reason": "Kbis illisible"})
    new_manager.membership.refresh_from_db()
    assert new_manager.membership.state == MembershipState.REJECTED
    assert "Kbis illisible" in mail.outbox[0].body


def test_a_gestionnaire_cannot_validate_another_gestionnaire(client, people, new_manager):
    client.force_login(people["training_organisation_manager"])
    response = client.post(f"/espace/validations/{new_manager.membership.pk}/decision/", {"decision": "accept"})
    assert response.status_code == 404
    new_manager.membership.refresh_from_db()
    assert new_manager.membership.state == MembershipState.PENDING


def test_the_gestionnaire_validates_members_of_the_entity(client, people, django_capture_on_commit_callbacks):
    pending = people["pending"].membership
    client.force_login(people["training_organisation_manager"])
    assert people["pending"].email in client.get("/espace/entite/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/espace/validations/{pending.pk}/decision/", {"decision": "accept"})
    pending.refresh_from_db()
    assert pending.state == MembershipState.VALIDATED
    assert mail.outbox[0].to == [people["pending"].email]


def test_another_entity_gestionnaire_gets_404(client, people):
    pending = people["pending"].membership
    client.force_login(people["other_manager"])
    assert client.post(f"/espace/validations/{pending.pk}/decision/", {"decision": "accept"}).status_code == 404
    pending.refresh_from_db()
    assert pending.state == MembershipState.PENDING


def test_a_decided_account_cannot_be_decided_again(client, people):
    validated = people["training_organisation"].membership
    client.force_login(people["training_organisation_manager"])
    client.post(f"/espace/validations/{validated.pk}/decision/", {"decision": "reject", "reason": "x"})
    validated.refresh_from_db()
    assert validated.state == MembershipState.VALIDATED


def test_pending_person_sees_the_state_of_the_account(client, people):
    client.force_login(people["pending"])
    page = client.get("/espace/").content.decode()
    assert "attend d&#x27;être validé" in page or "attend d'être validé" in page
    assert "par le gestionnaire de l&#x27;entité" in page or "par le gestionnaire de l'entité" in page


def test_only_one_gestionnaire_per_entity_in_the_database(people):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=people["training_organisation"].membership.pk).update(role=MembershipRole.MANAGER)
