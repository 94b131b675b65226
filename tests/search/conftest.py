import pytest

from parcours.accounts.enums import MembershipRole
from parcours.registry.enums import AccreditationKind
from parcours.registry.models import Accreditation, AccreditationSource, Certification
from tests.factories import EntityFactory, member_of


@pytest.fixture
def organisation(xml_samples, db):
    """A Qualiopi training organisation habilitated on every active sample certification and Cléa."""
    entity = EntityFactory(training=True, name="Organisme de démonstration", siret="40483304800022")
    for certification in Certification.objects.active():
        Accreditation.objects.create(
            certification=certification,
            source=AccreditationSource.CERTIFIER,
            siret=entity.siret,
            name=entity.name,
            kind=AccreditationKind.TRAIN_AND_ORGANISE,
        )
    return entity


@pytest.fixture
def manager(organisation):
    return member_of(organisation, role=MembershipRole.MANAGER)


@pytest.fixture
def trainer_client(client, manager):
    client.force_login(manager)
    return client
