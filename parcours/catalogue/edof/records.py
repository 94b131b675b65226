"""One EDOF `formation` (valid against the XSD) as plain records: the offer, its actions and sessions.

Mapping (file → Parcours), decided here once:

| EDOF | Parcours |
| --- | --- |
| formation@numero, action@numero, session@numero | `internal_id` of the offer, action, session (OFF-7) |
| `certification/code-RNCP`, `code-RS` | certifying offer (Cléa when RS2203/RS3936, OFF-20) |
| `certification/code-CPF` | offer type by `TYPE_BY_CPF_CODE` (CPF202 bilan, CPF200 VAE) |
| `intitule-formation`, `objectif-formation`, `resultats-attendus`, `contenu-formation` | title, pedagogical objectives, expected results, content |
| `extras formation/resume-contenu` | strengths (points forts, OFF-12) |
| `extras blocs-competences/code-bloc`, `blocs-modifiables` | prepared blocks, customisable (OFF-3, OFF-4) |
| `parcours-de-formation` 1–4 | course type 96213, 96211, 96212, 96214 (EDO-5) |
| `modalites-enseignement` 0/1/2 | on site / blended / remote |
| `lieu-de-formation/coordonnees/adresse` | place: first `ligne` = place name; street = extras numero-voie, code-nature-voie, libelle-voie (else the other lignes); codepostal; ville |
| `nombre-heures-centre`, `nombre-heures-entreprise` | hours in centre, in company |
| `extras frais-pedagogiques` taux-tva, frais-ht, frais-ttc | VAT rate, price excl. VAT, price incl. VAT |
| `extras frais-certif-inclus-frais-anpec` | exam fees included |
| `conditions-specifiques` (LHÉO: « conditions spécifiques et prérequis ») | prerequisites, none when `existence-prerequis` is 0 |
| `extras info-admission` | admission conditions |
| `extras modalites-handicap` (else `acces-handicapes` unless 0/1) | accessibility |
| `extras contact-information/coordonnees` | contact name (prénom nom), e-mail, phone |
| `periode/debut`, `periode/fin` (AAAAMMJJ) | session start, end |
| `etat-recrutement` 1/2 | enrolment open / closed |
| `adresse-inscription/adresse` | registration address, « lignes, street, code postal ville » |

Not kept (Parcours has no field for them): datecrea/datemaj, objectif-general-formation,
niveau-entree-obligatoire, modalites-entrees-sorties, url-action, adresse-information,
date-information, restauration, hebergement, transport, langue-formation, modalites-recrutement,
modalites-pedagogiques, périmètre de recrutement, the CPF codes (gfe, type-horaires, rythme,
modalités d'admission, categorisation-offre), duree-apprentissage (our duration is the hours),
geolocation, the session extras (contact-inscription, garantie, modalités particulières).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ..enums import COURSE_TYPE_BY_LHEO, LONG_TEXT_MAX
from ..services import price_with_vat
from .common import (
    DEFAULT_ADDRESS,
    DEFAULT_FIRST_LINE,
    ENROLMENT_BY_CODE,
    MODALITY_BY_CODE,
    NO_DATES,
    PLACEHOLDER_EMAIL,
    PLACEHOLDER_NAME,
    PLACEHOLDER_PHONE,
    Issue,
    local_name,
    q,
)

ID_MAX = 64  # internal identifiers of offers, actions and sessions (models)
MONEY_MAX = Decimal("9999999.99")  # DecimalField(max_digits=9, decimal_places=2)
EXTRAS, LIGNE, CODEPOSTAL, VILLE = q("extras"), q("ligne"), q("codepostal"), q("ville")
ACTION, SESSION = q("action"), q("session")
PLACE = f"{q('lieu-de-formation')}/{q('coordonnees')}/{q('adresse')}"
REGISTRATION = f"{q('adresse-inscription')}/{q('adresse')}"
PERIOD = {"starts_on": f"{q('periode')}/{q('debut')}", "ends_on": f"{q('periode')}/{q('fin')}"}
SIRET_PATH = f"{q('organisme-formation-responsable')}/{q('SIRET-organisme-formation')}/{q('SIRET')}"


@dataclass
class Source:
    """Where a value was read: for messages."""

    line: int | None
    element: str


@dataclass
class Record:
    numero: str
    line: int | None
    where: str
    tag = ""
    values: dict[str, Any] = field(default_factory=dict)
    # name → Source, or (line, tag, info) kept raw until a message needs it (reading stays cheap)
    sources: dict[str, Any] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def source(self, name: str) -> Source:
        found = self.sources.get(name)
        if found is None:
            return Source(self.line, self.tag)
        if isinstance(found, tuple):
            line, tag, info = found
            name = local_name(tag)
            return Source(line, f'{name} info="{info}"' if info and name in ("extra", "extras") else name)
        return found

    def set(self, name: str, value: Any, element: Any) -> None:
        self.values[name] = value
        if element is not None:
            self.sources[name] = (element.sourceline, element.tag, element.get("info"))

    def error(self, message: str, element: Any = None, rule: str = "EDO-4", name: str = "") -> None:
        source = Source(element.sourceline, describe(element)) if element is not None else self.source(name)
        self.issues.append(Issue(message, line=source.line, element=source.element, rule=rule, where=self.where))

    def warn(self, message: str, element: Any = None, rule: str = "") -> None:
        line, name = (element.sourceline, describe(element)) if element is not None else (self.line, self.tag)
        self.warnings.append(Issue(message, line=line, element=name, rule=rule, where=self.where))


@dataclass
class SessionRecord(Record):
    tag = "session"


@dataclass
class ActionRecord(Record):
    tag = "action"
    sessions: list[SessionRecord] = field(default_factory=list)


@dataclass
class FormationRecord(Record):
    tag = "formation"
    siret: str = ""
    siret_source: Source | None = None
    registry: str = ""  # RNCP, RS or CPF: the child of <certification>
    code: str = ""  # as written: RNCP40344, RS6604, CPF202
    block_codes: list[str] | None = None  # None: the file lists no blocks
    blocks_customisable: bool | None = None
    actions: list[ActionRecord] = field(default_factory=list)


def describe(element: Any) -> str:
    """`extra` elements are told apart by their info: `extra info="frais-ht"`."""
    name = local_name(element.tag)
    info = element.get("info")
    return f'{name} info="{info}"' if info and name in ("extra", "extras") else name


def text_of(element: Any) -> str:
    if element is None:
        return ""
    if not len(element):  # a leaf: the usual case
        return (element.text or "").strip()
    return "".join(element.itertext()).strip()


def extras_by_info(extras: Any) -> dict[str, Any]:
    """The direct `extra`/`extras` children of an `extras`, by their info (the first one wins)."""
    found: dict[str, Any] = {}
    if extras is not None:
        for child in extras:
            info = child.get("info")
            if info and info not in found:
                found[info] = child
    return found


def read_formation(element: Any, numero: str, where: str, seen: set[str]) -> FormationRecord:
    """The records of one formation; `seen`: the numeros of the file's formations so far (OFF-7)."""
    record = FormationRecord(numero=numero, line=element.sourceline, where=where)
    _check_numero(record, element, seen, "offre du fichier")
    _read_offer_values(record, element)
    actions: set[str] = set()
    for action in element.iterfind(ACTION):
        record.actions.append(_read_action(action, record, actions))
    siret = element.find(SIRET_PATH)
    record.siret = text_of(siret)
    record.siret_source = Source(siret.sourceline, "SIRET")
    return record


def _check_numero(record: Record, element: Any, seen: set[str], what: str) -> None:
    if not record.numero:
        record.error("l'attribut « numero » (identifiant interne) est vide", element, rule="OFF-7")
    elif len(record.numero) > ID_MAX:
        record.error(
            f"identifiant interne trop long : {len(record.numero)} caractères pour {ID_MAX} au plus",
            element,
            rule="OFF-7",
        )
    elif record.numero in seen:
        record.error(
            f"identifiant interne « {record.numero} » déjà utilisé par une autre {what}", element, rule="OFF-7"
        )
    seen.add(record.numero)


def _read_offer_values(record: FormationRecord, element: Any) -> None:
    record.set("internal_id", record.numero, element)
    for name, tag in (
        ("title", "intitule-formation"),
        ("pedagogical_objectives", "objectif-formation"),
        ("expected_results", "resultats-attendus"),
        ("content", "contenu-formation"),
    ):
        child = element.find(q(tag))
        record.set(name, text_of(child), child)
    course = element.find(q("parcours-de-formation"))
    record.set("course_type", COURSE_TYPE_BY_LHEO[text_of(course)].value, course)
    code = element.find(q("certification"))[0]
    record.registry, record.code = local_name(code.tag).removeprefix("code-").upper(), text_of(code)
    record.sources["code"] = Source(code.sourceline, local_name(code.tag))
    extras = extras_by_info(element.find(EXTRAS))
    strengths = extras.get("resume-contenu")
    record.set("strengths", text_of(strengths), strengths)
    blocks = extras.get("blocs-competences")
    if blocks is not None:
        codes = [text_of(child) for child in blocks if child.get("info") == "code-bloc" and text_of(child)]
        record.block_codes = list(dict.fromkeys(codes))
        record.sources["blocks"] = Source(blocks.sourceline, describe(blocks))
    customisable = extras.get("blocs-modifiables")
    if customisable is not None:
        record.blocks_customisable = _flag(record, customisable)
        record.sources["blocks_customisable"] = Source(customisable.sourceline, describe(customisable))


def _flag(record: Record, element: Any) -> bool | None:
    value = text_of(element)
    if value in ("0", "1"):
        return value == "1"
    record.error(f"valeur « {value} » non admise ; valeurs possibles : 0, 1", element)
    return None


def _read_action(element: Any, formation: FormationRecord, seen: set[str]) -> ActionRecord:
    numero = (element.get("numero") or "").strip()
    record = ActionRecord(numero=numero, line=element.sourceline, where=f"{formation.where} > action « {numero} »")
    _check_numero(record, element, seen, "action de la formation")
    record.set("internal_id", numero, element)
    modality = element.find(q("modalites-enseignement"))
    record.set("modality", MODALITY_BY_CODE[text_of(modality)].value, modality)
    _read_place(record, element.find(PLACE))
    for name, tag in (("hours_in_centre", "nombre-heures-centre"), ("hours_in_company", "nombre-heures-entreprise")):
        child = element.find(q(tag))
        hours = int(text_of(child)) if child is not None else 0
        if not 0 <= hours < 2**31:
            record.error(f"nombre d'heures « {hours} » impossible : un entier positif est attendu", child)
        record.set(name, hours, child)
    extras = extras_by_info(element.find(EXTRAS))
    _read_prices(record, extras)
    exam_fees = extras.get("frais-certif-inclus-frais-anpec")
    if exam_fees is not None:
        record.set("exam_fees_included", _flag(record, exam_fees), exam_fees)
    _read_texts(record, element, extras)
    contact = extras.get("contact-information")
    _read_contact(record, contact.find(q("coordonnees")) if contact is not None else None)
    sessions: set[str] = set()
    for session in element.iterfind(SESSION):
        record.sessions.append(_read_session(session, record, sessions))
    return record


STREET_PARTS = ("numero-voie", "code-nature-voie", "libelle-voie")


def _street(address: Any) -> str:
    parts = extras_by_info(address.find(EXTRAS))
    return " ".join(text for text in (text_of(parts.get(name)) for name in STREET_PARTS) if text)


def _address_parts(address: Any) -> tuple[list[str], str, str, str]:
    """(lignes, street, postal code, city) of an <adresse>, Parcours' defaults taken out (see common.py)."""
    if address is None or address.get("numero") == DEFAULT_ADDRESS:
        return [], "", "", ""
    lines = [text_of(line) for line in address.iterfind(LIGNE)]
    if address.get("numero") == DEFAULT_FIRST_LINE:
        lines[0] = ""
    return lines, _street(address), text_of(address.find(CODEPOSTAL)), text_of(address.find(VILLE))


def _read_place(record: ActionRecord, address: Any) -> None:
    lines, street, postal_code, city = _address_parts(address)
    record.set("place_name", lines[0] if lines else "", address)
    record.set("address", street or ", ".join(line for line in lines[1:] if line), address)
    record.set("postal_code", postal_code, address)
    record.set("city", city, address)
    _limit(record, "address", 255, address)


def _read_prices(record: ActionRecord, extras: dict[str, Any]) -> None:
    fees = extras_by_info(extras.get("frais-pedagogiques"))
    amounts: dict[str, Decimal] = {}
    for name, info, default in (
        ("vat_rate", "taux-tva", Decimal("20")),
        ("price_excl_vat", "frais-ht", Decimal("0")),
        ("price_incl_vat", "frais-ttc", None),
    ):
        child = fees.get(info)
        amount = _money(record, child) if child is not None else default
        if amount is None and default is not None:
            amount = default
        if amount is not None:
            amounts[name] = amount
            record.set(name, amount, child)
    if "price_incl_vat" not in amounts:  # no frais-ttc: computed as the form does
        record.values["price_incl_vat"] = price_with_vat(amounts["price_excl_vat"], amounts["vat_rate"])


def _money(record: Record, element: Any) -> Decimal | None:
    raw = text_of(element)
    try:
        amount = Decimal(raw.replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        record.error(f"montant « {raw} » illisible : un nombre est attendu (par exemple 500.50)", element)
        return None
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX or amount != amount.quantize(Decimal("0.01")):
        record.error(f"montant « {raw} » impossible : positif, au plus {MONEY_MAX}, deux décimales au plus", element)
        return None
    return amount


def _read_texts(record: ActionRecord, element: Any, extras: dict[str, Any]) -> None:
    conditions = element.find(q("conditions-specifiques"))
    prerequisites = text_of(conditions)
    exists = extras.get("existence-prerequis")
    if exists is not None and _flag(record, exists) is False and prerequisites:
        record.warn(
            "existence-prerequis vaut 0 : l'action est enregistrée sans prérequis, le texte de "
            "<conditions-specifiques> n'est pas repris",
            exists,
        )
        prerequisites = ""
    record.set("prerequisites", prerequisites, conditions)
    admission = extras.get("info-admission")
    record.set("admission_conditions", text_of(admission), admission)
    handicap = extras.get("modalites-handicap")
    if handicap is None:
        handicap = element.find(q("acces-handicapes"))
    accessibility = text_of(handicap)
    record.set("accessibility", "" if accessibility in ("0", "1") else accessibility, handicap)
    for name in ("admission_conditions", "accessibility"):
        _limit(record, name, LONG_TEXT_MAX, None)


def _read_contact(record: ActionRecord, coordinates: Any) -> None:
    if coordinates is None:
        for name in ("contact_name", "contact_email", "contact_phone"):
            record.values[name] = ""
        return
    names = [text_of(coordinates.find(q(tag))) for tag in ("prenom", "nom")]
    record.set("contact_name", " ".join(n for n in names if n and n != PLACEHOLDER_NAME), coordinates)
    email_element = coordinates.find(q("courriel"))
    email = text_of(email_element)
    email = "" if email == PLACEHOLDER_EMAIL else email
    if email:
        try:
            validate_email(email)
        except ValidationError:
            record.error(f"adresse électronique « {email} » invalide", email_element)
    record.set("contact_email", email, email_element)
    phone_element = coordinates.find(f"{q('telfixe')}/{q('numtel')}")
    if phone_element is None:
        phone_element = coordinates.find(f"{q('portable')}/{q('numtel')}")
    phone = text_of(phone_element)
    record.set("contact_phone", "" if phone == PLACEHOLDER_PHONE else phone, phone_element)
    _limit(record, "contact_name", 150, coordinates)


def _read_session(element: Any, action: ActionRecord, seen: set[str]) -> SessionRecord:
    numero = (element.get("numero") or "").strip()
    record = SessionRecord(numero=numero, line=element.sourceline, where=f"{action.where} > session « {numero} »")
    _check_numero(record, element, seen, "session de l'action")
    record.set("internal_id", numero, element)
    for name, path in PERIOD.items():
        child = element.find(path)
        record.set(name, _date(record, child), child)
    state = element.find(q("etat-recrutement"))
    record.set("enrolment_state", ENROLMENT_BY_CODE[text_of(state)].value, state)
    address = element.find(REGISTRATION)
    lines, street, postal_code, city = _address_parts(address)
    parts = [*(line for line in lines if line), street, f"{postal_code} {city}".strip()]
    record.set("registration_address", ", ".join(part for part in parts if part), address)
    _limit(record, "registration_address", 255, address)
    return record


def _date(record: Record, element: Any) -> datetime.date | None:
    raw = text_of(element)
    if not raw or raw in NO_DATES:
        return None
    try:
        return datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        record.error(f"date « {raw} » impossible : attendu AAAAMMJJ (par exemple 20270101)", element)
        return None


def _limit(record: Record, name: str, limit: int, element: Any) -> None:
    value = record.values.get(name) or ""
    if len(value) > limit:
        record.error(f"texte trop long : {len(value)} caractères pour {limit} au plus", element, name=name)
