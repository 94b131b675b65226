"""What the EDOF reader and writers share: namespaces, schemas, code tables, Parcours' markers, issues."""

import functools
from dataclasses import dataclass

from django.conf import settings
from lxml import etree

from ..enums import EnrolmentState, Modality

EDOF_NS = "https://www.of.moncompteformation.gouv.fr"  # EDO-4
LHEO_NS = "http://lheo.gouv.fr/2.3"  # EDO-5
EDOF_XSD = settings.DATA_DIR / "edof" / "lheo_import_fichier_xml_optimise_v5r2.xsd"
LHEO_XSD = settings.DATA_DIR / "lheo" / "lheo-2.3.xsd"


def q(name: str, ns: str = EDOF_NS) -> str:
    """Clark notation of an element of the EDOF namespace: `q("action")` → `{https://…}action`."""
    return f"{{{ns}}}{name}"


def local_name(tag: object) -> str:
    return str(tag).rpartition("}")[2]


@functools.cache
def edof_schema() -> etree.XMLSchema:
    """The CDC's XSD v5r2, loaded once per process (data/edof/, never the network)."""
    return _load_schema(str(EDOF_XSD))


@functools.cache
def lheo_schema() -> etree.XMLSchema:
    return _load_schema(str(LHEO_XSD))


def _load_schema(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(path, parser))


# -- code tables (LHÉO dictionaries, as EDOF uses them) --------------------------------------------
# dict-modalites-enseignement: 0 entièrement présentielle, 1 mixte, 2 entièrement à distance.
MODALITY_BY_CODE = {"0": Modality.ON_SITE, "1": Modality.BLENDED, "2": Modality.REMOTE}
CODE_BY_MODALITY = {modality: code for code, modality in MODALITY_BY_CODE.items()}
# dict-etat-recrutement: 1 ouvert, 2 fermé (EDOF has no 3 « suspendu »; LHÉO has).
ENROLMENT_BY_CODE = {"1": EnrolmentState.OPEN, "2": EnrolmentState.CLOSED}
LHEO_CODE_BY_ENROLMENT = {EnrolmentState.OPEN: "1", EnrolmentState.CLOSED: "2", EnrolmentState.SUSPENDED: "3"}
# LHÉO date conventions: 00000000 unknown, 99999999 permanent: both read as « no date ».
NO_DATES = {"00000000", "99999999"}

# -- Parcours' own markers ----------------------------------------------------------------------
# EDOF requires elements Parcours may have no data for (an enrolment address, a contact's phone…).
# The writers fill them with these values, and the reader reads them back as « not given », so
# that export → import gives back the same catalogue. They are plain values, valid for the XSD.
DEFAULT_ADDRESS = "parcours-defaut"  # numero of an <adresse> made up entirely of defaults
DEFAULT_FIRST_LINE = "parcours-ligne-defaut"  # numero of an <adresse> whose first <ligne> is a default
PLACEHOLDER_NAME = "-"  # <nom>/<prenom> unknown
PLACEHOLDER_PHONE = "0000000000"  # <numtel> unknown
PLACEHOLDER_EMAIL = "non-renseigne@example.invalid"  # <courriel> unknown (RFC 2606 reserved domain)


@dataclass
class Issue:
    """One problem found in a file: where (line, element, which formation/action/session), what, which rule."""

    message: str
    line: int | None = None
    element: str = ""
    rule: str = ""
    where: str = ""

    def location(self) -> str:
        parts = []
        if self.line:
            parts.append(f"ligne {self.line}")
        if self.element:
            parts.append(f"élément <{self.element}>")
        if self.where:
            parts.append(self.where)
        return ", ".join(parts)

    def __str__(self) -> str:
        location = self.location()
        rule = f" ({self.rule})" if self.rule and f"({self.rule})" not in self.message else ""
        return f"{location} : {self.message}{rule}" if location else f"{self.message}{rule}"

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "element": self.element,
            "where": self.where,
            "rule": self.rule,
            "message": self.message,
        }
