import datetime
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "france-competences"
XML_RNCP = DATA / "mcp-rncp-xml-v4.1" / "export_fiches_RNCP_fixture.xml"
XML_RS = DATA / "mcp-rncp-xml-v4.1" / "export_fiches_RS_fixture.xml"
CSV_ZIP = DATA / "api-apprentissage" / "sample" / "export-fiches-csv-2024-02-22.zip"
CSV_ZIP_NFD = DATA / "api-apprentissage" / "continuity_fix" / "export-fiches-csv-2024-02-22.zip"
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
