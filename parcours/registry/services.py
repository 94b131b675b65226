"""Reading the registry: lookups and searches used by the pages, the API and later apps."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from parcours.core.text import fold

from .codes import candidate_codes
from .enums import Registry
from .models import (
    Certification,
    CertificationCertifier,
    CertificationQuerySet,
    CompetenceBlock,
    Replacement,
)


class CertificationNotFound(Exception):
    def __init__(self, text: str):
        self.text = text
        super().__init__(f"Aucune certification ne porte le code « {text} » au RNCP ni au Répertoire spécifique.")


@dataclass(frozen=True)
class CertificationFilters:
    q: str = ""
    registry: str = ""
    level: int | None = None
    active: bool | None = None


def search_certifications(filters: CertificationFilters, on: datetime.date | None = None) -> CertificationQuerySet:
    """Code (with or without prefix, REG-11) or words, accent-insensitive; registry, level, active (REG-6)."""
    queryset = Certification.objects.all()
    text = filters.q.strip()
    if text:
        codes = candidate_codes(text)
        words = fold(text).split()
        by_words = Q()
        for word in words:
            by_words &= Q(search_text__contains=word)
        queryset = queryset.filter(Q(code__in=codes) | by_words) if codes else queryset.filter(by_words)
    if filters.registry:
        queryset = queryset.filter(registry=Registry(filters.registry))
    if filters.level is not None:
        queryset = queryset.filter(level=filters.level)
    if filters.active is True:
        queryset = queryset.active(on)
    elif filters.active is False:
        queryset = queryset.inactive(on)
    return queryset.order_by("registry", "-number")


def get_certification(text: str) -> Certification:
    """Lookup by `35748`, `RNCP35748`, `rncp35748`, `RS2203`… with everything a fiche shows (REG-5)."""
    codes = candidate_codes(text)
    certification = (
        Certification.objects.filter(code__in=codes)
        .prefetch_related(
            Prefetch("blocks", queryset=CompetenceBlock.objects.order_by("position", "code")),
            Prefetch(
                "certifier_links",
                queryset=CertificationCertifier.objects.select_related("certifier").order_by("position"),
            ),
            "formacodes",
            "nsf_codes",
            "rome_codes",
        )
        .order_by("registry")
        .first()
    )
    if certification is None:
        raise CertificationNotFound(text)
    return certification


@dataclass(frozen=True)
class ReplacementLinks:
    replaced_by: list[str]
    replaces: list[str]


def replacement_links(certification: Certification) -> ReplacementLinks:
    """REG-7: codes replacing this one and codes it replaces, whichever end declared them."""
    links = Replacement.objects.filter(Q(old_code=certification.code) | Q(new_code=certification.code))
    replaced_by = sorted(link.new_code for link in links if link.old_code == certification.code)
    replaces = sorted(link.old_code for link in links if link.new_code == certification.code)
    return ReplacementLinks(replaced_by=replaced_by, replaces=replaces)


def known_codes(codes: list[str]) -> set[str]:
    return set(Certification.objects.filter(code__in=codes).values_list("code", flat=True))
