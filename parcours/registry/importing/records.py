"""What the readers hand to the import service: one record per fiche, format-free.

An aspect left as `None` is one the source does not carry (a CSV member missing, or the CSV's
lack of competences): the import leaves that part of the fiche as it is.
"""

import datetime
import hashlib
import pickle
from dataclasses import dataclass, field
from typing import Any

from ..codes import CertificationCode


class ExportError(Exception):
    """The file is not a France compétences export, or is damaged. Names the file and line."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}, ligne {line}" if line else path
        super().__init__(f"{where} : {message}")


@dataclass(frozen=True)
class BlockRecord:
    code: str
    title: str
    # None when the source does not carry the text (CSV): keep what the database has.
    competences: str | None = None
    evaluation: str | None = None
    entry_prerequisites: str | None = None
    validation_prerequisites: str | None = None
    position: int = 0


@dataclass(frozen=True)
class CertifierRecord:
    siret: str
    name: str
    state: str
    state_changed_on: datetime.date | None = None

    @property
    def key(self) -> str:
        return self.siret or "NOM:" + " ".join(self.name.upper().split())[:250]


@dataclass(frozen=True)
class AccreditationRecord:
    siret: str
    name: str
    kind: str
    state: str
    active_since: datetime.date | None = None
    state_changed_on: datetime.date | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.siret, self.name, self.kind)


@dataclass
class FicheRecord:
    code: CertificationCode
    source: str  # file name, for messages
    line: int | None
    format: str = "xml"  # "xml" or "csv": each format keeps its own hashes
    # Hash of the FICHE's raw XML: equal to the stored one, the fiche is not even read (fast path).
    raw_digest: str = ""
    unchanged: bool = False
    base: dict[str, Any] | None = None
    blocks: list[BlockRecord] | None = None
    certifiers: list[CertifierRecord] | None = None
    accreditations: list[AccreditationRecord] | None = None
    formacodes: list[tuple[str, str]] | None = None
    nsf_codes: list[tuple[str, str]] | None = None
    rome_codes: list[tuple[str, str]] | None = None
    replaced_by: list[str] | None = None
    replaces: list[str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    ASPECTS = (
        "base",
        "blocks",
        "certifiers",
        "accreditations",
        "formacodes",
        "nsf_codes",
        "rome_codes",
        "replacements",
    )

    def aspect(self, name: str) -> Any:
        if name == "replacements":
            if self.replaced_by is None and self.replaces is None:
                return None
            return (sorted(self.replaced_by or []), sorted(self.replaces or []))
        return getattr(self, name)

    def fingerprints(self) -> dict[str, str]:
        """A short hash of each aspect the source carries (idempotency fast path).

        Keyed by format: the same fiche in a CSV and an XML export says different things
        (the CSV has no competences), and re-importing either must change nothing.
        """
        result = {}
        for name in self.ASPECTS:
            value = self.aspect(name)
            if value is None:
                continue
            result[f"{self.format}:{name}"] = _digest(value)
        if self.raw_digest:
            result[f"{self.format}:raw"] = self.raw_digest
        return result


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _canonical(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        # Records hold only scalars: a flat tuple, without astuple's deep copy.
        return tuple(getattr(value, name) for name in value.__dataclass_fields__)
    return value


def _digest(value: Any) -> str:
    # Records are built in a fixed order (sorted lists, dicts filled in code order), so their
    # pickle is stable for a given Python; a new Python only costs one full re-diff.
    return hashlib.blake2b(pickle.dumps(value, protocol=5), digest_size=10).hexdigest()
