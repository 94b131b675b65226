"""Reader of France compétences' daily CSV export: 10 members joined by `Numero_Fiche`.

The `Standard` member gives the fiches; the others are read first into small per-fiche
lists (they are a few tens of MB at national scale), then each Standard row is streamed out
as one record. Without a Standard member, the members update fiches already known.
"""

import csv
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from ..codes import InvalidCode, parse_code
from ..enums import (
    ACCESS_ROUTE_BY_LABEL,
    ACCREDITATION_KIND_BY_CODE,
    REGISTRATION_TYPE_BY_LABEL,
    AccreditationState,
    RegistrationType,
)
from .parsing import (
    ValueError_,
    clean,
    nfc,
    parse_date,
    parse_int,
    parse_level,
    parse_siret,
    parse_yes_no,
    strip_code_prefix,
)
from .records import AccreditationRecord, BlockRecord, CertifierRecord, ExportError, FicheRecord

# Exact header of each member, in order (docs/formats.md §2.2).
MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "Standard": (
        "Id_Fiche",
        "Numero_Fiche",
        "Intitule",
        "Abrege_Libelle",
        "Abrege_Intitule",
        "Nomenclature_Europe_Niveau",
        "Nomenclature_Europe_Intitule",
        "Accessible_Nouvelle_Caledonie",
        "Accessible_Polynesie_Francaise",
        "Date_dernier_jo",
        "Date_Decision",
        "Date_Fin_Enregistrement",
        "Date_Effet",
        "Type_Enregistrement",
        "Validation_Partielle",
        "Actif",
    ),
    "Blocs_De_Compétences": ("Numero_Fiche", "Bloc_Competences_Code", "Bloc_Competences_Libelle"),
    "Certificateurs": ("Numero_Fiche", "Siret_Certificateur", "Nom_Certificateur"),
    "Partenaires": ("Numero_Fiche", "Nom_Partenaire", "Siret_Partenaire", "Habilitation_Partenaire"),
    "Nsf": ("Numero_Fiche", "Nsf_Code", "Nsf_Intitule"),
    "Formacode": ("Numero_Fiche", "Formacode_Code", "Formacode_Libelle"),
    "Rome": ("Numero_Fiche", "Codes_Rome_Code", "Codes_Rome_Libelle"),
    "VoixdAccès": ("Numero_Fiche", "Si_Jury"),
    "CCN": (
        "Numero_Fiche",
        "Ccn_1_Numero",
        "Ccn_1_Libelle",
        "Ccn_2_Numero",
        "Ccn_2_Libelle",
        "Ccn_3_Numero",
        "Ccn_3_Libelle",
    ),
    "Ancienne_Nouvelle_Certification": ("Numero_Fiche", "Ancienne_Certification", "Nouvelle_Certification"),
}
PART_BY_HEADER = {columns: part for part, columns in MEMBER_COLUMNS.items()}
MEMBER_NAME_RE = re.compile(r"export_fiches_CSV_(?P<part>.+?)_(?P<date>\d{4}_\d{2}_\d{2})\.csv$", re.IGNORECASE)

Opener = Callable[[], IO[bytes]]


@dataclass
class CsvMember:
    part: str
    name: str  # for messages
    open: Opener
    size: int = 0  # bytes, for the progress bar


@dataclass
class CsvExport:
    """The members of one export (a zip, or loose members given together)."""

    name: str
    members: dict[str, CsvMember] = field(default_factory=dict)


def read_header(stream: IO[bytes], name: str) -> tuple[str, ...]:
    first = stream.readline(64 * 1024)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExportError(name, "encodage illisible : l'export CSV est en UTF-8.", line=1) from None
    row = next(csv.reader([text.rstrip("\r\n")], delimiter=";", quotechar='"'), None)
    if not row:
        raise ExportError(name, "fichier vide : un membre de l'export CSV commence par son en-tête.", line=1)
    return tuple(row)


def part_of_header(header: tuple[str, ...], name: str) -> str:
    part = PART_BY_HEADER.get(tuple(nfc(column.strip()) for column in header))
    if part is None:
        raise ExportError(
            name,
            "colonnes inattendues : ce fichier n'est pas un membre de l'export CSV France compétences "
            f"(en-tête lu : {';'.join(header)[:200]}).",
            line=1,
        )
    return part


def _rows(stream: IO[bytes], name: str) -> Iterator[tuple[int, list[str]]]:
    physical = 0

    def lines() -> Iterator[str]:
        # Decode line by line so that a bad byte is reported on its own line.
        nonlocal physical
        for raw in stream:
            physical += 1
            try:
                yield raw.decode("utf-8-sig" if physical == 1 else "utf-8")
            except UnicodeDecodeError:
                raise ExportError(name, "encodage illisible : l'export CSV est en UTF-8.", line=physical) from None

    reader = csv.reader(lines(), delimiter=";", quotechar='"', strict=True)
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise ExportError(name, f"CSV mal formé ({exc}).", line=reader.line_num) from None


def _member_rows(member: CsvMember) -> Iterator[tuple[int, dict[str, str]]]:
    with member.open() as stream:
        rows = _rows(stream, member.name)
        try:
            _line, header = next(rows)
        except StopIteration:
            raise ExportError(member.name, "fichier vide.", line=1) from None
        expected = MEMBER_COLUMNS[member.part]
        if tuple(nfc(column.strip()) for column in header) != expected:
            raise ExportError(
                member.name,
                f"colonnes inattendues pour le membre {member.part} : attendu {';'.join(expected)}.",
                line=1,
            )
        for line, row in rows:
            if not any(row):
                continue
            if len(row) != len(expected):
                raise ExportError(member.name, f"{len(row)} colonnes au lieu de {len(expected)}.", line=line)
            yield line, dict(zip(expected, row, strict=True))


def _fiche_code(value: str, member: CsvMember, line: int) -> str:
    try:
        return str(parse_code(clean(value)))
    except InvalidCode:
        raise ExportError(member.name, f"Numero_Fiche « {value} » invalide.", line=line) from None


def read_csv_export(export: CsvExport) -> Iterator[FicheRecord]:
    children = {part: _read_children(member) for part, member in export.members.items() if part != "Standard"}
    standard = export.members.get("Standard")
    if standard is None:
        known = sorted({code for rows in children.values() for code in rows})
        for text in known:
            yield _record(parse_code(text), export.name, None, None, children)
        return
    for line, row in _member_rows(standard):
        code = parse_code(_fiche_code(row["Numero_Fiche"], standard, line))
        try:
            base = _base(row, code.registry)
        except ValueError_ as exc:
            raise ExportError(standard.name, f"{code} : {exc}", line=line) from None
        yield _record(code, standard.name, line, base, children)


def _base(row: dict[str, str], registry: str) -> dict[str, object]:
    level_code = clean(row["Nomenclature_Europe_Niveau"])
    title = clean(row["Intitule"])
    if not title:
        raise ValueError_("Intitule manquant")
    return {
        "source_id": parse_int(row["Id_Fiche"]),
        "title": title,
        "short_title_code": clean(row["Abrege_Libelle"]),
        "short_title": clean(row["Abrege_Intitule"]),
        "level": parse_level(level_code) if registry == "rncp" else None,
        "level_code": level_code,
        "accessible_new_caledonia": parse_yes_no(row["Accessible_Nouvelle_Caledonie"]),
        "accessible_french_polynesia": parse_yes_no(row["Accessible_Polynesie_Francaise"]),
        "last_jo_date": parse_date(row["Date_dernier_jo"], "Date_dernier_jo"),
        "decision_date": parse_date(row["Date_Decision"], "Date_Decision"),
        "end_date": parse_date(row["Date_Fin_Enregistrement"], "Date_Fin_Enregistrement"),
        "effect_date": parse_date(row["Date_Effet"], "Date_Effet"),
        "registration_type": REGISTRATION_TYPE_BY_LABEL.get(
            clean(row["Type_Enregistrement"]), RegistrationType.UNKNOWN.value
        ),
        "partial_validation": parse_yes_no(row["Validation_Partielle"]),
        "declared_active": clean(row["Actif"]).upper() == "ACTIVE",
    }


def _read_children(member: CsvMember) -> dict[str, list[dict[str, str]]]:
    by_fiche: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line, row in _member_rows(member):
        by_fiche[_fiche_code(row["Numero_Fiche"], member, line)].append(row)
    return by_fiche


def _record(code, source, line, base, children) -> FicheRecord:  # type: ignore[no-untyped-def]
    key = str(code)

    def rows(part: str) -> list[dict[str, str]] | None:
        return children[part].get(key, []) if part in children else None

    record = FicheRecord(code=code, source=source, line=line, format="csv", base=base)
    if base is not None:
        if (routes := rows("VoixdAccès")) is not None:
            base["access_routes"] = _access_routes(routes)
        if (agreements := rows("CCN")) is not None:
            base["collective_agreements"] = _agreements(agreements)
    elif rows("VoixdAccès") or rows("CCN"):
        # Without the Standard member these belong to the base aspect we cannot rebuild.
        pass
    if (blocks := rows("Blocs_De_Compétences")) is not None:
        record.blocks = _blocks(blocks)
    if (certifiers := rows("Certificateurs")) is not None:
        record.certifiers = _certifiers(certifiers)
    if (partners := rows("Partenaires")) is not None:
        record.accreditations = _accreditations(partners)
    for part, attribute, code_col, label_col in (
        ("Formacode", "formacodes", "Formacode_Code", "Formacode_Libelle"),
        ("Nsf", "nsf_codes", "Nsf_Code", "Nsf_Intitule"),
        ("Rome", "rome_codes", "Codes_Rome_Code", "Codes_Rome_Libelle"),
    ):
        if (items := rows(part)) is not None:
            setattr(record, attribute, _codes(items, code_col, label_col))
    if (links := rows("Ancienne_Nouvelle_Certification")) is not None:
        record.replaces = _links(links, "Ancienne_Certification")
        record.replaced_by = _links(links, "Nouvelle_Certification")
    return record


def _blocks(rows: list[dict[str, str]]) -> list[BlockRecord]:
    # The CSV lists blocks unordered: order them by code.
    by_code = {clean(r["Bloc_Competences_Code"]): clean(r["Bloc_Competences_Libelle"]) for r in rows}
    return [
        BlockRecord(code=code, title=title, position=position)
        for position, (code, title) in enumerate(sorted(by_code.items()))
        if code
    ]


def _certifiers(rows: list[dict[str, str]]) -> list[CertifierRecord]:
    records: dict[str, CertifierRecord] = {}
    for row in rows:
        record = CertifierRecord(
            siret=parse_siret(row["Siret_Certificateur"]),
            name=clean(row["Nom_Certificateur"])[:255],
            state=AccreditationState.ACTIVE.value,
        )
        if record.name or record.siret:
            records.setdefault(record.key, record)
    return list(records.values())


def _accreditations(rows: list[dict[str, str]]) -> list[AccreditationRecord]:
    records: dict[tuple[str, str, str], AccreditationRecord] = {}
    for row in rows:
        kind = ACCREDITATION_KIND_BY_CODE.get(clean(row["Habilitation_Partenaire"]))
        if not kind:
            continue
        record = AccreditationRecord(
            siret=parse_siret(row["Siret_Partenaire"]),
            name=clean(row["Nom_Partenaire"])[:255],
            kind=kind,
            state=AccreditationState.ACTIVE.value,
        )
        records.setdefault(record.key, record)
    return sorted(records.values(), key=lambda r: r.key)


def _codes(rows: list[dict[str, str]], code_col: str, label_col: str) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for row in rows:
        code = clean(row[code_col])
        if code:
            # The Rome label doubles apostrophes (a source artefact).
            seen.setdefault(code, strip_code_prefix(row[label_col], code).replace("''", "'"))
    return sorted(seen.items())


def _links(rows: list[dict[str, str]], column: str) -> list[str]:
    codes = set()
    for row in rows:
        try:
            codes.add(str(parse_code(clean(row[column]))))
        except InvalidCode:
            continue
    return sorted(codes)


def _access_routes(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    codes = {ACCESS_ROUTE_BY_LABEL.get(clean(r["Si_Jury"]).replace("'", "’")) for r in rows}
    order = list(ACCESS_ROUTE_BY_LABEL.values())
    return [{"code": c, "jury": ""} for c in order if c in codes]


def _agreements(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    result = []
    for row in rows:
        for index in (1, 2, 3):
            number = clean(row[f"Ccn_{index}_Numero"])
            if number:
                result.append({"number": number, "label": clean(row[f"Ccn_{index}_Libelle"])})
    return result
