"""Small value parsers shared by the CSV and XML readers."""

import datetime
import re
import unicodedata

from ..enums import ACCREDITATION_STATE_BY_LABEL, AccreditationState

_LEVEL_RE = re.compile(r"^NIV([1-8])$")


class ValueError_(ValueError):
    """A value that cannot be read; the reader adds file and line."""


def clean(text: str | None) -> str:
    """Strip the export's artefacts: surrounding blanks and the TAB before SIRETs."""
    return (text or "").strip()


def parse_date(text: str | None, field: str) -> datetime.date | None:
    text = clean(text)
    if not text:
        return None
    try:
        day, month, year = (int(part) for part in text.split("/"))
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError_(f"{field} : date « {text} » illisible, attendu JJ/MM/AAAA") from None


def parse_yes_no(text: str | None) -> bool | None:
    text = clean(text).lower()
    if text in {"oui", "actif", "active"}:
        return True
    if text in {"non", "inactif", "inactive"}:
        return False
    return None


def parse_level(text: str | None) -> int | None:
    """`NIV7` → 7; `REPRISE`, `AUCUN` and empty (old CQP, RS) → no level (REG-2 tolerance)."""
    match = _LEVEL_RE.match(clean(text).upper())
    return int(match.group(1)) if match else None


def parse_siret(text: str | None) -> str:
    """Digits only; anything else is dropped (the data has certifiers without SIRET)."""
    digits = re.sub(r"\D", "", text or "")
    return digits if len(digits) == 14 else ""


def parse_state(text: str | None) -> str:
    return ACCREDITATION_STATE_BY_LABEL.get(clean(text), AccreditationState.ACTIVE.value)


def parse_int(text: str | None) -> int | None:
    text = clean(text)
    return int(text) if text.isdigit() else None


def strip_code_prefix(label: str, code: str) -> str:
    """CSV labels repeat the code: `221w : Commercialisation…` → `Commercialisation…`."""
    label = clean(label)
    prefix = f"{code} : "
    return label[len(prefix) :] if label.startswith(prefix) else label


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
