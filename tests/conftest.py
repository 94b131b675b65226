import datetime
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "france-competences"
XML_RNCP = DATA / "mcp-rncp-xml-v4.1" / "export_fiches_RNCP_fixture.xml"
XML_RS = DATA / "mcp-rncp-xml-v4.1" / "export_fiches_RS_fixture.xml"
CSV_ZIP = DATA / "api-apprentissage" / "sample" / "export-fiches-csv-2024-02-22.zip"
CSV_ZIP_NFD = DATA / "api-apprentissage" / "continuity_fix" / "export-fiches-csv-2024-02-22.zip"
# Cléa's two RS certifications are created by a migration from the seed's facts (REG-10, OFF-20).
SEEDED = ("RS2203", "RS3936")
CSV_MEMBERS = sorted((DATA / "api-apprentissage" / "sample" / "unzipped").glob("*.csv"))


@pytest.fixture
def xml_samples(db):
    from parcours.registry.importing.apply import import_registry

    return import_registry([XML_RNCP, XML_RS])


@pytest.fixture
def all_samples(db):
    from parcours.registry.importing.apply import import_registry

    return import_registry([CSV_ZIP, XML_RNCP, XML_RS])


# The real samples are dated: fiches expire as time passes. Tests read the registry on a fixed
# day (the day these tests were written), so that REG-6 assertions hold whenever they run.
FROZEN_NOW = datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: FROZEN_NOW)
    return FROZEN_NOW.date()


@pytest.fixture
def people(db):
    """One user per role, plus a second training organisation for cross-entity checks."""
    from parcours.accounts.enums import MembershipRole, MembershipState, StaffRole
    from tests.factories import EntityFactory, UserFactory, holder, member_of, staff

    organisation = EntityFactory(training=True, name="Organisme A", siret="12345678200002")
    other = EntityFactory(training=True, name="Organisme B", siret="73282932000074")
    certifier = EntityFactory(certifier=True, name="ANIMAL PRO FORMATION", siret="52875765100013")
    return {
        "organisation": organisation,
        "other_organisation": other,
        "certifier_entity": certifier,
        "anonymous": None,
        "pending": member_of(organisation, state=MembershipState.PENDING),
        "training_organisation": member_of(organisation),
        "training_organisation_manager": member_of(organisation, role=MembershipRole.MANAGER),
        "other_manager": member_of(other, role=MembershipRole.MANAGER),
        "certifier": member_of(certifier),
        "certifier_manager": member_of(certifier, role=MembershipRole.MANAGER),
        "fc_instructor": staff(StaffRole.FC_INSTRUCTOR),
        "fc_admin": staff(StaffRole.FC_ADMIN),
        "cdc_controller": staff(StaffRole.CDC_CONTROLLER),
        "holder": holder(),
        "platform_admin": staff(StaffRole.PLATFORM_ADMIN),
        "plain": UserFactory(),
    }


# -- a training organisation, for the catalogue, search and dossier tests ---------------------------
@pytest.fixture
def organisation(xml_samples, db):
    """A Qualiopi training organisation habilitated on every active sample certification and Cléa."""
    from tests.factories import habilitated_organisation

    return habilitated_organisation()


@pytest.fixture
def manager(organisation):
    from parcours.accounts.enums import MembershipRole
    from tests.factories import member_of

    return member_of(organisation, role=MembershipRole.MANAGER)


@pytest.fixture
def trainer_client(client, manager):
    client.force_login(manager)
    return client
