"""Exporting a catalogue (EDO-4, EDO-5): valid EDOF and LHÉO files, and an EDOF round trip."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from lxml import etree

from parcours.catalogue.edof.common import edof_schema, lheo_schema
from parcours.catalogue.edof.importer import import_catalogue
from parcours.catalogue.edof.writer import export_edof, export_gaps, export_lheo
from parcours.catalogue.enums import CourseType, EnrolmentState, Modality, OfferStatus, OfferType
from parcours.catalogue.models import Offer
from parcours.catalogue.services import (
    ACTION_FIELDS,
    OFFER_FIELDS,
    SESSION_FIELDS,
    OfferInput,
    create_offer,
    save_action,
    save_session,
    transition_offer,
)
from parcours.registry.models import Certification
from tests.catalogue.test_edof_import import OTHER_SIRET, SIRET, habilitated, sample

CODES = ("RNCP40344", "RS6604", "RS2203")
# Prices given as Decimal: with the model's int defaults, services.price_with_vat fails (reported).
FREE = {"price_excl_vat": Decimal("0"), "vat_rate": Decimal("20")}


@pytest.fixture
def organisation(xml_samples):
    return habilitated(codes=CODES, name="Organisme A")


def snapshot(organisation) -> dict:
    """The catalogue as values: what a round trip must give back (ids and timestamps aside)."""
    catalogue = {}
    for offer in Offer.objects.of(organisation).prefetch_related("offer_blocks", "actions__sessions"):
        catalogue[offer.internal_id] = {
            **{name: getattr(offer, name) for name in OFFER_FIELDS},
            "offer_type": offer.offer_type,
            "certification": offer.certification.code if offer.certification else None,
            "cpf_code": offer.cpf_code,
            "general_objective": offer.general_objective,
            "status": offer.status,
            "blocks": sorted(block.code for block in offer.offer_blocks.all()),
            "blocks_customisable": offer.blocks_customisable,
            "actions": {
                action.internal_id: {
                    **{name: getattr(action, name) for name in ACTION_FIELDS},
                    # a session's capacity is not in EDOF's format: not carried (writer.py)
                    "sessions": {
                        session.internal_id: {
                            name: getattr(session, name) for name in SESSION_FIELDS if name != "capacity"
                        }
                        for session in action.sessions.all()
                    },
                }
                for action in offer.actions.all()
            },
        }
    return catalogue


def validate(data: bytes, schema: etree.XMLSchema) -> etree._Element:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    schema.assertValid(root)
    return root


def build_through_the_form(organisation) -> None:
    """A catalogue made with the services, with what EDOF's format has trouble with."""
    rncp = Certification.objects.get(code="RNCP40344")
    offer = create_offer(
        organisation,
        None,
        OfferInput(
            OfferType.CERTIFYING,
            rncp,
            ["RNCP40344BC01", "RNCP40344BC03"],
            False,
            values={
                "internal_id": "VET-13",
                "title": "Auxiliaire vétérinaire – blocs 1 et 3",
                "pedagogical_objectives": "Objectifs « précis » : l’anatomie, le cœur, 12 € de fournitures",
                "content": "<p>Module 1 (14 h)</p>\n<p>Module 3 (21 h)</p>",
                "strengths": "Petits groupes",
                "expected_results": "Inscription à l'examen des blocs 1 et 3",
                "course_type": CourseType.MODULAR,
            },
        ),
    )
    transition_offer(offer.pk, None, "validate")
    remote = save_action(
        offer,
        None,
        {
            "internal_id": "A-distance",
            "modality": Modality.REMOTE,
            "hours_in_centre": 35,
            "price_excl_vat": Decimal("1500"),
            "vat_rate": Decimal("20"),
            "exam_fees_included": True,
            "contact_email": "accueil@exemple.fr",
            "prerequisites": "Baccalauréat",
            "accessibility": "Plateforme accessible (RGAA)",
            "admission_conditions": "Entretien de positionnement",
        },
    )
    save_session(
        remote,
        None,
        {
            "internal_id": "S1",
            "starts_on": datetime.date(2027, 3, 1),
            "ends_on": datetime.date(2027, 6, 30),
            "enrolment_state": EnrolmentState.CLOSED,
        },
    )
    save_session(remote, None, {"internal_id": "S2-permanente"})
    blended = save_action(
        offer,
        None,
        {
            "internal_id": "Lyon",
            "modality": Modality.BLENDED,
            "address": "3 bis avenue Foch",
            "postal_code": "69006",
            "city": "Lyon",
            "hours_in_centre": 20,
            "hours_in_company": 15,
            "price_excl_vat": Decimal("999.99"),
            "vat_rate": Decimal("5.5"),
            "contact_name": "Camille Dupont-Martin",
            "contact_phone": "+33612345678",
        },
    )
    save_session(
        blended,
        None,
        {
            "internal_id": "S1",
            "starts_on": datetime.date(2027, 9, 6),
            "registration_address": "Service des inscriptions, Bâtiment B, 12 rue de la République, 69002 Lyon",
        },
    )
    assessment = create_offer(
        organisation,
        None,
        OfferInput(
            OfferType.SKILLS_ASSESSMENT,
            values={
                "internal_id": "BILAN",
                "title": "Bilan de compétences",
                "pedagogical_objectives": "Faire le point",
                "content": "Trois phases",
                "expected_results": "Une synthèse",
                "course_type": CourseType.INDIVIDUALISED,
            },
        ),
    )
    action = save_action(
        assessment,
        None,
        {
            "internal_id": "B1",
            "place_name": "Centre Bellecour",
            "postal_code": "69002",
            "city": "Lyon",
            "hours_in_centre": 24,
            **FREE,
        },
    )
    save_session(action, None, {"internal_id": "B1-2027", "registration_address": "69002 Lyon"})
    transition_offer(assessment.pk, None, "validate")
    clea = create_offer(
        organisation,
        None,
        OfferInput(
            OfferType.CLEA,
            Certification.objects.get(code="RS2203"),
            values={
                "internal_id": "CLEA",
                "pedagogical_objectives": "Socle",
                "content": "Les 7 domaines",
                "expected_results": "Certificat CléA",
                "course_type": CourseType.MIXED,
            },
        ),
    )  # no strengths: stays a draft (OFF-20)
    action = save_action(clea, None, {"internal_id": "C1", "modality": Modality.REMOTE, "hours_in_centre": 10, **FREE})
    save_session(action, None, {"internal_id": "C1-a", "enrolment_state": EnrolmentState.OPEN})


def round_trip(organisation) -> tuple[dict, dict, bytes]:
    data = export_edof(organisation)
    other = habilitated(siret=OTHER_SIRET, codes=CODES, name="Organisme B")
    report = import_catalogue(data.replace(SIRET.encode(), OTHER_SIRET.encode()), other)
    assert report.ok, report.lines()
    return snapshot(organisation), snapshot(other), data


# -- validity --------------------------------------------------------------------------------------
def test_edof_export_of_the_imported_sample_is_valid_against_the_xsd(organisation):
    # rule EDO-4: namespace, ISO-8859-1, XSD v5r2
    assert import_catalogue(sample(), organisation).ok
    data = export_edof(organisation)
    assert data.startswith(
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<lheo xmlns="https://www.of.moncompteformation.gouv.fr">'
    )
    root = validate(data, edof_schema())
    assert len(root[0]) == 4
    assert data.count(b"xmlns=") == 1
    assert "é".encode("iso-8859-1") in data  # real Latin-1 bytes


def test_edof_export_of_a_form_made_catalogue_is_valid(organisation):
    build_through_the_form(organisation)
    data = export_edof(organisation)
    validate(data, edof_schema())
    assert b"&#8217;" in data  # outside Latin-1: a character reference, nothing lost


def test_lheo_export_is_valid_against_lheo_2_3(organisation):
    # rule EDO-5
    assert import_catalogue(sample(), organisation).ok
    build_through_the_form(organisation)
    data = export_lheo(organisation)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<lheo xmlns="http://lheo.gouv.fr/2.3">')
    root = validate(data, lheo_schema())
    ns = {"l": "http://lheo.gouv.fr/2.3"}
    assert len(root.findall("l:offres/l:formation", ns)) == 4 + 3
    rncp = root.find("l:offres/l:formation[@numero='RNCP40344_VETO2027']", ns)
    assert rncp.findtext("l:parcours-de-formation", namespaces=ns) == "1"  # 96213 collectif
    assert rncp.findtext("l:certification/l:code-RNCP", namespaces=ns) == "RNCP40344"
    codes = rncp.findall("l:action/l:session/l:blocs-competences/l:bloc-competences/l:code-bloc", ns)
    assert [code.text for code in codes] == [f"RNCP40344BC0{i}" for i in range(1, 5)]
    assert (
        root.findtext("l:offres/l:formation[@numero='BILAN']/l:code-type-formation/l:code-CPF", namespaces=ns)
        == "CPF202"
    )


# -- round trip ------------------------------------------------------------------------------------
def test_round_trip_of_the_cdc_sample(organisation):
    assert import_catalogue(sample(), organisation).ok
    before, after, _ = round_trip(organisation)
    assert len(after) == 4
    assert after == before


def test_round_trip_of_a_catalogue_made_through_the_form(organisation):
    build_through_the_form(organisation)
    before, after, _ = round_trip(organisation)
    assert set(after) == {"VET-13", "BILAN", "CLEA"}
    assert after["CLEA"]["status"] == OfferStatus.DRAFT and after["VET-13"]["status"] == OfferStatus.VALIDATED
    assert after == before


def test_exporting_again_after_the_round_trip_gives_the_same_file(organisation):
    build_through_the_form(organisation)
    _, _, data = round_trip(organisation)
    other = Offer.objects.filter(organisation__siret=OTHER_SIRET).first().organisation

    def without_dates(content: bytes) -> bytes:
        import re

        return re.sub(rb' date(maj|crea)="\d{8}"', b"", content)

    again = export_edof(other).replace(OTHER_SIRET.encode(), SIRET.encode()).replace(b"Organisme B", b"Organisme A")
    assert without_dates(again) == without_dates(data)


# -- what cannot be exported -----------------------------------------------------------------------
def test_offers_edof_cannot_take_are_left_out_and_said(organisation):
    build_through_the_form(organisation)
    create_offer(organisation, None, OfferInput(OfferType.SKILLS_ASSESSMENT, values={"internal_id": "BROUILLON"}))
    data = export_edof(organisation)
    validate(data, edof_schema())
    assert b'numero="BROUILLON"' not in data
    (gap,) = export_gaps(organisation)
    assert gap.startswith("offre « BROUILLON » non exportée : intitulé manquant")
    assert "aucune action avec une session" in gap


def test_export_command_writes_the_file(organisation, tmp_path, capsys):
    assert import_catalogue(sample(), organisation).ok
    for fmt, schema in (("edof", edof_schema()), ("lheo", lheo_schema())):
        path = tmp_path / f"catalogue-{fmt}.xml"
        call_command("export_catalogue", "--organisation", SIRET, "--format", fmt, "-o", str(path))
        assert "4 offre(s) de Organisme A exportée(s)" in capsys.readouterr().out
        validate(path.read_bytes(), schema)
