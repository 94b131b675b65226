"""Import of the real France compétences samples (REG-1 to REG-7)."""

import csv
import io
import zipfile

import pytest
from lxml import etree

from parcours.registry.importing.apply import import_registry
from parcours.registry.models import (
    Accreditation,
    Certification,
    CertificationCertifier,
    CompetenceBlock,
    Replacement,
)
from tests.conftest import CSV_MEMBERS, CSV_ZIP, CSV_ZIP_NFD, SEEDED, XML_RNCP, XML_RS

pytestmark = pytest.mark.django_db


def _fiches(path):
    return etree.parse(str(path)).getroot().findall("FICHE")


def test_xml_counts_match_the_files(xml_samples):
    fiches = _fiches(XML_RNCP) + _fiches(XML_RS)
    own_blocks = sum(len(f.findall("BLOCS_COMPETENCES/BLOC_COMPETENCES")) for f in fiches)
    certifier_rows = sum(len(f.findall("CERTIFICATEURS/CERTIFICATEUR")) for f in fiches)
    partner_rows = {
        (f.findtext("NUMERO_FICHE"), p.findtext("SIRET_PARTENAIRE"), p.findtext("NOM_PARTENAIRE"))
        for f in fiches
        for p in f.findall("PARTENAIRES/PARTENAIRE")
    }
    assert xml_samples.fiches_created == len(fiches) == 20
    assert Certification.objects.exclude(code__in=SEEDED).count() == 20
    assert CompetenceBlock.objects.count() == own_blocks == 53
    assert CertificationCertifier.objects.exclude(certification__code__in=SEEDED).count() == certifier_rows
    assert Accreditation.objects.count() == len(partner_rows)
    assert Certification.objects.filter(registry="rs", blocks__isnull=False).count() == 0  # REG-3


def test_correspondence_blocks_are_not_blocks_of_the_fiche(xml_samples):
    certification = Certification.objects.get(code="RNCP40344")
    assert list(certification.blocks.values_list("code", flat=True)) == [
        "RNCP40344BC01",
        "RNCP40344BC02",
        "RNCP40344BC03",
        "RNCP40344BC04",
    ]
    assert not CompetenceBlock.objects.filter(code__startswith="RNCP37507").exists()
    assert {"block": "RNCP40344BC04", "fiche": "RNCP37507", "other_block": "RNCP37507BC04"} in (
        certification.block_correspondences
    )


def test_rncp40344_blocks_carry_competences_and_evaluation(xml_samples):
    block = CompetenceBlock.objects.get(code="RNCP40344BC01")
    assert block.title == "Conseiller la clientèle du vétérinaire"
    assert block.competences.startswith("Accueillir un propriétaire d'animal")
    assert "jeux de rôle" in block.evaluation


def test_rule_reg_2_rs_has_no_level_rncp_has_one(xml_samples):
    assert not Certification.objects.filter(registry="rs", level__isnull=False).exists()
    assert Certification.objects.get(code="RNCP40344").level == 4


def test_certifier_without_siret_is_kept(xml_samples):
    names = {
        link.certifier.name: link.certifier.siret
        for link in Certification.objects.get(code="RNCP40344").certifier_links.select_related("certifier")
    }
    assert names == {"ANIMAL PRO FORMATION": "52875765100013", "SNVEL": ""}


def test_rule_reg_7_replacement_chain_linked_from_both_ends(xml_samples):
    link = Replacement.objects.get(old_code="RNCP34762", new_code="RNCP39568")
    assert link.declared_by_old and link.declared_by_new
    # RS5000 → RS6604 across the RS file
    assert Replacement.objects.filter(old_code="RS5000", new_code="RS6604").exists()


def _csv_rows(member_part):
    with zipfile.ZipFile(CSV_ZIP) as archive:
        name = next(n for n in archive.namelist() if member_part in n)
        text = io.TextIOWrapper(archive.open(name), encoding="utf-8", newline="")
        return list(csv.DictReader(text, delimiter=";"))


def test_csv_zip_counts_match_the_members(db):
    report = import_registry([CSV_ZIP])
    standard = _csv_rows("Standard")
    assert report.fiches_created == len(standard) == 9
    assert CompetenceBlock.objects.count() == len(_csv_rows("Blocs")) == 6
    linked = CertificationCertifier.objects.exclude(certification__code__in=SEEDED)
    assert linked.count() == len(_csv_rows("Certificateurs"))
    assert Accreditation.objects.count() == len(_csv_rows("Partenaires"))
    # Tab-prefixed SIRETs are cleaned.
    assert not Accreditation.objects.filter(siret__contains="\t").exists()
    assert Accreditation.objects.exclude(siret="").count() == Accreditation.objects.count()
    # Labels lose their "code : " prefix, ROME doubled apostrophes are undone.
    certification = Certification.objects.get(code="RNCP1197")
    assert certification.nsf_codes.get(code="221w").label == "Commercialisation de produits alimentaires"
    assert Certification.objects.get(code="RS6117").registry == "rs"
    assert Replacement.objects.filter(old_code="RNCP19468", new_code="RS6117").exists()  # cross-registry


def test_csv_zip_with_nfd_member_names_is_read(db):
    report = import_registry([CSV_ZIP_NFD])
    assert report.fiches_created == 9
    assert CompetenceBlock.objects.count() == 6


def test_csv_members_given_one_by_one_equal_the_zip(db):
    import_registry(CSV_MEMBERS)
    from_members = sorted(Certification.objects.values_list("code", "title", "end_date"))
    blocks = sorted(CompetenceBlock.objects.values_list("code", "title"))
    report = import_registry([CSV_ZIP])
    assert report.fiches_unchanged == 9 and not report.changed_anything
    assert sorted(Certification.objects.values_list("code", "title", "end_date")) == from_members
    assert sorted(CompetenceBlock.objects.values_list("code", "title")) == blocks


def test_a_member_alone_updates_known_fiches_and_ignores_unknown_ones(db, tmp_path):
    import_registry([CSV_ZIP])
    blocks_member = next(p for p in CSV_MEMBERS if "Blocs" in p.name)
    text = blocks_member.read_text(encoding="utf-8").replace("UG3 : ", "UG3 bis : ")
    text += '"RNCP99999";"RNCP99999BC01";"Bloc d\'une fiche inconnue"\r\n'
    changed = tmp_path / blocks_member.name
    changed.write_text(text, encoding="utf-8")
    report = import_registry([changed])
    assert report.fiches_changed == 1
    assert report.blocks_changed == 1
    assert report.fiches_unknown == 1
    assert not Certification.objects.filter(code="RNCP99999").exists()
    assert CompetenceBlock.objects.get(code="RNCP509BC06").title.startswith("UG3 bis : ")
