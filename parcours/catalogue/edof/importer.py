"""Importing an EDOF catalogue file into an organisation's catalogue (OFF-18, EDO-4): all or nothing.

`import_catalogue(file, organisation)` reads the file formation by formation (`reader.py`) and
writes through the catalogue's services only, so the import obeys the form's rules: habilitation
and Qualiopi (OFF-2, ACC-6, ACC-7), blocks (OFF-3 to OFF-5), text limits (OFF-8 to OFF-13),
duplicate actions (EDO-4), validation (OFF-15).

- One transaction. Every problem is collected (line, element, French message, rule); if there is
  one, or on a dry run, everything is rolled back at the end: the database is as before.
- Offers, actions and sessions are matched by `numero` (their internal identifier): a known one
  is compared with the file first and saved only when something differs, so importing the same
  file twice changes nothing the second time. Nothing is deleted: offers, actions and sessions
  absent from the file stay (the report says so).
- Each formation carries its organisation's SIRET: it must be the importing organisation's.
- An offer whose data is complete is validated (transition « validate »), else left as a draft;
  the report lists which, and why.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction

from parcours.accounts.habilitations import remembered_decisions
from parcours.accounts.models import Entity, User
from parcours.accounts.rules import check_siret
from parcours.core.errors import DomainError
from parcours.registry.models import Certification

from ..enums import CLEA_CODES, TYPE_BY_CPF_CODE, OfferStatus, OfferType
from ..models import Action, Offer, Session
from ..services import (
    OfferInput,
    build_session,
    change_blocks,
    create_offer,
    create_sessions,
    find_certification,
    save_action,
    save_session,
    transition_offer,
    update_offer,
    validation_errors,
)
from .common import Issue
from .reader import EdofReader
from .records import ActionRecord, FormationRecord, Record

SAMPLE_SIRET = "12312312300000"  # the CDC sample's placeholder: its Luhn key is wrong
LISTED_MAX = 50  # items listed per section of the report's text (all are in the report object)
# Where to point when a service's error names a field the file does not carry as such.
FALLBACK_FIELD = {"blocks_customisable": "blocks", "blocks": "code", "version": "internal_id", "status": "internal_id"}


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def text(self) -> str:
        return f"{self.created} créée(s), {self.updated} modifiée(s), {self.unchanged} inchangée(s)"


@dataclass
class CatalogueImportReport:
    source: str
    organisation: str
    dry_run: bool = False
    formations: int = 0
    offers: Counts = field(default_factory=Counts)
    actions: Counts = field(default_factory=Counts)
    sessions: Counts = field(default_factory=Counts)
    validated: list[str] = field(default_factory=list)
    drafts: dict[str, list[str]] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self, with_source: bool = False, limit: int | None = LISTED_MAX) -> list[str]:
        """The report in French; `with_source` prefixes each error with the file's name."""
        lines = [
            f"Catalogue « {self.source} » pour {self.organisation} : {self.formations} formation(s) lue(s).",
            f"Offres : {self.offers.text()}.",
            f"Actions : {self.actions.text()}.",
            f"Sessions : {self.sessions.text()}.",
        ]
        if self.validated:
            lines.append(f"Offres validées ({len(self.validated)}) : {_listed(self.validated, limit)}.")
        if self.drafts:
            lines.append(f"Offres laissées en brouillon, incomplètes ({len(self.drafts)}) :")
            lines += _bullets([f"{numero} : {' '.join(reasons)}" for numero, reasons in self.drafts.items()], limit)
        if self.warnings:
            lines.append(f"Avertissements ({len(self.warnings)}) :")
            lines += _bullets([str(warning) for warning in self.warnings], limit)
        if self.errors:
            lines.append(f"Import refusé : {len(self.errors)} erreur(s) ; la base n'a pas été modifiée.")
            prefix = f"{self.source}, " if with_source else ""
            lines += _bullets([f"{prefix}{error}" for error in self.errors], limit)
        elif self.dry_run:
            lines.append("Simulation (--dry-run) : le fichier est accepté ; rien n'a été enregistré.")
        else:
            lines.append("Import enregistré.")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "formations": self.formations,
            "offers": vars(self.offers),
            "actions": vars(self.actions),
            "sessions": vars(self.sessions),
            "validated": len(self.validated),
            "drafts": len(self.drafts),
            "errors": [error.as_dict() for error in self.errors],
            "warnings": len(self.warnings),
            "written": self.written,
        }


def _listed(items: list[str], limit: int | None) -> str:
    more = len(items) - limit if limit is not None else 0
    return ", ".join(items[:limit]) + (f" … et {more} autre(s)" if more > 0 else "")


def _bullets(items: list[str], limit: int | None) -> list[str]:
    more = len(items) - limit if limit is not None else 0
    return [f"  - {item}" for item in items[:limit]] + ([f"  … et {more} autre(s)"] if more > 0 else [])


class _Rollback(Exception):
    """Leaves the import's transaction: errors were found, or it is a dry run."""


def import_catalogue(
    source: bytes | str | Path | IO[bytes],
    organisation: Entity,
    actor: User | None = None,
    dry_run: bool = False,
) -> CatalogueImportReport:
    """Import an EDOF file into `organisation`'s catalogue; the report says what was (or would be) done.

    Nothing is written when `report.errors` is not empty, nor on a dry run (`report.written`).
    """
    reader = EdofReader(source)
    report = CatalogueImportReport(
        source=reader.name, organisation=f"{organisation.name} (SIRET {organisation.siret or 'aucun'})", dry_run=dry_run
    )
    if not organisation.siret:
        report.errors.append(
            Issue(f"{organisation.name} n'a pas de SIRET : un catalogue EDOF est rattaché à un SIRET.", rule="ACC-2")
        )
        return report
    try:
        with transaction.atomic(), remembered_decisions():
            run = _Run(organisation, actor, report)
            for record in reader.formations():
                run.formation(record)
            report.formations = reader.formation_count
            report.errors += reader.issues + run.siret_errors()
            report.errors.sort(key=lambda issue: issue.line or 0)
            if report.errors or dry_run:
                raise _Rollback
            report.written = True
    except _Rollback:
        pass
    return report


def _differences(instance: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(instance, name) != value}


@dataclass
class _WrongSiret:
    """Formations of another SIRET: told once, where the first one says it."""

    line: int | None
    where: str
    count: int = 0


class _Run:
    """One import: caches and counters; one method per level of the file."""

    def __init__(self, organisation: Entity, actor: User | None, report: CatalogueImportReport):
        self.organisation = organisation
        self.actor = actor
        self.report = report
        self.offer_ids = dict(Offer.objects.of(organisation).values_list("internal_id", "pk"))
        self.certifications: dict[str, Certification | DomainError] = {}
        self.with_blocks: dict[int, bool] = {}
        self.wrong_sirets: dict[str, _WrongSiret] = {}

    # -- errors ----------------------------------------------------------------------------
    def fail(self, record: Record, error: DomainError) -> None:
        name = error.field
        while name and name not in record.sources and name in FALLBACK_FIELD:
            name = FALLBACK_FIELD[name]
        source = record.source(name)
        self.report.errors.append(
            Issue(error.message, line=source.line, element=source.element, rule=error.rule, where=record.where)
        )

    def take_issues(self, record: Record, warnings: bool = True) -> bool:
        """Report the record's own problems; True when it can go on."""
        self.report.errors += record.issues
        if warnings:
            self.report.warnings += record.warnings
        return not record.issues

    def skip_children(self, record: FormationRecord, warnings: bool = True) -> None:
        """The offer cannot be written: its actions and sessions are not either, but their problems are told."""
        for action in record.actions:
            self.take_issues(action, warnings)
            for session in action.sessions:
                self.take_issues(session, warnings)

    def warn(self, record: Record, message: str, rule: str) -> None:
        self.report.warnings.append(Issue(message, line=record.line, element=record.tag, rule=rule, where=record.where))

    def siret_errors(self) -> list[Issue]:
        issues = []
        for siret, found in self.wrong_sirets.items():
            try:
                check_siret(siret, field="SIRET")
                message = (
                    f"SIRET « {siret} » : ce fichier décrit le catalogue d'un autre organisme ; vous importez pour "
                    f"{self.organisation.name} (SIRET {self.organisation.siret})."
                )
                rule = "OFF-18"
            except DomainError as error:
                message, rule = error.message, error.rule
                if siret == SAMPLE_SIRET:
                    message += (
                        f" {SAMPLE_SIRET} est le SIRET fictif de l'exemple de la Caisse des dépôts : "
                        "remplacez-le par le SIRET de votre organisme."
                    )
            issues.append(
                Issue(
                    f"{message} ({found.count} formation(s) concernée(s) : rien n'est importé pour elles.)",
                    line=found.line,
                    element="SIRET",
                    rule=rule,
                    where=found.where,
                )
            )
        return issues

    # -- formations ------------------------------------------------------------------------
    def formation(self, record: FormationRecord) -> None:
        offer, offer_id, changed = None, None, False
        foreign = record.siret != self.organisation.siret  # not imported: its warnings would be noise
        if self.take_issues(record, warnings=not foreign):
            if foreign:
                source = record.siret_source
                found = self.wrong_sirets.setdefault(
                    record.siret, _WrongSiret(source.line if source else record.line, record.where)
                )
                found.count += 1
            else:
                offer_id = self.offer_ids.get(record.numero)
                offer, changed = self.offer(record, offer_id)
        if offer is None:
            self.skip_children(record, warnings=not foreign)
            return
        self.offer_ids[record.numero] = offer.pk
        changed |= self.actions(offer, record, existed=offer_id is not None)
        changed = self.validate(offer, record) or changed
        counts = self.report.offers
        if offer_id is None:
            counts.created += 1
        elif changed:
            counts.updated += 1
        else:
            counts.unchanged += 1

    def offer(self, record: FormationRecord, offer_id: int | None) -> tuple[Offer | None, bool]:
        try:
            kind, certification = self.kind_of(record)
        except DomainError as error:
            self.fail(record, error)
            return None, False
        if offer_id is None:
            return self.create(record, kind, certification), True
        return self.update(record, offer_id, kind, certification)

    def kind_of(self, record: FormationRecord) -> tuple[str, Certification | None]:
        if record.registry == "CPF":
            kind = TYPE_BY_CPF_CODE.get(record.code)
            if kind is None:
                known = ", ".join(f"{code} ({OfferType(kind).label})" for code, kind in TYPE_BY_CPF_CODE.items())
                raise DomainError(
                    f"code-CPF « {record.code} » non pris en charge ; codes connus : {known}.",
                    rule="OFF-1",
                    field="code",
                )
            return kind, None
        if record.code not in self.certifications:
            try:
                self.certifications[record.code] = find_certification(record.registry.lower(), record.code)
            except DomainError as error:
                self.certifications[record.code] = error
        found = self.certifications[record.code]
        if isinstance(found, DomainError):
            raise found
        return (OfferType.CLEA if found.code in CLEA_CODES else OfferType.CERTIFYING), found

    def has_blocks(self, certification: Certification) -> bool:
        if certification.pk not in self.with_blocks:
            self.with_blocks[certification.pk] = certification.blocks.exists()
        return self.with_blocks[certification.pk]

    def block_codes(self, record: FormationRecord, certification: Certification | None) -> list[str]:
        codes = record.block_codes or []
        if codes and certification is None:
            self.warn(record, "cette offre ne prépare pas de certification : la liste de blocs est ignorée", "OFF-5")
            return []
        if codes and certification is not None and not self.has_blocks(certification):
            self.warn(
                record, f"{certification.code} n'a pas de blocs de compétences : la liste de blocs est ignorée", "OFF-5"
            )
            return []
        return codes

    def create(self, record: FormationRecord, kind: str, certification: Certification | None) -> Offer | None:
        data = OfferInput(
            offer_type=kind,
            certification=certification,
            block_codes=self.block_codes(record, certification),
            blocks_customisable=record.blocks_customisable,
            values=record.values,
        )
        try:
            return create_offer(self.organisation, self.actor, data)
        except DomainError as error:
            self.fail(record, error)
            return None

    def update(
        self, record: FormationRecord, offer_id: int, kind: str, certification: Certification | None
    ) -> tuple[Offer | None, bool]:
        offer = Offer.objects.select_related("certification").get(pk=offer_id)
        if offer.offer_type != kind or offer.certification_id != (certification.pk if certification else None):
            said = offer.certification.code if offer.certification else offer.get_offer_type_display()
            self.fail(
                record,
                DomainError(
                    f"l'offre « {record.numero} » de votre catalogue porte sur {said} ; le fichier la décrit sur "
                    f"{record.code}. L'import ne change pas ce que prépare une offre : archivez-la et créez une "
                    "offre d'un autre identifiant.",
                    rule="OFF-16",
                    field="code",
                ),
            )
            return None, False
        codes = self.block_codes(record, certification)
        changes = _differences(offer, {k: v for k, v in record.values.items() if k != "internal_id"})
        try:
            if changes:
                offer = update_offer(offer.pk, self.actor, changes)
            if certification is not None and self.has_blocks(certification):
                current = sorted(offer.offer_blocks.values_list("code", flat=True))
                customisable = record.blocks_customisable if codes else None
                if sorted(codes) != current or offer.blocks_customisable != customisable:
                    offer = change_blocks(offer.pk, self.actor, codes, record.blocks_customisable)
                    changes["blocks"] = codes
        except DomainError as error:
            self.fail(record, error)
            return None, False
        return offer, bool(changes)

    def validate(self, offer: Offer, record: FormationRecord) -> bool:
        """OFF-15: validate a complete offer; True when its status changed."""
        if offer.status == OfferStatus.VALIDATED and not offer.blocks_changed_at:
            self.report.validated.append(record.numero)
            return False
        if offer.status not in (OfferStatus.DRAFT, OfferStatus.VALIDATED):
            self.warn(record, f"l'offre est {offer.get_status_display().lower()} : l'import ne la valide pas", "OFF-16")
            return False
        try:
            transition_offer(offer.pk, self.actor, "validate")
        except DomainError as error:
            reasons = [f"{e.message} ({e.rule})" for e in validation_errors(offer)] or [
                f"{error.message} ({error.rule})"
            ]
            self.report.drafts[record.numero] = reasons
            return False
        self.report.validated.append(record.numero)
        return True

    # -- actions and sessions --------------------------------------------------------------
    def actions(self, offer: Offer, record: FormationRecord, existed: bool) -> bool:
        existing = {a.internal_id: a for a in offer.actions.prefetch_related("sessions")} if existed else {}
        changed = False
        for action_record in record.actions:
            if not self.take_issues(action_record):
                for session in action_record.sessions:
                    self.take_issues(session)
                continue
            action = existing.pop(action_record.numero, None)
            try:
                if action is None:
                    action = save_action(offer, self.actor, action_record.values)
                    self.report.actions.created += 1
                    changed = True
                    sessions: dict[str, Session] = {}
                elif changes := _differences(action, action_record.values):
                    action = save_action(offer, self.actor, changes, action=action)
                    self.report.actions.updated += 1
                    changed = True
                    sessions = {s.internal_id: s for s in action.sessions.all()}
                else:
                    self.report.actions.unchanged += 1
                    sessions = {s.internal_id: s for s in action.sessions.all()}
            except DomainError as error:
                self.fail(action_record, error)
                continue
            changed |= self.sessions(action, action_record, sessions)
        if existing:
            self.warn(
                record,
                f"action(s) de l'offre absente(s) du fichier, conservée(s) : {', '.join(sorted(existing))}",
                "OFF-18",
            )
        return changed

    def sessions(self, action: Action, record: ActionRecord, existing: dict[str, Session]) -> bool:
        changed = False
        taken = set(existing)
        pending: list[Session] = []
        for session_record in record.sessions:
            if not self.take_issues(session_record):
                continue
            session = existing.pop(session_record.numero, None)
            try:
                if session is None:
                    # New sessions are checked one by one and written together (one INSERT).
                    pending.append(build_session(action, session_record.values, taken))
                    self.report.sessions.created += 1
                    changed = True
                elif changes := _differences(session, session_record.values):
                    save_session(action, self.actor, changes, session=session)
                    self.report.sessions.updated += 1
                    changed = True
                else:
                    self.report.sessions.unchanged += 1
            except DomainError as error:
                self.fail(session_record, error)
        create_sessions(pending)
        if existing:
            self.warn(
                record,
                f"session(s) de l'action absente(s) du fichier, conservée(s) : {', '.join(sorted(existing))}",
                "OFF-18",
            )
        return changed
