"""Importing an EDOF catalogue file (OFF-18, EDO-4): the CDC's sample, every refusal, all or nothing."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from parcours.accounts.models import Entity
from parcours.catalogue.edof.importer import import_catalogue
from parcours.catalogue.enums import CourseType, EnrolmentState, Modality, OfferStatus, OfferType
from parcours.catalogue.models import Action, Offer, OfferBlock, OfferEvent, Session
from parcours.registry.models import Accreditation, Certification
from tests.factories import EntityFactory

SAMPLE = Path(settings.DATA_DIR) / "edof" / "exemple-catalogue-a-importer_v7r0.xml"
PLACEHOLDER_SIRET = b"12312312300000"
SIRET = "12345678200002"
OTHER_SIRET = "73282932000074"
NUMEROS = ["RNCP40344_VETO2027", "RS6604_BLOCKCHAIN2027", "CPF202_BDC2027", "CPF200_VAE2027"]


def sample(siret: str = SIRET) -> bytes:
    """The CDC's sample with its placeholder SIRET replaced."""
    return SAMPLE.read_bytes().replace(PLACEHOLDER_SIRET, siret.encode())


def habilitated(siret: str = SIRET, codes: tuple[str, ...] = ("RNCP40344", "RS6604"), name: str = "") -> Entity:
    """A Qualiopi training organisation habilitated by the certifier on `codes` (ACC-6, ACC-7)."""
    organisation = EntityFactory(training=True, siret=siret, name=name or f"Organisme {siret}")
    for code in codes:
        Accreditation.objects.create(
            certification=Certification.objects.get(code=code),
            source="certifier",
            siret=siret,
            name=organisation.name,
            kind="train_and_organise",
        )
    return organisation


def line_of(data: bytes, needle: bytes, start: int = 0) -> int:
    return data[: data.index(needle, start)].count(b"\n") + 1


def rows() -> dict[str, int]:
    return {
        "offers": Offer.objects.count(),
        "blocks": OfferBlock.objects.count(),
        "actions": Action.objects.count(),
        "sessions": Session.objects.count(),
        "events": OfferEvent.objects.count(),
        "offer history": Offer.history.model.objects.count(),
        "action history": Action.history.model.objects.count(),
        "session history": Session.history.model.objects.count(),
    }


def assert_nothing_written() -> None:
    assert set(rows().values()) == {0}, rows()


@pytest.fixture
def organisation(xml_samples):
    return habilitated()


# -- the CDC's sample ------------------------------------------------------------------------------
def test_cdc_sample_imports_completely_once_its_siret_is_the_organisations(organisation):
    # rules EDO-4, OFF-18: RNCP40344 with its 4 blocks, RS6604, CPF202 bilan, CPF200 VAE
    report = import_catalogue(sample(), organisation)

    assert report.ok, report.lines()
    assert report.written
    assert report.formations == 4
    assert vars(report.offers) == {"created": 4, "updated": 0, "unchanged": 0}
    assert vars(report.actions) == {"created": 4, "updated": 0, "unchanged": 0}
    assert vars(report.sessions) == {"created": 4, "updated": 0, "unchanged": 0}
    assert report.validated == NUMEROS and not report.drafts
    offers = {offer.internal_id: offer for offer in Offer.objects.of(organisation)}
    assert set(offers) == set(NUMEROS)

    rncp = offers["RNCP40344_VETO2027"]
    assert (rncp.offer_type, rncp.certification.code) == (OfferType.CERTIFYING, "RNCP40344")
    assert sorted(rncp.offer_blocks.values_list("code", flat=True)) == [f"RNCP40344BC0{i}" for i in range(1, 5)]
    assert rncp.offer_blocks.filter(block__isnull=True).count() == 0
    assert rncp.blocks_customisable is True  # OFF-4: blocs-modifiables 1
    assert rncp.title == "L'intitulé de la formation"
    assert rncp.pedagogical_objectives.startswith("<ul><li>Objectif pédagogique 1</li>")
    assert rncp.content.startswith("<p><strong>Titre Module 1</strong>")
    assert rncp.expected_results == "La description des résultats attendus de la formation"
    assert rncp.strengths == "Résumé du contenu de la formation"
    assert rncp.course_type == CourseType.COLLECTIVE  # EDO-5: parcours-de-formation 1 → 96213
    assert rncp.general_objective == "Certification"  # OFF-9
    rs = offers["RS6604_BLOCKCHAIN2027"]
    assert (rs.offer_type, rs.certification.code, rs.offer_blocks.count()) == (OfferType.CERTIFYING, "RS6604", 0)
    assert rs.blocks_customisable is None  # OFF-5
    assert (offers["CPF202_BDC2027"].offer_type, offers["CPF202_BDC2027"].cpf_code) == (
        OfferType.SKILLS_ASSESSMENT,
        "CPF202",
    )
    assert (offers["CPF200_VAE2027"].offer_type, offers["CPF200_VAE2027"].cpf_code) == (OfferType.VAE, "CPF200")
    assert {offer.status for offer in offers.values()} == {OfferStatus.VALIDATED}  # OFF-15

    action = rncp.actions.get()
    assert action.internal_id == "RNCP40344_VETO2027"
    assert action.modality == Modality.ON_SITE
    assert (action.place_name, action.address, action.postal_code, action.city) == (
        "MONORGANISMEFORMATION",
        "12 RUE du général Leclerc",
        "91510",
        "LARDY",
    )
    assert (action.hours_in_centre, action.hours_in_company) == (21, 0)
    assert (action.vat_rate, action.price_excl_vat, action.price_incl_vat) == (
        Decimal("20"),
        Decimal("500.50"),
        Decimal("600.60"),
    )
    assert action.exam_fees_included is False
    assert action.admission_conditions == "Information sur l'admission"
    assert action.prerequisites == ""  # existence-prerequis 0
    assert action.accessibility == "modalités adaptées aux personnes en situation de handicap"
    assert (action.contact_name, action.contact_email, action.contact_phone) == (
        "Prénom Nom",
        "fraise.sirop@monorganismeformation.fr",
        "0122222222",
    )
    session = action.sessions.get()
    assert session.internal_id == "RNCP40344_VETO2027"
    assert (session.starts_on, session.ends_on) == (datetime.date(2027, 1, 1), datetime.date(2027, 12, 1))
    assert session.enrolment_state == EnrolmentState.OPEN
    assert session.registration_address == "MONORGANISMEFORMATION, 12 RUE du général Leclerc, 91510 LARDY"
    # existence-prerequis 0 beside a conditions-specifiques text: said, not silently dropped
    assert any("existence-prerequis" in str(warning) for warning in report.warnings)


def test_cdc_sample_as_published_is_refused_for_its_placeholder_siret(organisation):
    # rule ACC-2: 12312312300000 fails the Luhn key
    data = SAMPLE.read_bytes()
    report = import_catalogue(data, organisation)

    assert not report.ok and not report.written
    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.rule == "ACC-2"
    assert error.element == "SIRET" and error.line == line_of(data, PLACEHOLDER_SIRET)
    assert "12312312300000" in error.message and "clé de contrôle" in error.message
    assert "exemple de la Caisse des dépôts" in error.message and "4 formation(s)" in error.message
    assert "la base n'a pas été modifiée" in "\n".join(report.lines())
    assert not report.warnings  # nothing of another SIRET is imported: its warnings would be noise
    assert_nothing_written()


def test_a_utf8_file_is_read_as_well(organisation):
    data = sample().decode("iso-8859-1").replace('encoding="ISO-8859-1"', 'encoding="UTF-8"').encode("utf-8")
    report = import_catalogue(data, organisation)
    assert report.ok, report.lines()
    assert Offer.objects.get(internal_id="CPF202_BDC2027").actions.get().accessibility.startswith("modalités")


# -- refusals: each leaves the database untouched -------------------------------------------------
def _replace(old: bytes, new: bytes, count: int = 1):
    return lambda data: data.replace(old, new, count)


BOMB = (
    b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE lheo [\n <!ENTITY a "aaaaaaaaaa">\n'
    b' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n'
)
EXTERNAL = (
    b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE lheo [\n <!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n'
)


def _with_prolog(prolog: bytes, entity: bytes):
    def mutate(data: bytes) -> bytes:
        body = data[data.index(b"<lheo") :]
        return prolog + body.replace(
            b"<intitule-formation>L'intitul", b"<intitule-formation>" + entity + b"L'intitul", 1
        )

    return mutate


def _duplicate_action(data: bytes, numero: bytes = b"RNCP40344_VETO2027") -> bytes:
    # rule EDO-4: same modality, place, price and duration under another numero
    start = data.index(b'<action numero="' + numero + b'"')
    end = data.index(b"</action>", start) + len(b"</action>")
    copy = data[start:end].replace(b'<action numero="' + numero, b'<action numero="' + numero + b"_BIS", 1)
    return data[:end] + b"\n" + copy + data[end:]


def _in_formation(numero: bytes, old: bytes, new: bytes):
    def mutate(data: bytes) -> bytes:
        start = data.index(b'<formation numero="' + numero + b'"')
        return data[:start] + data[start:].replace(old, new, 1)

    return mutate


REFUSALS = {
    # name: (mutation, expected words in an error, rule, element of the error)
    "not XML": (lambda data: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 not an XML file", "n'est pas un fichier XML", "EDO-4", ""),
    "empty file": (lambda data: b"", "vide", "EDO-4", ""),
    "truncated": (lambda data: data[: data.index(b"</offres>")], "fichier tronqué", "EDO-4", "offres"),
    "truncated inside a tag": (lambda data: data[: data.index(b"<action") + 7], "inachevée", "EDO-4", "action"),
    "wrong namespace": (
        _replace(b"https://www.of.moncompteformation.gouv.fr", b"http://lheo.gouv.fr/2.3"),
        "espace de noms « http://lheo.gouv.fr/2.3 »",
        "EDO-4",
        "lheo",
    ),
    "XSD: invalid value": (
        _replace(b"<parcours-de-formation>1<", b"<parcours-de-formation>7<"),
        "valeur « 7 » non admise ; valeurs possibles : 1, 2, 3, 4",
        "OFF-14",
        "parcours-de-formation",
    ),
    "XSD: missing child": (
        _replace(b"<langue-formation>FR</langue-formation>", b""),
        "attendu ici : <langue-formation>",
        "EDO-4",
        "modalites-recrutement",
    ),
    "XSD: unexpected element": (
        _replace(b"<restauration>", b"<prix>12</prix><restauration>"),
        "élément inattendu",
        "EDO-4",
        "prix",
    ),
    "XSD: missing attribute": (
        _replace(b'<session numero="RS6604_BLOCKCHAIN2027"', b"<session"),
        "l'attribut obligatoire « numero » manque",
        "EDO-4",
        "session",
    ),
    "entity bomb": (_with_prolog(BOMB, b"&c;"), "<!DOCTYPE> refusée", "EDO-4", "!DOCTYPE"),
    "external entity": (_with_prolog(EXTERNAL, b"&x;"), "entité externe", "EDO-4", "!DOCTYPE"),
    "undeclared entity": (_replace(b"L'intitul", b"&nbsp;L'intitul"), "entité « &nbsp; » inconnue", "EDO-4", ""),
    "other organisation's SIRET": (
        lambda data: data.replace(SIRET.encode(), OTHER_SIRET.encode()),
        f"SIRET « {OTHER_SIRET} » : ce fichier décrit le catalogue d'un autre organisme",
        "OFF-18",
        "SIRET",
    ),
    "unknown certification": (
        lambda data: data.replace(b"<code-RNCP>RNCP40344<", b"<code-RNCP>RNCP99999<"),
        "La certification RNCP99999 n'existe pas",
        "REG-1",
        "code-RNCP",
    ),
    "unknown code-CPF": (_replace(b"<code-CPF>CPF202<", b"<code-CPF>CPF999<"), "CPF999", "OFF-1", "code-CPF"),
    "unknown block": (
        _replace(b"RNCP40344BC04", b"RNCP40344BC09"),
        "Blocs inconnus",
        "OFF-3",
        'extras info="blocs-competences"',
    ),
    "duplicate action": (_duplicate_action, "Action en double", "EDO-4", "action"),
    "objectives over 3000 characters": (
        _replace(b"<ul><li>Objectif p", b"<ul><li>" + b"x" * 3000 + b"Objectif p"),
        "Les objectifs pédagogiques : texte trop long",
        "OFF-10",
        "objectif-formation",
    ),
    "expected results over 3000 characters": (
        _replace(b"<resultats-attendus>La description", b"<resultats-attendus>" + b"y" * 3000 + b"La description"),
        "Les résultats attendus : texte trop long",
        "OFF-13",
        "resultats-attendus",
    ),
    "strengths over 255 characters": (
        _replace(b'"resume-contenu">R', b'"resume-contenu">' + b"z" * 255 + b"R"),
        "Les points forts : 288 caractères pour 255 au plus",
        "OFF-12",
        'extra info="resume-contenu"',
    ),
    "impossible date": (
        _replace(b"<debut>20270101<", b"<debut>20271301<"),
        "date « 20271301 » impossible",
        "EDO-4",
        "debut",
    ),
    "session ending before it starts": (
        _replace(b"<fin>20271201<", b"<fin>20261201<"),
        "La session finit avant de commencer",
        "OFF-17",
        "fin",
    ),
    "wrong VAT-inclusive price": (
        _replace(b'"frais-ttc">600.60<', b'"frais-ttc">700.00<'),
        "ne correspond pas au prix HT",
        "OFF-17",
        'extra info="frais-ttc"',
    ),
    "duplicate formation numero": (
        _replace(b'<formation numero="RS6604_BLOCKCHAIN2027"', b'<formation numero="RNCP40344_VETO2027"'),
        "déjà utilisé par une autre offre du fichier",
        "OFF-7",
        "formation",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_broken_copy_of_the_sample_is_refused_and_nothing_is_written(organisation, case):
    mutate, words, rule, element = REFUSALS[case]
    data = mutate(sample())
    report = import_catalogue(data, organisation)

    assert not report.ok and not report.written
    matching = [error for error in report.errors if words in error.message]
    assert matching, [str(error) for error in report.errors]
    assert matching[0].rule == rule, str(matching[0])
    assert matching[0].element == element, str(matching[0])
    if element and element != "!DOCTYPE":
        assert matching[0].line, str(matching[0])
    assert_nothing_written()


def test_an_xsd_error_names_its_line_and_element(organisation):
    # rule EDO-4: the message a person reads says where
    data = REFUSALS["XSD: invalid value"][0](sample())
    report = import_catalogue(data, organisation)
    (error,) = report.errors
    assert error.line == line_of(data, b"<parcours-de-formation>7<")
    assert str(error).startswith(
        f"ligne {error.line}, élément <parcours-de-formation>, formation « RNCP40344_VETO2027 »"
    )


def test_the_entity_bomb_is_refused_before_parsing(organisation):
    data = REFUSALS["entity bomb"][0](sample())
    (error,) = import_catalogue(data, organisation).errors
    assert "bombe" in error.message and "externe" not in error.message and error.line == 2


def test_an_external_entity_is_refused_before_parsing(organisation):
    data = REFUSALS["external entity"][0](sample())
    (error,) = import_catalogue(data, organisation).errors
    assert "entité externe" in error.message and "lecture de fichiers" in error.message


def test_not_habilitated_on_a_certification(xml_samples):
    # rules ACC-7, OFF-2: habilitated on RNCP40344 only
    organisation = habilitated(codes=("RNCP40344",))
    data = sample()
    report = import_catalogue(data, organisation)

    (error,) = report.errors
    assert error.rule == "ACC-7" and "RS6604" in error.message
    assert error.element == "code-RS" and error.line == line_of(data, b"<code-RS>RS6604")
    assert_nothing_written()


def test_not_qualiopi(xml_samples):
    # rule ACC-6
    organisation = habilitated()
    organisation.qualiopi_training = False
    organisation.save()
    report = import_catalogue(sample(), organisation)
    assert {error.rule for error in report.errors} == {"ACC-6"}
    assert_nothing_written()


def test_every_error_is_collected_not_only_the_first(organisation):
    data = REFUSALS["unknown certification"][0](sample())  # RNCP40344_VETO2027
    data = _in_formation(b"RS6604_BLOCKCHAIN2027", b'"resume-contenu">R', b'"resume-contenu">' + b"z" * 300)(data)
    data = _in_formation(b"CPF202_BDC2027", b"<debut>20270101<", b"<debut>20270231<")(data)
    data = _duplicate_action(data, b"CPF200_VAE2027")
    report = import_catalogue(data, organisation)
    found = [(error.rule, error.where.split(" > ")[0]) for error in report.errors]
    assert found == [
        ("REG-1", "formation « RNCP40344_VETO2027 »"),
        ("OFF-12", "formation « RS6604_BLOCKCHAIN2027 »"),
        ("EDO-4", "formation « CPF202_BDC2027 »"),
        ("EDO-4", "formation « CPF200_VAE2027 »"),
    ], [str(e) for e in report.errors]
    assert [error.line for error in report.errors] == sorted(error.line for error in report.errors)
    assert_nothing_written()


# -- dry run, re-import, updates -------------------------------------------------------------------
def test_dry_run_reports_without_writing(organisation):
    report = import_catalogue(sample(), organisation, dry_run=True)
    assert report.ok and not report.written
    assert vars(report.offers) == {"created": 4, "updated": 0, "unchanged": 0}
    assert "rien n'a été enregistré" in report.lines()[-1]
    assert_nothing_written()


def test_reimporting_the_same_file_changes_nothing(organisation):
    import_catalogue(sample(), organisation)
    before = rows()
    updated_at = dict(Offer.objects.values_list("internal_id", "updated_at"))

    report = import_catalogue(sample(), organisation)

    assert report.ok and report.written
    assert vars(report.offers) == {"created": 0, "updated": 0, "unchanged": 4}
    assert vars(report.actions) == {"created": 0, "updated": 0, "unchanged": 4}
    assert vars(report.sessions) == {"created": 0, "updated": 0, "unchanged": 4}
    assert rows() == before  # no row, no history row, no event
    assert dict(Offer.objects.values_list("internal_id", "updated_at")) == updated_at


def test_reimporting_a_changed_file_updates_in_place_by_numero(organisation):
    import_catalogue(sample(), organisation)
    ids = dict(Offer.objects.values_list("internal_id", "pk"))
    data = sample().replace(b"<fin>20271201</fin>", b"<fin>20271130</fin>", 1)
    data = data.replace(b"RNCP40344BC04</extra>", b"RNCP40344BC03</extra>", 1)  # BC04 dropped
    data = data.replace(b'<extra info="blocs-modifiables">1', b'<extra info="blocs-modifiables">0', 1)

    report = import_catalogue(data, organisation)

    assert report.ok, report.lines()
    assert vars(report.offers) == {"created": 0, "updated": 1, "unchanged": 3}
    assert vars(report.sessions) == {"created": 0, "updated": 1, "unchanged": 3}
    assert dict(Offer.objects.values_list("internal_id", "pk")) == ids
    rncp = Offer.objects.get(internal_id="RNCP40344_VETO2027")
    assert rncp.offer_blocks.count() == 3 and rncp.blocks_customisable is False
    assert rncp.status == OfferStatus.VALIDATED and rncp.blocks_changed_at is None  # the file re-validates it
    assert rncp.actions.get().sessions.get().ends_on == datetime.date(2027, 11, 30)


def test_an_incomplete_offer_stays_a_draft_and_the_report_says_why(organisation):
    # rule OFF-15: a blank title passes the XSD (one character) but is no title
    title = "<intitule-formation>L'intitulé de la formation</intitule-formation>".encode("iso-8859-1")
    data = sample().replace(title, b"<intitule-formation> </intitule-formation>", 1)
    report = import_catalogue(data, organisation)
    assert report.ok, report.lines()
    assert list(report.drafts) == ["RNCP40344_VETO2027"]
    assert "Renseignez l'intitulé" in report.drafts["RNCP40344_VETO2027"][0]
    assert Offer.objects.get(internal_id="RNCP40344_VETO2027").status == OfferStatus.DRAFT
    assert "brouillon" in "\n".join(report.lines())


def test_the_certification_of_a_known_offer_is_not_changed_by_an_import(organisation):
    import_catalogue(sample(), organisation)
    data = sample().replace(b"<code-CPF>CPF202<", b"<code-CPF>CPF200<", 1)
    report = import_catalogue(data, organisation)
    (error,) = report.errors
    assert error.rule == "OFF-16" and error.element == "code-CPF"


# -- the command -----------------------------------------------------------------------------------
def test_command_imports_and_prints_the_report(organisation, tmp_path, capsys):
    path = tmp_path / "catalogue.xml"
    path.write_bytes(sample())
    call_command("import_catalogue", str(path), "--organisation", SIRET, "--dry-run")
    out = capsys.readouterr().out
    assert "Offres : 4 créée(s)" in out and "rien n'a été enregistré" in out
    assert_nothing_written()
    call_command("import_catalogue", str(path), "--organisation", SIRET)
    assert Offer.objects.count() == 4


def test_command_refuses_with_file_line_element_and_message(organisation, tmp_path):
    path = tmp_path / "exemple.xml"
    path.write_bytes(SAMPLE.read_bytes())
    with pytest.raises(CommandError) as refused:
        call_command("import_catalogue", str(path), "--organisation", SIRET)
    message = str(refused.value)
    assert "la base n'a pas été modifiée" in message
    assert f"exemple.xml, ligne {line_of(SAMPLE.read_bytes(), PLACEHOLDER_SIRET)}, élément <SIRET>" in message
    assert_nothing_written()


def test_command_refuses_an_unknown_organisation(db, tmp_path):
    path = tmp_path / "exemple.xml"
    path.write_bytes(sample())
    with pytest.raises(CommandError, match="Aucun organisme"):
        call_command("import_catalogue", str(path), "--organisation", OTHER_SIRET)
