"""Every change that can alter what search shows writes an outbox row in the same transaction (issue 5)."""

import pytest

from parcours.catalogue import services
from parcours.core.errors import DomainError
from parcours.core.models import OutboxEntry
from parcours.core.outbox import acknowledge, pending
from parcours.registry.importing.apply import import_registry
from parcours.registry.models import Certification
from tests.conftest import XML_RNCP

pytestmark = pytest.mark.django_db


def topics():
    return [(entry.topic, entry.object_id) for entry in pending()]


def test_offer_action_and_session_changes_are_announced(organisation):
    OutboxEntry.objects.all().delete()
    certification = Certification.objects.get(code="RNCP40344")
    offer = services.create_offer(
        organisation,
        None,
        services.OfferInput(
            certification=certification,
            block_codes=["RNCP40344BC01"],
            blocks_customisable=False,
            values={"internal_id": "OUT-1"},
        ),
    )
    action = services.save_action(
        offer, None, {"internal_id": "A", "city": "Lyon", "postal_code": "69002", "hours_in_centre": 7}
    )
    services.save_session(action, None, {"internal_id": "S"})
    assert set(topics()) == {("offer", offer.pk)} and len(topics()) == 3
    acknowledge(pending()[-1].id)
    assert pending() == []
    organisation.qualiopi_valid_until = None
    organisation.save()
    assert topics() == [("organisation", organisation.pk)]


def test_a_refused_change_announces_nothing(organisation):
    OutboxEntry.objects.all().delete()
    with pytest.raises(DomainError):
        services.create_offer(
            organisation,
            None,
            services.OfferInput(
                certification=Certification.objects.get(code="RNCP40344"),
                block_codes=[],
                blocks_customisable=False,
                values={"internal_id": "OUT-2"},
            ),
        )
    assert pending() == []


def test_the_registry_import_announces_created_and_changed_certifications_only(db, tmp_path):
    import_registry([XML_RNCP])
    created = {entry.object_id for entry in pending() if entry.topic == "certification"}
    assert created == set(Certification.objects.exclude(code__in=("RS2203", "RS3936")).values_list("pk", flat=True))
    OutboxEntry.objects.all().delete()
    import_registry([XML_RNCP])
    assert pending() == []  # unchanged: nothing to reindex
    changed = tmp_path / "export.xml"
    changed.write_text(
        XML_RNCP.read_text(encoding="utf-8").replace(
            "<INTITULE>Auxiliaire spécialisé vétérinaire</INTITULE>", "<INTITULE>ASV</INTITULE>"
        ),
        encoding="utf-8",
    )
    import_registry([changed])
    assert topics() == [("certification", Certification.objects.get(code="RNCP40344").pk)]
