"""Files that are not exports are refused with file and line; the database is left as it was."""

import zipfile

import pytest
from django.core.management import CommandError, call_command

from parcours.registry.importing.apply import import_registry
from parcours.registry.importing.records import ExportError
from parcours.registry.models import Accreditation, Certification, CompetenceBlock
from tests.conftest import CSV_MEMBERS, SEEDED, XML_RNCP

pytestmark = pytest.mark.django_db


@pytest.fixture
def before(xml_samples):
    return _state()


def _state():
    return (
        Certification.objects.count(),
        CompetenceBlock.objects.count(),
        Accreditation.objects.count(),
        Certification.history.count(),
        list(Certification.objects.order_by("code").values_list("code", "title", "end_date")),
    )


def _refused(path, match):
    with pytest.raises(ExportError, match=match) as caught:
        import_registry([path])
    assert path.name in str(caught.value)
    return caught.value


def test_truncated_xml_after_several_batches_writes_nothing(db, tmp_path):
    data = XML_RNCP.read_bytes()
    cut = data.find(b"<NUMERO_FICHE>RNCP39568")  # the 12th fiche: batches of 7 were already written
    truncated = tmp_path / "export_fiches_RNCP_V4_1_2026-11-21.xml"
    truncated.write_bytes(data[:cut])
    error = _refused(truncated, "tronqué")
    assert error.line is not None
    assert not Certification.objects.exclude(code__in=SEEDED).exists()


def test_truncated_xml_leaves_previous_import_untouched(before, tmp_path):
    data = XML_RNCP.read_bytes().replace("Auxiliaire spécialisé".encode(), b"Autre titre")
    truncated = tmp_path / "export.xml"
    truncated.write_bytes(data[: len(data) - 500])
    _refused(truncated, "tronqué")
    assert _state() == before


def test_xml_entity_bomb_is_refused(before, tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE FICHES [\n <!ENTITY a "aaaaaaaaaa">\n'
        ' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
        "<FICHES><FICHE><NUMERO_FICHE>RNCP1</NUMERO_FICHE><INTITULE>&b;</INTITULE></FICHE></FICHES>"
    )
    error = _refused(bomb, "DOCTYPE")
    assert error.line == 2
    assert _state() == before


def test_xml_external_entity_is_refused(before, tmp_path):
    xxe = tmp_path / "xxe.xml"
    xxe.write_text(
        '<?xml version="1.0"?><!DOCTYPE FICHES [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<FICHES><FICHE><NUMERO_FICHE>RNCP1</NUMERO_FICHE><INTITULE>&x;</INTITULE></FICHE></FICHES>"
    )
    _refused(xxe, "ENTITY")
    assert _state() == before


def test_xml_with_another_root_is_not_an_export(before, tmp_path):
    other = tmp_path / "catalogue.xml"
    other.write_text('<?xml version="1.0"?><offres><formation/></offres>')
    _refused(other, "FICHES")
    assert _state() == before


def test_xml_in_the_wrong_encoding_is_refused(before, tmp_path):
    latin = tmp_path / "latin1.xml"
    latin.write_bytes(
        '<?xml version="1.0" encoding="UTF-8"?><FICHES><FICHE><NUMERO_FICHE>RNCP1</NUMERO_FICHE>'
        "<INTITULE>Agent vérificateur</INTITULE></FICHE></FICHES>".encode("latin-1")
    )
    _refused(latin, "UTF-8|encodage")
    assert _state() == before


def test_not_a_zip_is_refused(before, tmp_path):
    fake = tmp_path / "export-fiches-csv-2026-11-21.zip"
    fake.write_text("ceci n'est pas une archive")
    _refused(fake, "archive zip")
    assert _state() == before


def test_truncated_zip_is_refused(before, tmp_path):
    from tests.conftest import CSV_ZIP

    broken = tmp_path / "export-fiches-csv-2026-11-21.zip"
    broken.write_bytes(CSV_ZIP.read_bytes()[:2000])
    _refused(broken, "zip")
    assert _state() == before


def test_zip_without_export_is_refused(before, tmp_path):
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("photo.txt", "bonjour")
    _refused(archive, "ne contient pas un export")
    assert _state() == before


def test_csv_with_wrong_columns_is_refused_naming_line_1(before, tmp_path):
    wrong = tmp_path / "export_fiches_CSV_Standard_2026_11_20.csv"
    wrong.write_text('"Code";"Titre"\r\n"RNCP1";"Titre"\r\n', encoding="utf-8")
    error = _refused(wrong, "colonnes inattendues")
    assert error.line == 1
    assert _state() == before


def test_csv_in_the_wrong_encoding_is_refused(before, tmp_path):
    standard = next(p for p in CSV_MEMBERS if "Standard" in p.name)
    latin = tmp_path / standard.name
    latin.write_bytes(standard.read_text(encoding="utf-8").encode("cp1252"))
    error = _refused(latin, "encodage")
    assert error.line and error.line > 1
    assert _state() == before


def test_csv_row_with_a_missing_column_is_refused_with_its_line(before, tmp_path):
    standard = next(p for p in CSV_MEMBERS if "Standard" in p.name)
    lines = standard.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].rsplit(";", 1)[0]
    broken = tmp_path / standard.name
    broken.write_text("\r\n".join(lines), encoding="utf-8")
    error = _refused(broken, "15 colonnes au lieu de 16")
    assert error.line == 4
    assert _state() == before


def test_bad_date_is_refused_naming_the_field(before, tmp_path):
    broken = tmp_path / "export.xml"
    broken.write_text(
        XML_RNCP.read_text(encoding="utf-8").replace(
            "<DATE_FIN_ENREGISTREMENT>28/03/2028", "<DATE_FIN_ENREGISTREMENT>2028-03-28", 1
        ),
        encoding="utf-8",
    )
    _refused(broken, "DATE_FIN_ENREGISTREMENT")
    assert _state() == before


def test_unknown_file_is_refused(before, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("bonjour")
    _refused(other, "format non reconnu")
    assert _state() == before


def test_command_says_the_database_was_not_changed(before, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("bonjour")
    with pytest.raises(CommandError, match="la base n'a pas été modifiée"):
        call_command("import_registry", str(other), "--no-progress")
    assert _state() == before
