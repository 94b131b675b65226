"""libxml2's English messages (well-formedness, XSD) said in French, keeping the element and the line."""

import re
from collections.abc import Callable, Iterable

from .common import Issue

# Rules behind the schema's limits, so that an XSD error on these elements cites them.
RULE_BY_ELEMENT = {
    "intitule-formation": "OFF-8",
    "objectif-formation": "OFF-10",
    "contenu-formation": "OFF-11",
    "resultats-attendus": "OFF-13",
    "parcours-de-formation": "OFF-14",
    "certification": "EDO-4",
    "code-RNCP": "REG-1",
    "code-RS": "REG-1",
}
LABEL_BY_ELEMENT = {
    "intitule-formation": "L'intitulé de la formation",
    "objectif-formation": "Les objectifs pédagogiques",
    "contenu-formation": "Le contenu de la formation",
    "resultats-attendus": "Les résultats attendus",
    "parcours-de-formation": "Le type de parcours",
    "conditions-specifiques": "Les prérequis",
    "SIRET": "Le SIRET",
    "debut": "La date de début",
    "fin": "La date de fin",
}
TYPE_LABELS = {
    "long": "un nombre entier",
    "integer": "un nombre entier",
    "int": "un nombre entier",
    "decimal": "un nombre",
    "date": "une date",
    "dateTime": "une date et une heure",
    "anyURI": "une adresse web",
}

_ELEMENT_RE = re.compile(
    r"^Element '(?:\{[^}]*\})?(?P<name>[^']+)'(?:, attribute '(?P<attr>[^']+)')?: (?P<rest>.*)$", re.S
)
_NS_RE = re.compile(r"\{[^}]*\}")


def _names(expected: str) -> str:
    """`( {ns}a, {ns}b )` → `<a>, <b>`."""
    names = [_NS_RE.sub("", part).strip() for part in expected.split(",")]
    return ", ".join(f"<{name}>" for name in names if name and name != "##other")


def _length(found: str, limit: str, over: bool) -> str:
    if over:
        return f"texte trop long : {found} caractères pour {limit} au plus"
    if found == "0":
        return "valeur vide : ce champ est obligatoire"
    return f"valeur trop courte : {found} caractère(s) pour {limit} au moins"


XSD_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"This element is not expected\. Expected is (?:one of )?\( (.*) \)\."),
        lambda m: f"élément inattendu à cet endroit ; attendu ici : {_names(m[1])}",
    ),
    (re.compile(r"This element is not expected\."), lambda m: "élément inattendu à cet endroit"),
    (
        re.compile(r"Missing child element\(s\)\. Expected is (?:one of )?\( (.*) \)\."),
        lambda m: f"il manque un élément obligatoire : {_names(m[1])}",
    ),
    (
        re.compile(r"\[facet 'maxLength'\] The value has a length of '(\d+)'; this exceeds .* of '(\d+)'\."),
        lambda m: _length(m[1], m[2], over=True),
    ),
    (
        re.compile(r"\[facet 'minLength'\] The value has a length of '(\d+)'; this underruns .* of '(\d+)'\."),
        lambda m: _length(m[1], m[2], over=False),
    ),
    (
        re.compile(r"\[facet 'length'\] The value has a length of '(\d+)'; this differs from .* of '(\d+)'\."),
        lambda m: f"longueur incorrecte : {m[1]} caractère(s), exactement {m[2]} attendu(s)",
    ),
    (
        re.compile(r"\[facet 'enumeration'\] The value '(.*)' is not an element of the set \{(.*)\}\.", re.S),
        lambda m: f"valeur « {m[1]} » non admise ; valeurs possibles : {m[2].replace(chr(39), '')}",
    ),
    (
        re.compile(r"\[facet 'pattern'\] The value '(.*)' is not accepted by the pattern '(.*)'\.", re.S),
        lambda m: f"valeur « {m[1]} » mal formée (forme attendue : {m[2]})",
    ),
    (
        re.compile(
            r"'(.*)' is not a valid value of the (?:local )?(?:atomic|union|list) type(?: '(?:xs:)?([^']*)')?\.", re.S
        ),
        lambda m: (
            f"valeur « {m[1]} » invalide" + (f" : {TYPE_LABELS[m[2]]} est attendu" if m[2] in TYPE_LABELS else "")
        ),
    ),
    (
        re.compile(r"The attribute '(.*)' is required but missing\."),
        lambda m: f"l'attribut obligatoire « {m[1]} » manque",
    ),
    (re.compile(r"The attribute '(.*)' is not allowed\."), lambda m: f"l'attribut « {m[1]} » n'est pas admis ici"),
    (
        re.compile(r"Character content other than whitespace is not allowed"),
        lambda m: "du texte n'est pas admis ici : cet élément ne contient que des éléments",
    ),
    (
        re.compile(r"Element content is not allowed, because the content type is a simple type"),
        lambda m: "cet élément contient une valeur simple, pas d'éléments",
    ),
    (
        re.compile(r"No matching global declaration available for the validation root\."),
        lambda m: "élément racine inconnu du schéma EDOF (attendu : <lheo>)",
    ),
]


def translate_xsd_error(message: str) -> tuple[str, str]:
    """One libxml2 XSD message → (element name, French explanation). Unknown messages are kept, prefixed."""
    match = _ELEMENT_RE.match(message.strip())
    element, attribute, rest = (match["name"], match["attr"], match["rest"]) if match else ("", None, message)
    for pattern, say in XSD_PATTERNS:
        found = pattern.search(rest)
        if found:
            text = say(found)
            break
    else:
        text = f"non conforme au schéma EDOF ({rest.strip()})"
    if attribute and "attribut" not in text:
        text = f"attribut « {attribute} » : {text}"
    label = LABEL_BY_ELEMENT.get(element)
    if label and text.startswith(("texte trop long", "valeur vide", "valeur trop courte", "valeur «")):
        text = f"{label} : {text}"
    return element, text


def xsd_issues(errors: Iterable[object], where: str = "") -> list[Issue]:
    """XSD errors of one validation as issues, in file order, without libxml2's follow-up repeats.

    A facet error is followed by « 'x' is not a valid value of the local atomic type »: same line,
    same element, nothing new; it is dropped.
    """
    issues: list[Issue] = []
    seen: set[tuple[int, str]] = set()
    for error in errors:
        element, text = translate_xsd_error(error.message)  # type: ignore[attr-defined]
        line = error.line  # type: ignore[attr-defined]
        key = (line, element)
        if key in seen and text.startswith("valeur «") and "invalide" in text:
            continue
        seen.add(key)
        issues.append(Issue(text, line=line, element=element, rule=RULE_BY_ELEMENT.get(element, "EDO-4"), where=where))
    return issues


SYNTAX_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[str, str]]]] = [
    (
        re.compile(r"Premature end of data in tag (\S+) line (\d+)"),
        lambda m: (m[1], f"fichier tronqué : la balise <{m[1]}> ouverte ligne {m[2]} n'est jamais fermée"),
    ),
    (
        re.compile(r"Couldn't find end of Start Tag (\S+)"),
        lambda m: (m[1], f"balise <{m[1]}> inachevée (fichier tronqué ou « > » manquant)"),
    ),
    (
        re.compile(r"Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)"),
        lambda m: (m[3], f"la balise fermante </{m[3]}> ne correspond pas à la balise <{m[1]}> ouverte ligne {m[2]}"),
    ),
    (re.compile(r"Extra content at the end of the document"), lambda m: ("", "contenu après la fin du document")),
    (
        re.compile(r"Start tag expected, '<' not found|Document is empty|no element found"),
        lambda m: ("", "le fichier est vide ou n'est pas un fichier XML"),
    ),
    (
        re.compile(r"xmlParseEntityRef: no name|EntityRef: expecting ';'"),
        lambda m: ("", "caractère « & » non échappé : écrivez &amp;"),
    ),
    (
        re.compile(r"Entity '(.*)' not defined"),
        lambda m: (
            "",
            f"entité « &{m[1]}; » inconnue : les entités ne sont pas admises (écrivez le caractère lui-même)",
        ),
    ),
    (
        re.compile(r"Invalid bytes in character encoding|Input is not proper UTF-8"),
        lambda m: (
            "",
            "octets invalides pour l'encodage déclaré : un fichier EDOF est en ISO-8859-1 "
            '(<?xml version="1.0" encoding="ISO-8859-1"?>) ou en UTF-8',
        ),
    ),
    (
        re.compile(r"invalid Char value (\d+)|Char 0x(\w+) out of allowed range"),
        lambda m: ("", "caractère interdit en XML (caractère de contrôle)"),
    ),
    (
        re.compile(r"AttValue: \" or ' expected|attributes construct error|Specification mandates value"),
        lambda m: ("", "attribut mal écrit : sa valeur doit être entre guillemets"),
    ),
    (re.compile(r"expected '>'"), lambda m: ("", "balise inachevée : « > » attendu (fichier tronqué ?)")),
]


def syntax_issue(message: str, line: int | None) -> Issue:
    """A well-formedness error (lxml XMLSyntaxError) in French."""
    message = re.sub(r", line \d+, column \d+$", "", message.strip())
    for pattern, say in SYNTAX_PATTERNS:
        found = pattern.search(message)
        if found:
            element, text = say(found)
            break
    else:
        element, text = "", f"XML mal formé ({message})"
    if not text.startswith("le fichier"):
        text = f"le fichier n'est pas un XML bien formé : {text}"
    return Issue(text, line=line or None, element=element, rule="EDO-4")
