"""May this training organisation prepare this certification today? (ACC-6, ACC-7, REG-6)

One answer for the offers, the API and the pages, with the reason when not.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from parcours.core.errors import DomainError
from parcours.core.outbox import CERTIFICATION, announce
from parcours.registry.enums import AccreditationKind, AccreditationState
from parcours.registry.models import (
    Accreditation,
    AccreditationSource,
    Certification,
    Certifier,
    paris_today,
)

from .models import Entity, User
from .rules import check_siret

TRAINING_KINDS = [AccreditationKind.TRAIN, AccreditationKind.TRAIN_AND_ORGANISE]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str = ""
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def accreditations_of(siret: str, certification: Certification, on: datetime.date) -> QuerySet[Accreditation]:
    """Habilitations to train (not only to organise the evaluation) in force on `on`."""
    return certification.accreditations.filter(
        siret=siret, kind__in=TRAINING_KINDS, state=AccreditationState.ACTIVE
    ).filter((Q(starts_on__isnull=True) | Q(starts_on__lte=on)) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on)))


def is_certifier_of(siret: str, certification: Certification) -> bool:
    return certification.certifier_links.filter(certifier__siret=siret, state=AccreditationState.ACTIVE).exists()


_decisions: ContextVar[dict[tuple[int, int, datetime.date], "Decision"] | None] = ContextVar(
    "habilitation_decisions", default=None
)


@contextmanager
def remembered_decisions() -> Iterator[None]:
    """Within a batch (a catalogue import), answer each (organisation, certification, day) once."""
    token = _decisions.set({})
    try:
        yield
    finally:
        _decisions.reset(token)


def may_prepare(entity: Entity, certification: Certification, on: datetime.date | None = None) -> Decision:
    on = on or paris_today()
    cache = _decisions.get()
    if cache is None:
        return _decide(entity, certification, on)
    key = (entity.pk, certification.pk, on)
    if key not in cache:
        cache[key] = _decide(entity, certification, on)
    return cache[key]


def _decide(entity: Entity, certification: Certification, on: datetime.date) -> Decision:
    if not certification.is_active(on):
        return Decision(
            False,
            "REG-6",
            f"La certification {certification.code} est inactive (fin d'enregistrement le "
            f"{certification.end_date:%d/%m/%Y})."
            if certification.end_date
            else f"La certification {certification.code} est inactive.",
        )
    if not entity.is_training_organisation:
        return Decision(False, "ACC-8", f"{entity.name} n'est pas déclaré comme organisme de formation.")
    if not entity.qualiopi_valid_on(on):
        return Decision(
            False,
            "ACC-6",
            f"{entity.name} ne détient pas de certification Qualiopi « actions de formation » valide au {on:%d/%m/%Y}.",
        )
    if not entity.siret:
        return Decision(
            False, "ACC-7", f"{entity.name} n'a pas de SIRET : aucune habilitation ne peut lui être rattachée."
        )
    if is_certifier_of(entity.siret, certification) or accreditations_of(entity.siret, certification, on).exists():
        return Decision(True)
    return Decision(
        False,
        "ACC-7",
        f"{entity.name} (SIRET {entity.siret}) n'est ni certificateur ni partenaire habilité à préparer "
        f"la certification {certification.code}.",
    )


def certifier_of_entity(entity: Entity) -> Certifier | None:
    return Certifier.objects.filter(siret=entity.siret).first() if entity.siret else None


def certifications_of_certifier(entity: Entity) -> QuerySet[Certification]:
    """The certifications an entity awards: matched by SIRET to the registry's certifiers."""
    if not entity.siret:
        return Certification.objects.none()
    return Certification.objects.filter(certifier_links__certifier__siret=entity.siret).distinct()


def grant_accreditation(
    certifier_entity: Entity,
    certification: Certification,
    *,
    siret: str,
    name: str,
    kind: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    actor: User,
) -> Accreditation:
    """A certifier declares a partner (ACC-7)."""
    if not certifications_of_certifier(certifier_entity).filter(pk=certification.pk).exists():
        raise DomainError(
            f"{certifier_entity.name} n'est pas certificateur de {certification.code}.",
            rule="ACC-7",
            field="certification",
        )
    siret = check_siret(siret)
    if kind not in AccreditationKind.values:
        raise DomainError("Choisissez le type d'habilitation.", rule="ACC-7", field="kind")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError("La fin de l'habilitation précède son début.", rule="ACC-7", field="ends_on")
    partner_name = name.strip() or (Entity.objects.filter(siret=siret).values_list("name", flat=True).first() or "")
    if not partner_name:
        raise DomainError("Indiquez le nom de l'organisme partenaire.", rule="ACC-7", field="name")
    with transaction.atomic():
        announce(CERTIFICATION, [certification.pk])
        accreditation, _created = Accreditation.objects.update_or_create(
            certification=certification,
            source=AccreditationSource.CERTIFIER,
            siret=siret,
            name=partner_name[:255],
            kind=kind,
            defaults={
                "granted_by": certifier_of_entity(certifier_entity),
                "state": AccreditationState.ACTIVE,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "active_since": starts_on,
            },
        )
    return accreditation


def end_accreditation(accreditation: Accreditation, on: datetime.date, actor: User) -> Accreditation:
    """Ends a partner's habilitation the given day (ACC-7)."""
    if accreditation.source != AccreditationSource.CERTIFIER:
        raise DomainError(
            "Cette habilitation vient du répertoire France compétences : elle se modifie auprès de France compétences.",
            rule="ACC-7",
            field="accreditation",
        )
    accreditation.ends_on = on
    accreditation.state = AccreditationState.INACTIVE if on <= paris_today() else accreditation.state
    accreditation.state_changed_on = on
    with transaction.atomic():
        accreditation.save()
        announce(CERTIFICATION, [accreditation.certification_id])
    return accreditation
