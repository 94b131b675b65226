"""May this organisation prepare this certification today? (ACC-6, ACC-7, REG-6) and partner management."""

import datetime

import pytest

from parcours.accounts.habilitations import end_accreditation, grant_accreditation, may_prepare
from parcours.core.errors import DomainError
from parcours.registry.enums import AccreditationKind
from parcours.registry.importing.apply import import_registry
from parcours.registry.models import Accreditation, AccreditationSource, Certification
from tests.conftest import XML_RNCP
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def rncp40344(xml_samples):
    return Certification.objects.get(code="RNCP40344")


def test_registry_partner_with_qualiopi_may_prepare(rncp40344):
    # AGRICAMPUS LAVAL is a real ORGA_FORM partner of RNCP40344.
    entity = EntityFactory(training=True, siret="19530081900016", name="AGRICAMPUS LAVAL")
    assert may_prepare(entity, rncp40344, TODAY)


def test_the_certifier_itself_may_prepare(rncp40344):
    entity = EntityFactory(training=True, siret="52875765100013")
    assert may_prepare(entity, rncp40344, TODAY).allowed


def test_rule_acc_7_not_habilitated_is_refused_with_the_reason(rncp40344):
    entity = EntityFactory(training=True, siret="40483304800022", name="Organisme X")
    decision = may_prepare(entity, rncp40344, TODAY)
    assert not decision and decision.rule == "ACC-7"
    assert "n'est ni certificateur ni partenaire habilité" in decision.reason


def test_rule_acc_6_qualiopi_expired_is_refused(rncp40344):
    entity = EntityFactory(training=True, siret="19530081900016", qualiopi_valid_until=datetime.date(2026, 11, 21))
    decision = may_prepare(entity, rncp40344, TODAY)
    assert decision.rule == "ACC-6" and "Qualiopi" in decision.reason
    entity.qualiopi_training = False
    assert may_prepare(entity, rncp40344, datetime.date(2026, 1, 1)).rule == "ACC-6"


def test_rule_reg_6_inactive_certification_is_refused(xml_samples):
    entity = EntityFactory(training=True, siret="52875765100013")
    expired = Certification.objects.get(code="RNCP35959")  # ended 15/10/2026
    decision = may_prepare(entity, expired, TODAY)
    assert decision.rule == "REG-6" and "15/10/2026" in decision.reason


def test_evaluation_only_habilitation_does_not_allow_training(rncp40344, people):
    entity = EntityFactory(training=True, siret="40483304800022")
    grant_accreditation(
        people["certifier_entity"],
        rncp40344,
        siret=entity.siret,
        name="",
        kind=AccreditationKind.ORGANISE,
        starts_on=None,
        ends_on=None,
        actor=people["certifier"],
    )
    assert may_prepare(entity, rncp40344, TODAY).rule == "ACC-7"


def test_certifier_grants_and_ends_a_habilitation(rncp40344, people):
    entity = EntityFactory(training=True, siret="40483304800022", name="Organisme X")
    accreditation = grant_accreditation(
        people["certifier_entity"],
        rncp40344,
        siret="40483304800022",
        name="",
        kind=AccreditationKind.TRAIN,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=None,
        actor=people["certifier"],
    )
    assert accreditation.name == "Organisme X" and accreditation.source == AccreditationSource.CERTIFIER
    assert may_prepare(entity, rncp40344, TODAY)
    assert not may_prepare(entity, rncp40344, datetime.date(2025, 12, 31))  # before its start
    end_accreditation(accreditation, TODAY, people["certifier"])
    assert not may_prepare(entity, rncp40344, TODAY)


def test_a_certifier_cannot_grant_on_a_certification_it_does_not_award(xml_samples, people):
    other = Certification.objects.get(code="RNCP36490")
    with pytest.raises(DomainError, match="n'est pas certificateur"):
        grant_accreditation(
            people["certifier_entity"],
            other,
            siret="40483304800022",
            name="X",
            kind=AccreditationKind.TRAIN,
            starts_on=None,
            ends_on=None,
            actor=people["certifier"],
        )


def test_reimport_keeps_habilitations_declared_by_the_certifier(rncp40344, people):
    grant_accreditation(
        people["certifier_entity"],
        rncp40344,
        siret="40483304800022",
        name="Organisme X",
        kind=AccreditationKind.TRAIN,
        starts_on=None,
        ends_on=None,
        actor=people["certifier"],
    )
    Certification.objects.filter(pk=rncp40344.pk).update(fingerprints={})  # force a full re-diff
    import_registry([XML_RNCP])
    assert Accreditation.objects.filter(source=AccreditationSource.CERTIFIER, siret="40483304800022").exists()


def test_partners_page_adds_a_partner_by_siret(client, rncp40344, people):
    client.force_login(people["certifier"])
    page = client.get("/espace/entite/partenaires/").content.decode()
    assert "RNCP40344" in page and "AGRICAMPUS LAVAL" in page
    response = client.post(
        "/espace/entite/partenaires/",
        {"certification": "RNCP40344", "siret": "40483304800023", "name": "X", "kind": "train"},
    )
    assert "clé de contrôle est fausse" in response.content.decode()
    response = client.post(
        "/espace/entite/partenaires/",
        {"certification": "RNCP40344", "siret": "40483304800022", "name": "Organisme X", "kind": "train"},
    )
    assert response.status_code == 302
    accreditation = Accreditation.objects.get(siret="40483304800022")
    response = client.post(f"/espace/entite/partenaires/{accreditation.pk}/fin/")
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.ends_on == TODAY


def test_registry_habilitations_cannot_be_ended_on_parcours(client, rncp40344, people):
    client.force_login(people["certifier"])
    registry_row = Accreditation.objects.filter(certification=rncp40344, source=AccreditationSource.REGISTRY).first()
    client.post(f"/espace/entite/partenaires/{registry_row.pk}/fin/")
    registry_row.refresh_from_db()
    assert registry_row.ends_on is None
