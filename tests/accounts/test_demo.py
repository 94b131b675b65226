"""`load_demo`: one entity and one user per role, idempotent, the demo organisation habilitated."""

import pytest
from django.core.management import call_command

from parcours.accounts.enums import Role
from parcours.accounts.habilitations import may_prepare
from parcours.accounts.models import Entity, User
from parcours.accounts.policies import role_of
from parcours.catalogue.models import Offer
from parcours.registry.models import Certification

pytestmark = pytest.mark.django_db


def test_load_demo_twice(xml_samples, capsys):
    call_command("load_demo")
    call_command("load_demo")
    output = capsys.readouterr().out
    assert "of@parcours.test" in output and "parcours-demo" in output
    roles = {role_of(user) for user in User.objects.all()}
    assert {
        Role.PLATFORM_ADMIN,
        Role.TRAINING_ORGANISATION_MANAGER,
        Role.TRAINING_ORGANISATION,
        Role.CERTIFIER_MANAGER,
        Role.FC_INSTRUCTOR,
        Role.FC_ADMIN,
        Role.CDC_CONTROLLER,
        Role.HOLDER,
    } <= roles
    organisation = Entity.objects.get(siret="12345678200002")
    assert organisation.name == "Organisme de démonstration"
    for code in ("RNCP40344", "RS6604"):
        assert may_prepare(organisation, Certification.objects.get(code=code))
    assert User.objects.count() == 8
    # its own offer plus the four of the CDC sample catalogue
    assert Offer.objects.filter(organisation=organisation, status="validated").count() == 5
    certifier = Entity.objects.get(siret="52875765100013")
    assert Certification.objects.filter(certifier_links__certifier__siret=certifier.siret).exists()
    # the holder's enrolment request on the demo offer, once
    from parcours.dossiers.models import Dossier

    dossier = Dossier.objects.get()
    assert dossier.holder.email == "titulaire@parcours.test" and dossier.get_state_display() == "Non traité"
