"""Parsing and formatting of certification and block codes (REG-1, REG-4, REG-11).

A person may type `35748`, `RNCP35748`, `rncp 35748` or `RS2203`; the registry either comes
from the prefix or from the registry the person chose. Codes in the real data are tolerated
as they are (`RNCP32198BC1`), but `normalise_code` only accepts well-formed certification codes.
"""

import re
from dataclasses import dataclass

from .enums import Registry

_CODE_RE = re.compile(r"^\s*(RNCP|RS)?\s*0*(\d{1,7})\s*$", re.IGNORECASE)
_BLOCK_RE = re.compile(r"^(RNCP|RS)(\d+)BC(\d{2})$")


@dataclass(frozen=True)
class CertificationCode:
    registry: Registry
    number: int

    def __str__(self) -> str:
        return f"{self.registry.prefix}{self.number}"


class InvalidCode(ValueError):
    """The text is not a certification code (REG-1)."""


def parse_code(text: str, registry: Registry | str | None = None) -> CertificationCode:
    """Read a certification code; digits alone need `registry` (REG-1, REG-11).

    >>> str(parse_code("rncp35748"))
    'RNCP35748'
    >>> str(parse_code("2203", Registry.RS))
    'RS2203'
    """
    match = _CODE_RE.match(text or "")
    if not match:
        raise InvalidCode(
            f"« {text} » n'est pas un code de certification : attendu RNCP ou RS suivi de chiffres "
            "(par exemple RNCP35748 ou RS2203)."
        )
    prefix, digits = match.groups()
    number = int(digits)
    if number == 0:
        raise InvalidCode(f"« {text} » n'est pas un code de certification : le numéro ne peut pas être 0.")
    if prefix:
        found = Registry.RNCP if prefix.upper() == "RNCP" else Registry.RS
        if registry and Registry(registry) != found:
            raise InvalidCode(
                f"« {text} » appartient au répertoire {found.label}, pas au répertoire {Registry(registry).label}."
            )
        return CertificationCode(found, number)
    if not registry:
        raise InvalidCode(f"« {text} » : précisez le répertoire (RNCP ou RS) ou saisissez le code complet.")
    return CertificationCode(Registry(registry), number)


def candidate_codes(text: str) -> list[str]:
    """Codes a lookup should try: `35748` may be RNCP35748 or RS35748 (REG-11)."""
    try:
        return [str(parse_code(text))]
    except InvalidCode:
        pass
    try:
        return [str(parse_code(text, registry)) for registry in Registry]
    except InvalidCode:
        return []


def is_canonical_block_code(block_code: str, certification_code: str) -> bool:
    """REG-4: a block code is the certification code + `BC` + two digits."""
    match = _BLOCK_RE.match(block_code or "")
    return bool(match) and block_code.startswith(certification_code + "BC")


def france_competences_url(code: CertificationCode) -> str:
    """Public page of a fiche on France compétences' site (REG-5)."""
    kind = "rncp" if code.registry is Registry.RNCP else "rs"
    return f"https://www.francecompetences.fr/recherche/{kind}/{code.number}/"
