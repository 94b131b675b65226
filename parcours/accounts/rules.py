"""Checks on what people type or upload (ACC-2, ACC-3, ACC-8), with French messages."""

import datetime
from typing import IO

from django.conf import settings
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siret as siret_number

from parcours.core.errors import DomainError

# Content signatures: a file is what its bytes say, never what its name says.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def check_siret(value: str, field: str = "siret") -> str:
    """ACC-2: 14 digits, no spaces, a valid Luhn key (python-stdnum)."""
    value = value or ""
    if value != value.strip() or " " in value:
        raise DomainError("Le SIRET s'écrit sans espaces : 14 chiffres à la suite.", rule="ACC-2", field=field)
    try:
        return str(siret_number.validate(value))
    except (InvalidLength, InvalidFormat):
        raise DomainError(
            f"Le SIRET « {value} » doit comporter exactement 14 chiffres.", rule="ACC-2", field=field
        ) from None
    except InvalidChecksum:
        raise DomainError(
            f"Le SIRET « {value} » n'est pas valide : sa clé de contrôle est fausse. Vérifiez la saisie.",
            rule="ACC-2",
            field=field,
        ) from None


def check_nda(value: str, field: str = "nda") -> str:
    """ACC-8: the declaration-of-activity number has 11 characters."""
    value = (value or "").strip()
    if len(value) != 11 or not value.isalnum():
        raise DomainError(
            "Le numéro de déclaration d'activité comporte 11 caractères (chiffres), sans espaces.",
            rule="ACC-8",
            field=field,
        )
    return value


def months_before(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    # Clamp the day to the target month's length (31 May - 3 months → 28/29 February).
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def check_mandate_date(signed_on: datetime.date | None, today: datetime.date, field: str = "mandate_date") -> None:
    """ACC-3: the mandate is dated less than 3 months ago (and not in the future)."""
    if signed_on is None:
        raise DomainError("Indiquez la date du mandat.", rule="ACC-3", field=field)
    if signed_on > today:
        raise DomainError("La date du mandat ne peut pas être dans le futur.", rule="ACC-3", field=field)
    limit = months_before(today, 3)
    if signed_on <= limit:
        raise DomainError(
            f"Le mandat doit dater de moins de 3 mois : daté du {signed_on:%d/%m/%Y}, "
            f"il devait être postérieur au {limit:%d/%m/%Y}.",
            rule="ACC-3",
            field=field,
        )


def sniff_document(stream: IO[bytes], size: int, field: str) -> str:
    """ACC-3 uploads: PDF or image, checked by content, size-limited. Returns the content type."""
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise DomainError(
            f"Le fichier fait {size / 1_000_000:.1f} Mo : la taille maximale est de {limit // 1_000_000} Mo.",
            rule="ACC-3",
            field=field,
        )
    position = stream.tell()
    head = stream.read(16)
    stream.seek(position)
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    raise DomainError(
        "Le fichier n'est ni un PDF ni une image (PNG, JPEG) : son contenu ne correspond pas, quel que soit son nom.",
        rule="ACC-3",
        field=field,
    )
