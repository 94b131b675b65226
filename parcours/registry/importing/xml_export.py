"""Reader of France compétences' XML export V4.1 (`FICHES/FICHE`), streamed.

Memory stays flat: each FICHE is read with `iterparse`, turned into a record and cleared
along with the siblings before it. No DTD, no entity, no network: an export never has them,
so a DOCTYPE is refused outright (entity bombs, external entities).
"""

import hashlib
from collections.abc import Iterator
from typing import IO

from lxml import etree

from ..codes import InvalidCode, parse_code
from ..enums import (
    ACCESS_ROUTES,
    ACCREDITATION_KIND_BY_CODE,
    FICHE_STATE_BY_LABEL,
    REGISTRATION_TYPE_BY_LABEL,
    FicheState,
    RegistrationType,
)
from .parsing import (
    ValueError_,
    clean,
    parse_date,
    parse_int,
    parse_level,
    parse_siret,
    parse_state,
    parse_yes_no,
)
from .records import AccreditationRecord, BlockRecord, CertifierRecord, ExportError, FicheRecord

_PROLOGUE_BYTES = 4096


def check_prologue(head: bytes, name: str) -> None:
    """Refuse what no export contains and what could attack the parser."""
    upper = head.upper()
    found = [position for position in (upper.find(b"<!DOCTYPE"), upper.find(b"<!ENTITY")) if position >= 0]
    if found:
        raise ExportError(
            name,
            "déclaration DOCTYPE ou ENTITY refusée : un export France compétences n'en contient "
            "pas (protection contre les entités externes et les bombes d'entités).",
            line=head[: min(found)].count(b"\n") + 1,
        )


def read_xml_export(stream: IO[bytes], name: str, known: dict[str, str] | None = None) -> Iterator[FicheRecord]:
    """Yield one record per FICHE; raise ExportError on anything that is not an export.

    `known` maps codes to the raw hash of their last XML import: a FICHE whose bytes did not
    change is yielded as `unchanged` without being read field by field.
    """
    known = known or {}
    events = etree.iterparse(
        stream,
        events=("end",),
        tag="FICHE",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )
    checked = False
    try:
        for _event, element in events:
            if not checked:
                _check_root(events.root, name)  # type: ignore[attr-defined]
                checked = True
            parent = element.getparent()
            if parent is not None and parent.getparent() is None:  # only FICHES/FICHE
                yield _read_fiche(element, name, known)
            element.clear()
            while element.getprevious() is not None:
                del parent[0]
        _check_root(events.root, name)  # type: ignore[attr-defined]
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        if "encoding" in (exc.msg or "").lower() or "utf-8" in (exc.msg or "").lower():
            message = "encodage illisible : le fichier n'est pas en UTF-8 comme il le déclare."
        else:
            message = f"XML mal formé ou tronqué ({exc.msg})."
        raise ExportError(name, message, line=line) from None
    except UnicodeDecodeError:
        raise ExportError(name, "encodage illisible : un export XML est en UTF-8.") from None


def _check_root(root: etree._Element | None, name: str) -> None:
    if root is not None and root.tag != "FICHES":
        raise ExportError(
            name,
            f"élément racine <{root.tag}> : un export XML France compétences commence par <FICHES>.",
            line=root.sourceline,
        )


def _text(element: etree._Element, path: str) -> str:
    return clean(element.findtext(path))


def _read_fiche(fiche: etree._Element, name: str, known: dict[str, str]) -> FicheRecord:
    line = fiche.sourceline
    raw_code = _text(fiche, "NUMERO_FICHE")
    try:
        code = parse_code(raw_code)
    except InvalidCode:
        raise ExportError(name, f"FICHE sans NUMERO_FICHE valide (« {raw_code} »).", line=line) from None
    digest = hashlib.blake2b(etree.tostring(fiche), digest_size=12).hexdigest()
    if known.get(str(code)) == digest:
        return FicheRecord(code=code, source=name, line=line, raw_digest=digest, unchanged=True)
    try:
        record = _build_record(fiche, code, name, line)
    except ValueError_ as exc:
        raise ExportError(name, f"{code} : {exc}", line=line) from None
    record.raw_digest = digest
    return record


def _fields(element: etree._Element) -> dict[str, str]:
    """The text of each direct child, in one pass (cheaper than a findtext per field)."""
    return {child.tag: (child.text or "").strip() for child in element}


def _build_record(fiche, code, name, line) -> FicheRecord:  # type: ignore[no-untyped-def]
    children = {child.tag: child for child in fiche}
    texts = {tag: (child.text or "").strip() for tag, child in children.items()}
    t = lambda tag: texts.get(tag, "")  # noqa: E731

    def sub(tag: str, field: str) -> str:
        element = children.get(tag)
        return _text(element, field) if element is not None else ""

    level_code = sub("NOMENCLATURE_EUROPE", "NIVEAU")
    base = {
        "source_id": parse_int(t("ID_FICHE")),
        "title": t("INTITULE"),
        "short_title_code": sub("ABREGE", "CODE"),
        "short_title": sub("ABREGE", "LIBELLE"),
        "level": parse_level(level_code) if code.registry == "rncp" else None,
        "level_code": level_code,
        "fiche_state": FICHE_STATE_BY_LABEL.get(t("ETAT_FICHE"), FicheState.UNKNOWN.value),
        "registration_type": REGISTRATION_TYPE_BY_LABEL.get(t("TYPE_ENREGISTREMENT"), RegistrationType.UNKNOWN.value),
        "partial_validation": parse_yes_no(t("VALIDATION_PARTIELLE")),
        "declared_active": parse_yes_no(t("ACTIF")) is True,
        "end_date": parse_date(t("DATE_FIN_ENREGISTREMENT"), "DATE_FIN_ENREGISTREMENT"),
        "effect_date": parse_date(t("DATE_EFFET"), "DATE_EFFET"),
        "decision_date": parse_date(t("DATE_DECISION"), "DATE_DECISION"),
        "last_jo_date": parse_date(t("DATE_DERNIER_JO"), "DATE_DERNIER_JO"),
        "publication_date": parse_date(t("DATE_DE_PUBLICATION"), "DATE_DE_PUBLICATION"),
        "delivery_deadline": parse_date(t("DATE_LIMITE_DELIVRANCE"), "DATE_LIMITE_DELIVRANCE"),
        "registration_years": parse_int(t("DUREE_ENREGISTREMENT")),
        "description_url": t("LIEN_URL_DESCRIPTION"),
        "accessible_new_caledonia": parse_yes_no(t("ACCESSIBLE_NOUVELLE_CALEDONIE")),
        "accessible_french_polynesia": parse_yes_no(t("ACCESSIBLE_POLYNESIE_FRANCAISE")),
        "activities": t("ACTIVITES_VISEES"),
        "capacities": t("CAPACITES_ATTESTEES"),
        "sectors": t("SECTEURS_ACTIVITE"),
        "job_types": t("TYPE_EMPLOI_ACCESSIBLES"),
        "regulations": t("REGLEMENTATIONS_ACTIVITES"),
        "objectives_context": t("OBJECTIFS_CONTEXTE"),
        "entry_prerequisites": t("PREREQUIS_ENTREE_FORMATION"),
        "validation_prerequisites": t("PREREQUIS_VALIDATION_CERTIFICATION"),
        "partial_validation_scope": t("VALIDATION_PARTIELLE_PERIMETRE"),
        "access_routes": _access_routes(children),
        "collective_agreements": _collective_agreements(children),
        "block_correspondences": _correspondences(fiche),
    }
    if not base["title"]:
        raise ValueError_("INTITULE manquant")
    return FicheRecord(
        code=code,
        source=name,
        line=line,
        base=base,
        # Only FICHE/BLOCS_COMPETENCES/BLOC_COMPETENCES: those under CORRESPONDANCES are
        # equivalences with other fiches' blocks, not blocks of this fiche.
        blocks=[
            BlockRecord(
                code=_text(block, "CODE"),
                title=_text(block, "LIBELLE"),
                competences=_text(block, "LISTE_COMPETENCES"),
                evaluation=_text(block, "MODALITES_EVALUATION"),
                entry_prerequisites=_text(block, "PREREQUIS_ENTREE_FORMATION_BLOC"),
                validation_prerequisites=_text(block, "PREREQUIS_VALIDATION_BLOC"),
                position=position,
            )
            for position, block in enumerate(fiche.iterfind("BLOCS_COMPETENCES/BLOC_COMPETENCES"))
            if _text(block, "CODE")
        ],
        certifiers=_certifiers(fiche),
        accreditations=_accreditations(fiche),
        formacodes=_codes(fiche, "FORMACODES/FORMACODE"),
        nsf_codes=_codes(fiche, "CODES_NSF/NSF"),
        rome_codes=_codes(fiche, "CODES_ROME/ROME"),
        replaced_by=_linked(fiche, "NOUVELLES_CERTIFICATIONS/NOUVELLE_CERTIFICATION/ID_FICHE_NOUVELLE_CERTIFICATION"),
        replaces=_linked(fiche, "ANCIENNES_CERTIFICATIONS/ANCIENNE_CERTIFICATION/ID_FICHE_ANCIENNE_CERTIFICATION"),
    )


def _codes(fiche, path: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    seen: dict[str, str] = {}
    for item in fiche.iterfind(path):
        code = _text(item, "CODE")
        if code:
            # Older flux used INTITULE for NSF labels.
            seen.setdefault(code, _text(item, "LIBELLE") or _text(item, "INTITULE"))
    return sorted(seen.items())


def _linked(fiche, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    codes = set()
    for item in fiche.iterfind(path):
        try:
            codes.add(str(parse_code(clean(item.text))))
        except InvalidCode:
            continue  # tolerate a broken link end; the rest of the fiche is good
    return sorted(codes)


def _certifiers(fiche) -> list[CertifierRecord]:  # type: ignore[no-untyped-def]
    records: dict[str, CertifierRecord] = {}
    for item in fiche.iterfind("CERTIFICATEURS/CERTIFICATEUR"):
        record = CertifierRecord(
            siret=parse_siret(item.findtext("SIRET_CERTIFICATEUR")),
            name=_text(item, "NOM_CERTIFICATEUR")[:255],
            state=parse_state(item.findtext("ETAT_CERTIFICATEUR")),
            state_changed_on=parse_date(
                item.findtext("DATE_DERNIERE_MODIFICATION_ETAT"), "DATE_DERNIERE_MODIFICATION_ETAT"
            ),
        )
        if record.name or record.siret:
            records.setdefault(record.key, record)
    return list(records.values())


def _accreditations(fiche) -> list[AccreditationRecord]:  # type: ignore[no-untyped-def]
    records: dict[tuple[str, str, str], AccreditationRecord] = {}
    for item in fiche.iterfind("PARTENAIRES/PARTENAIRE"):
        f = _fields(item)
        kind = ACCREDITATION_KIND_BY_CODE.get(f.get("HABILITATION_PARTENAIRE", ""))
        if not kind:
            continue
        record = AccreditationRecord(
            siret=parse_siret(f.get("SIRET_PARTENAIRE")),
            name=f.get("NOM_PARTENAIRE", "")[:255],
            kind=kind,
            state=parse_state(f.get("ETAT_HABILITATION")),
            active_since=parse_date(f.get("DATE_ACTIF"), "DATE_ACTIF"),
            state_changed_on=parse_date(f.get("DATE_DERNIERE_MODIFICATION_ETAT"), "DATE_DERNIERE_MODIFICATION_ETAT"),
        )
        records.setdefault(record.key, record)
    return sorted(records.values(), key=lambda r: r.key)


def _access_routes(children) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    routes = []
    for tag, (code, _label) in ACCESS_ROUTES.items():
        element = children.get(tag)
        if element is not None and parse_yes_no(element.findtext("ACTIF")):
            routes.append({"code": code, "jury": _text(element, "COMPOSITION")})
    return routes


def _collective_agreements(children) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    agreements = []
    for index in (1, 2, 3):
        element = children.get(f"CCN_{index}")
        number = _text(element, "NUMERO") if element is not None else ""
        if number:
            agreements.append({"number": number, "label": _text(element, "LIBELLE")})
    return agreements


def _correspondences(fiche) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return [
        {
            "block": _text(item, "SOURCE/BLOC_COMPETENCES/CODE"),
            "fiche": _text(item, "DESTINATION/NUMERO_FICHE"),
            "other_block": _text(item, "DESTINATION/BLOC_COMPETENCES/CODE"),
        }
        for item in fiche.iterfind("CORRESPONDANCES/CORRESPONDANCE")
    ]
