"""Re-importing changes nothing and says so; changes are found and counted; dry run writes nothing."""

import datetime

import pytest

from parcours.registry.importing.apply import import_registry
from parcours.registry.models import Certification, CompetenceBlock, Replacement
from tests.conftest import CSV_ZIP, SEEDED, XML_RNCP, XML_RS

pytestmark = pytest.mark.django_db


def _snapshot():
    history = sum(model.history.count() for model in (Certification, CompetenceBlock, Replacement))
    return (
        list(Certification.objects.order_by("code").values()),
        list(CompetenceBlock.objects.order_by("code").values()),
        list(Replacement.objects.order_by("old_code", "new_code").values()),
        history,
    )


def test_second_import_of_the_same_files_changes_nothing(all_samples):
    before = _snapshot()
    report = import_registry([CSV_ZIP, XML_RNCP, XML_RS])
    assert report.fiches_created == report.fiches_changed == 0
    assert report.fiches_unchanged == report.fiches_read == 29
    assert report.replacements_linked == report.blocks_added == 0
    assert not report.changed_anything
    assert "Aucun changement : le répertoire était déjà à jour." in report.lines()
    assert _snapshot() == before


def test_dry_run_reports_without_writing(db):
    report = import_registry([XML_RNCP, XML_RS], dry_run=True)
    assert report.fiches_created == 20
    assert report.lines()[0].startswith("Simulation (--dry-run)")
    assert not Certification.objects.exclude(code__in=SEEDED).exists()
    assert not Certification.history.exclude(code__in=SEEDED).exists()


def _edit(tmp_path, source, replacements, name="export_fiches_RNCP_V4_1_2026-11-21.xml"):
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_changed_fiche_and_block_are_counted_and_audited(xml_samples, tmp_path):
    changed = _edit(
        tmp_path,
        XML_RNCP,
        [
            ("<LIBELLE>Conseiller la clientèle du vétérinaire</LIBELLE>", "<LIBELLE>Conseiller la clientèle</LIBELLE>"),
            ("<INTITULE>Auxiliaire spécialisé vétérinaire</INTITULE>", "<INTITULE>Auxiliaire vétérinaire</INTITULE>"),
        ],
    )
    report = import_registry([changed])
    assert report.fiches_changed == 1
    assert report.fiches_unchanged == 11
    assert report.blocks_changed == 1
    assert report.changed_codes == ["RNCP40344"]
    certification = Certification.objects.get(code="RNCP40344")
    assert certification.title == "Auxiliaire vétérinaire"
    assert certification.history.first().history_change_reason == "Import du répertoire France compétences"
    assert CompetenceBlock.objects.get(code="RNCP40344BC01").history.count() == 2


def test_block_removed_and_added(xml_samples, tmp_path):
    changed = _edit(tmp_path, XML_RNCP, [("<CODE>RNCP40344BC04</CODE>", "<CODE>RNCP40344BC05</CODE>")])
    report = import_registry([changed])
    assert (report.blocks_added, report.blocks_removed) == (1, 1)
    codes = set(Certification.objects.get(code="RNCP40344").blocks.values_list("code", flat=True))
    assert codes == {"RNCP40344BC01", "RNCP40344BC02", "RNCP40344BC03", "RNCP40344BC05"}


def test_rule_reg_6_certification_that_became_inactive_is_reported(xml_samples, tmp_path):
    changed = _edit(
        tmp_path, XML_RNCP, [("<DATE_FIN_ENREGISTREMENT>28/03/2028", "<DATE_FIN_ENREGISTREMENT>01/01/2025")]
    )
    report = import_registry([changed])
    assert report.became_inactive == 1
    assert report.became_inactive_codes == ["RNCP40344"]
    assert not Certification.objects.get(code="RNCP40344").is_active()


def test_replacement_link_removed_when_no_end_declares_it(xml_samples, tmp_path):
    rncp = _edit(
        tmp_path,
        XML_RNCP,
        [
            ("<ID_FICHE_NOUVELLE_CERTIFICATION>RNCP39568</ID_FICHE_NOUVELLE_CERTIFICATION>", ""),
            ("<ID_FICHE_ANCIENNE_CERTIFICATION>RNCP34762</ID_FICHE_ANCIENNE_CERTIFICATION>", ""),
        ],
    )
    report = import_registry([rncp])
    assert report.replacements_unlinked == 1
    assert not Replacement.objects.filter(old_code="RNCP34762", new_code="RNCP39568").exists()


def test_newer_xml_wins_over_older_csv_for_a_fiche_in_both(all_samples):
    # RS5000 is in the 2024 CSV sample and in the 2026 XML sample, imported after it.
    certification = Certification.objects.get(code="RS5000")
    assert certification.end_date == datetime.date(2024, 5, 24)
    assert certification.declared_active is False
