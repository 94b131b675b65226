"""Reading an EDOF catalogue import file (EDO-4, OFF-18): safe parsing, XSD v5r2, one record per formation.

The file is streamed: lxml's iterparse hands over each `formation` once parsed; it is validated
alone against the XSD (`formation` is a global element of the schema, so every error is found,
with its line), mapped to a `FormationRecord` and cleared. The two levels above it (`lheo`,
`offres`) are checked by hand as the schema says. Memory stays flat whatever the file's size.

Safety: a DOCTYPE (hence any ENTITY declaration: entity bombs, external entities) is refused
before the parser sees the file; the parser itself never resolves entities, never loads a DTD,
never uses the network, and keeps libxml2's size limits (`huge_tree=False`).

Each formation's mapping to Parcours' values is in `records.py`.
"""

import codecs
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from .common import EDOF_NS, Issue, edof_schema, local_name, q
from .messages import syntax_issue, xsd_issues
from .records import FormationRecord, read_formation

PROLOG_LIMIT = 1 << 20  # the XML declaration and comments before the root: 1 MB is plenty
ACCEPTED_ENCODINGS = {
    "iso-8859-1",
    "iso8859-1",
    "iso_8859-1",
    "latin-1",
    "latin1",
    "utf-8",
    "utf8",
    "us-ascii",
    "ascii",
}
FORMATION, OFFRES, EXTRAS = q("formation"), q("offres"), q("extras")

_PROLOG_SKIP = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.S | re.I)
_XML_DECL = re.compile(rb"<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']", re.S)


# -- the file as a whole ---------------------------------------------------------------------------
def open_source(source: bytes | str | Path | IO[bytes]) -> tuple[str, bytes | Path]:
    """A name for messages, and bytes or a path (so that the file can be read twice: prolog, then body)."""
    if isinstance(source, bytes | bytearray):
        return "fichier transmis", bytes(source)
    if isinstance(source, str | Path):
        return Path(source).name, Path(source)
    name = Path(getattr(source, "name", "") or "fichier transmis").name
    return name, source.read()


def check_prolog(head: bytes) -> Issue | None:
    """Refuse, before parsing, what an EDOF file never has: a DOCTYPE (thus entities) or another encoding."""
    refused_encoding = (
        "encodage non pris en charge : un fichier d'import EDOF est en ISO-8859-1 (ou en UTF-8), "
        'déclaré en tête : <?xml version="1.0" encoding="ISO-8859-1"?>'
    )
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        b"\x00" in head[:4]
    ):
        return Issue(refused_encoding, line=1, rule="EDO-4")
    pos = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    declaration = _XML_DECL.match(head, pos)
    if declaration and declaration[1].decode("ascii").lower() not in ACCEPTED_ENCODINGS:
        return Issue(f"{refused_encoding} (déclaré : {declaration[1].decode('ascii')})", line=1, rule="EDO-4")
    while (skipped := _PROLOG_SKIP.match(head, pos)) and skipped.end() > pos:
        pos = skipped.end()
    line = head.count(b"\n", 0, pos) + 1
    if head[pos : pos + 2] == b"<!" and head[pos : pos + 4] != b"<!--":
        doctype = _DOCTYPE.match(head, pos)
        declarations = (doctype[0] if doctype else head[pos : pos + 65536]).upper()
        details = []
        if b"<!ENTITY" in declarations:
            details.append("il déclare des entités (<!ENTITY>), refusées : risque de « bombe » d'entités")
        if b" SYSTEM" in declarations or b" PUBLIC" in declarations:
            details.append(
                "il désigne une DTD ou une entité externe (SYSTEM/PUBLIC), refusée : risque de lecture de fichiers"
            )
        return Issue(
            "déclaration <!DOCTYPE> refusée : un fichier d'import EDOF n'a ni DTD ni entités"
            + (f" ; {' ; '.join(details)}" if details else ""),
            line=line,
            element="!DOCTYPE",
            rule="EDO-4",
        )
    if len(head) >= PROLOG_LIMIT and head[pos : pos + 1] != b"<":
        return Issue("début de fichier trop long avant l'élément <lheo> (plus de 1 Mo)", line=line, rule="EDO-4")
    return None


class EdofReader:
    """`for record in EdofReader(source).formations(): …`; problems found on the way are in `.issues`.

    Records of formations the XSD refuses are not yielded (their errors are in `.issues`); a record
    may carry its own mapping problems (`record.issues`, and those of its actions and sessions).
    """

    def __init__(self, source: bytes | str | Path | IO[bytes]):
        self.name, self._data = open_source(source)
        self.issues: list[Issue] = []
        self.formation_count = 0
        self._numeros: set[str] = set()

    def _stream(self) -> IO[bytes]:
        return io.BytesIO(self._data) if isinstance(self._data, bytes) else open(self._data, "rb")

    def formations(self) -> Iterator[FormationRecord]:
        with self._stream() as stream:
            problem = check_prolog(stream.read(PROLOG_LIMIT))
            if problem:
                self.issues.append(problem)
                return
            stream.seek(0)
            yield from self._parse(stream)

    def _parse(self, stream: IO[bytes]) -> Iterator[FormationRecord]:
        etree.clear_error_log()
        context = etree.iterparse(
            stream,
            events=("start", "end"),
            tag=("{*}lheo", FORMATION),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        root = None
        try:
            for event, element in context:
                if root is None:
                    root = element.getroottree().getroot()
                    if not self._check_root(root):
                        return
                if event == "end" and element.tag == FORMATION and self._is_top_formation(element, root):
                    record = self._read_formation(element)
                    element.clear(keep_tail=True)
                    if record is not None:
                        yield record
        except etree.XMLSyntaxError as exc:
            last = exc.error_log.last_error if exc.error_log else None
            message, line = (last.message, last.line) if last is not None else (exc.msg, exc.lineno)
            self.issues.append(syntax_issue(message, line))
            return
        if root is None:  # no event: no <lheo> root, nor any formation
            root = context.root
            if root is None or not self._check_root(root):
                return
        self._check_skeleton(root)

    # -- the two levels above the formations (the XSD, by hand) ----------------------------------
    def _check_root(self, root: Any) -> bool:
        namespace = etree.QName(root).namespace or ""
        if local_name(root.tag) == "lheo" and namespace == EDOF_NS:
            return True
        if namespace != EDOF_NS:
            said = f"« {namespace} »" if namespace else "aucun"
            message = (
                f"espace de noms {said} : un fichier d'import EDOF déclare "
                f'<lheo xmlns="{EDOF_NS}"> (les fichiers LHÉO 2.2 ou 2.3 ne sont pas des fichiers d\'import EDOF)'
            )
        else:
            message = "élément racine inattendu : un fichier d'import EDOF commence par <lheo>"
        self.issues.append(Issue(message, line=root.sourceline, element=local_name(root.tag), rule="EDO-4"))
        return False

    def _is_top_formation(self, element: Any, root: Any) -> bool:
        """A formation directly under lheo/offres; the ones before it are done and dropped (memory)."""
        parent = element.getparent()
        if parent is None or parent.tag != OFFRES or parent.getparent() is not root:
            return False  # misplaced: the enclosing formation's validation reports it
        self.formation_count += 1
        while (previous := element.getprevious()) is not None:
            if previous.tag != FORMATION:
                self._unexpected(previous, "<formation> ou, après les formations, <extras>")
            parent.remove(previous)
        return True

    def _unexpected(self, element: Any, expected: str) -> None:
        self.issues.append(
            Issue(
                f"élément inattendu à cet endroit ; attendu ici : {expected}",
                line=element.sourceline,
                element=local_name(element.tag),
                rule="EDO-4",
            )
        )

    def _check_skeleton(self, root: Any) -> None:
        for name in root.attrib:
            self.issues.append(
                Issue(f"l'attribut « {name} » n'est pas admis ici", line=root.sourceline, element="lheo", rule="EDO-4")
            )
        children = list(root)
        if not children or children[0].tag != OFFRES:
            self.issues.append(
                Issue("il manque un élément obligatoire : <offres>", line=root.sourceline, element="lheo", rule="EDO-4")
            )
        for child in children[1:] if children and children[0].tag == OFFRES else children:
            self._check_extras(child, "<extras>")
        if children and children[0].tag == OFFRES:
            offres = children[0]
            for child in offres:  # what follows the last formation (the ones before were checked)
                self._check_extras(child, "<formation> ou <extras>")
            if self.formation_count == 0:
                self.issues.append(
                    Issue(
                        "il manque un élément obligatoire : <formation> (le fichier ne contient aucune offre)",
                        line=offres.sourceline,
                        element="offres",
                        rule="EDO-4",
                    )
                )
        for holder in [root, *children[:1]]:
            texts = [holder.text, *(child.tail for child in holder)]
            if any(text and text.strip() for text in texts):
                self.issues.append(
                    Issue(
                        "du texte n'est pas admis ici : cet élément ne contient que des éléments",
                        line=holder.sourceline,
                        element=local_name(holder.tag),
                        rule="EDO-4",
                    )
                )

    def _check_extras(self, element: Any, expected: str) -> None:
        if element.tag == FORMATION:
            return
        if element.tag != EXTRAS:
            self._unexpected(element, expected)
        elif not edof_schema().validate(element):
            self.issues.extend(xsd_issues(edof_schema().error_log))

    # -- one formation -------------------------------------------------------------------------
    def _read_formation(self, element: Any) -> FormationRecord | None:
        numero = (element.get("numero") or "").strip()
        where = f"formation « {numero} »" if numero else f"formation de la ligne {element.sourceline}"
        schema = edof_schema()
        if not schema.validate(element):
            self.issues.extend(xsd_issues(schema.error_log, where))
            return None
        return read_formation(element, numero, where, self._numeros)
