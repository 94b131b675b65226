"""Write fiche records into the registry: batched, idempotent, all or nothing.

One transaction for the whole import, so that a file refused half-way (truncated XML,
wrong columns) leaves the database exactly as it was. Each fiche keeps a hash per aspect
of what the export said; an aspect whose hash did not move is not even compared.
"""

import datetime
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from parcours.core.outbox import CERTIFICATION, announce

from ..codes import is_canonical_block_code
from ..models import (
    Accreditation,
    AccreditationSource,
    Certification,
    CertificationCertifier,
    Certifier,
    CompetenceBlock,
    Formacode,
    NsfCode,
    Replacement,
    RomeCode,
    certification_search_text,
    paris_today,
)
from .bulk import copy_to_history, insert_rows
from .records import AccreditationRecord, CertifierRecord, FicheRecord
from .report import ImportReport
from .sources import open_sources

NOMENCLATURES = {"formacodes": Formacode, "nsf_codes": NsfCode, "rome_codes": RomeCode}
BLOCK_TEXT_FIELDS = ("competences", "evaluation", "entry_prerequisites", "validation_prerequisites")

Progress = Callable[[int, int, int], None]

# Every column a record's base may fill, with the model's default when a source lacks it.
CERTIFICATION_BASE_FIELDS = [
    f.name
    for f in Certification._meta.concrete_fields
    if f.name not in {"id", "registry", "number", "code", "fingerprints", "imported_at", "search_text"}
]
CERTIFICATION_DEFAULTS = {
    f.name: (f.get_default() if f.has_default() else (None if f.null else ""))
    for f in Certification._meta.concrete_fields
}  # (fiches read, bytes read, bytes in all)


class _DryRun(Exception):
    pass


def import_registry(
    paths: list[str | Path],
    *,
    dry_run: bool = False,
    on_progress: Progress | None = None,
    change_reason: str = "Import du répertoire France compétences",
) -> ImportReport:
    """Import France compétences export files (REG-1 to REG-7). Raises ExportError."""
    sources = open_sources(list(paths))  # refuses unknown files before touching the database
    report = ImportReport(files=[source.name for source in sources], dry_run=dry_run)
    total = sum(source.size for source in sources)
    read = 0

    def on_read(count: int) -> None:
        nonlocal read
        read += count

    batch_size = settings.REGISTRY_IMPORT_BATCH
    try:
        with transaction.atomic():
            writer = _Writer(report, change_reason)
            known = _known_raw_digests()
            for source in sources:
                batch: dict[str, FicheRecord] = {}
                for record in source.records(on_read, known):
                    report.fiches_read += 1
                    if record.unchanged:
                        report.fiches_unchanged += 1
                        continue
                    if str(record.code) in batch or len(batch) >= batch_size:
                        writer.write(list(batch.values()))
                        batch = {}
                    batch[str(record.code)] = record
                    if on_progress and report.fiches_read % 100 == 0:
                        on_progress(report.fiches_read, read, total)
                writer.write(list(batch.values()))
            if on_progress:
                on_progress(report.fiches_read, total, total)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _known_raw_digests() -> dict[str, str]:
    """Code → hash of the raw FICHE last imported from XML (about 30,000 short strings)."""
    return {
        code: prints["xml:raw"]
        for code, prints in Certification.objects.values_list("code", "fingerprints").iterator(chunk_size=5000)
        if prints and "xml:raw" in prints
    }


class _Writer:
    def __init__(self, report: ImportReport, change_reason: str):
        self.report = report
        self.reason = change_reason
        self.today: datetime.date = paris_today()
        self.now = timezone.now()
        self.nomenclature_seen: dict[type, set[tuple[str, str]]] = {}

    # -- batch entry point -------------------------------------------------------------
    def write(self, records: list[FicheRecord]) -> None:
        if not records:
            return
        codes = [str(record.code) for record in records]
        existing = {
            c.code: c
            for c in Certification.objects.filter(code__in=codes).only(
                "id", "code", "fingerprints", "declared_active", "end_date"
            )
        }
        new = [r for r in records if str(r.code) not in existing and r.base is not None]
        self.report.fiches_unknown += sum(1 for r in records if str(r.code) not in existing and r.base is None)
        self._create(new)
        replacements = [r for r in new if r.aspect("replacements") is not None]
        for record in records:
            certification = existing.get(str(record.code))
            if certification is not None and "replacements" in self._update(certification, record):
                replacements.append(record)
        self._sync_replacements(replacements)

    # -- creation, set-based -----------------------------------------------------------
    def _create(self, records: list[FicheRecord]) -> None:
        """New fiches, set-based: one INSERT per table and batch, history copied by the database."""
        if not records:
            return
        rows = []
        for r in records:
            base = r.base or {}
            rows.append(
                (
                    r.code.registry,
                    r.code.number,
                    str(r.code),
                    r.fingerprints(),
                    self.now,
                    certification_search_text(str(r.code), base.get("title", ""), base.get("short_title", "")),
                    *(base.get(name, CERTIFICATION_DEFAULTS[name]) for name in CERTIFICATION_BASE_FIELDS),
                )
            )
        insert_rows(
            Certification,
            ["registry", "number", "code", "fingerprints", "imported_at", "search_text", *CERTIFICATION_BASE_FIELDS],
            rows,
        )
        by_code = dict(Certification.objects.filter(code__in=[str(r.code) for r in records]).values_list("code", "pk"))
        ids = list(by_code.values())
        copy_to_history(Certification, "id", ids, self.now, self.reason)
        announce(CERTIFICATION, ids)
        self.report.fiches_created += len(records)
        certifiers = self._certifiers([c for r in records for c in (r.certifiers or [])])
        blocks, links, accreditations = [], [], []
        for r in records:
            pk = by_code[str(r.code)]
            for b in r.blocks or []:
                if not is_canonical_block_code(b.code, str(r.code)):
                    self.report.note(self.report.non_canonical_block_codes, b.code)
                blocks.append((pk, b.code, b.title, *(getattr(b, n) or "" for n in BLOCK_TEXT_FIELDS), b.position))
            links += [
                (pk, certifiers[c.key].pk, c.state, c.state_changed_on, position)
                for position, c in enumerate(r.certifiers or [])
            ]
            accreditations += [
                (pk, AccreditationSource.REGISTRY, a.siret, a.name, a.kind, a.state, a.active_since, a.state_changed_on)
                for a in r.accreditations or []
            ]
        insert_rows(CompetenceBlock, ["certification", "code", "title", *BLOCK_TEXT_FIELDS, "position"], blocks)
        insert_rows(
            CertificationCertifier, ["certification", "certifier", "state", "state_changed_on", "position"], links
        )
        insert_rows(
            Accreditation,
            ["certification", "source", "siret", "name", "kind", "state", "active_since", "state_changed_on"],
            accreditations,
        )
        for child in (CompetenceBlock, CertificationCertifier, Accreditation):
            copy_to_history(child, "certification_id", ids, self.now, self.reason)
        self.report.blocks_added += len(blocks)
        self.report.certifiers_linked += len(links)
        self.report.accreditations_added += len(accreditations)
        for aspect, nomenclature in NOMENCLATURES.items():
            self._upsert_nomenclature(nomenclature, [item for r in records for item in r.aspect(aspect) or []])
            through = getattr(Certification, aspect).through
            insert_rows(
                through,
                ["certification", str(nomenclature._meta.model_name)],
                [(by_code[str(r.code)], code) for r in records for code, _ in r.aspect(aspect) or []],
            )

    def _bulk(self, model, objects):  # type: ignore[no-untyped-def]
        if not objects:
            return objects
        return bulk_create_with_history(
            objects, model, batch_size=1000, default_change_reason=self.reason, default_date=self.now
        )

    def _new_block(self, certification: Certification, block) -> CompetenceBlock:  # type: ignore[no-untyped-def]
        if not is_canonical_block_code(block.code, certification.code):
            self.report.note(self.report.non_canonical_block_codes, block.code)
        return CompetenceBlock(
            certification=certification,
            code=block.code,
            title=block.title,
            position=block.position,
            **{name: getattr(block, name) or "" for name in BLOCK_TEXT_FIELDS},
        )

    @staticmethod
    def _new_accreditation(certification: Certification, a: AccreditationRecord) -> Accreditation:
        return Accreditation(
            certification=certification,
            siret=a.siret,
            name=a.name,
            kind=a.kind,
            state=a.state,
            active_since=a.active_since,
            state_changed_on=a.state_changed_on,
        )

    def _certifiers(self, records: list[CertifierRecord]) -> dict[str, Certifier]:
        """The Certifier rows for these records, created when new (matched by SIRET or name)."""
        wanted = {r.key: r for r in records}
        found = {c.key: c for c in Certifier.objects.filter(key__in=list(wanted))}
        missing = [Certifier(key=k, siret=r.siret, name=r.name or r.siret) for k, r in wanted.items() if k not in found]
        if missing:
            self._bulk(Certifier, missing)
            found.update({c.key: c for c in Certifier.objects.filter(key__in=[m.key for m in missing])})
        return found

    def _upsert_nomenclature(self, model, items: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
        seen = self.nomenclature_seen.setdefault(model, set())
        labels = {code: label for code, label in items if (code, label) not in seen}
        seen.update(labels.items())
        if labels:
            model.objects.bulk_create(
                [model(code=code, label=label[:500]) for code, label in labels.items()],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["label"],
                batch_size=1000,
            )

    # -- update, aspect by aspect ------------------------------------------------------
    def _update(self, certification: Certification, record: FicheRecord) -> list[str]:
        """Apply the aspects whose hash moved; returns those that moved."""
        new_prints = record.fingerprints()
        moved = [
            k.split(":", 1)[1]
            for k, h in new_prints.items()
            if certification.fingerprints.get(k) != h and not k.endswith(":raw")
        ]
        if not moved:
            self.report.fiches_unchanged += 1
            if any(certification.fingerprints.get(k) != h for k, h in new_prints.items()):
                # Only the raw bytes moved (layout, whitespace): remember them for the fast path.
                Certification.objects.filter(pk=certification.pk).update(
                    fingerprints={**certification.fingerprints, **new_prints}
                )
            return moved
        full = Certification.objects.select_for_update().get(pk=certification.pk)
        was_active = full.is_active(self.today)
        changed = False
        for aspect in moved:
            changed |= getattr(self, f"_update_{aspect}")(full, record)
        merged = {**full.fingerprints, **new_prints}
        Certification.objects.filter(pk=full.pk).update(fingerprints=merged)
        if not changed:
            self.report.fiches_unchanged += 1
            return moved
        self.report.fiches_changed += 1
        self.report.note(self.report.changed_codes, full.code)
        announce(CERTIFICATION, [full.pk])
        if was_active and not full.is_active(self.today):
            self.report.became_inactive += 1
            self.report.note(self.report.became_inactive_codes, full.code)
        return moved

    def _update_base(self, certification: Certification, record: FicheRecord) -> bool:
        changed = [k for k, v in (record.base or {}).items() if getattr(certification, k) != v]
        for key in changed:
            setattr(certification, key, record.base[key])  # type: ignore[index]
        if changed:
            certification.imported_at = self.now
            certification._change_reason = self.reason  # type: ignore[attr-defined]
            certification.save()
        return bool(changed)

    def _update_blocks(self, certification: Certification, record: FicheRecord) -> bool:
        existing = {b.code: b for b in certification.blocks.all()}
        wanted = {b.code: b for b in record.blocks or []}
        removed = [b.pk for code, b in existing.items() if code not in wanted]
        added = [self._new_block(certification, b) for code, b in wanted.items() if code not in existing]
        changed = 0
        for code, block in wanted.items():
            row = existing.get(code)
            if row is None:
                continue
            values = {"title": block.title, "position": block.position}
            values.update({n: getattr(block, n) for n in BLOCK_TEXT_FIELDS if getattr(block, n) is not None})
            moved = {k: v for k, v in values.items() if getattr(row, k) != v}
            if moved:
                for key, value in moved.items():
                    setattr(row, key, value)
                row._change_reason = self.reason  # type: ignore[attr-defined]
                row.save()
                changed += 1
        for row in CompetenceBlock.objects.filter(pk__in=removed):
            row.delete()
        self._bulk(CompetenceBlock, added)
        self.report.blocks_added += len(added)
        self.report.blocks_removed += len(removed)
        self.report.blocks_changed += changed
        return bool(added or removed or changed)

    def _update_certifiers(self, certification: Certification, record: FicheRecord) -> bool:
        existing = {link.certifier.key: link for link in certification.certifier_links.select_related("certifier")}
        wanted = {c.key: (position, c) for position, c in enumerate(record.certifiers or [])}
        certifiers = self._certifiers([c for _, c in wanted.values()])
        removed = [link for key, link in existing.items() if key not in wanted]
        added = []
        changed = False
        for key, (position, c) in wanted.items():
            link = existing.get(key)
            values = {"state": c.state, "state_changed_on": c.state_changed_on, "position": position}
            if link is None:
                added.append(CertificationCertifier(certification=certification, certifier=certifiers[key], **values))
            elif any(getattr(link, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(link, k, v)
                link.save()
                changed = True
        for link in removed:
            link.delete()
        self._bulk(CertificationCertifier, added)
        self.report.certifiers_linked += len(added)
        self.report.certifiers_unlinked += len(removed)
        return bool(added or removed or changed)

    def _update_accreditations(self, certification: Certification, record: FicheRecord) -> bool:
        imported = certification.accreditations.filter(source=AccreditationSource.REGISTRY)
        existing = {(a.siret, a.name, a.kind): a for a in imported}
        wanted = {a.key: a for a in record.accreditations or []}
        removed = [a.pk for key, a in existing.items() if key not in wanted]
        added = [self._new_accreditation(certification, a) for key, a in wanted.items() if key not in existing]
        changed = 0
        for key, a in wanted.items():
            row = existing.get(key)
            values = {
                "state": a.state,
                "active_since": a.active_since,
                "state_changed_on": a.state_changed_on,
            }
            if row is not None and any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
                changed += 1
        for row in Accreditation.objects.filter(pk__in=removed):
            row.delete()
        self._bulk(Accreditation, added)
        self.report.accreditations_added += len(added)
        self.report.accreditations_removed += len(removed)
        self.report.accreditations_changed += changed
        return bool(added or removed or changed)

    def _update_codes(self, certification: Certification, record: FicheRecord, aspect: str) -> bool:
        items = record.aspect(aspect) or []
        model = NOMENCLATURES[aspect]
        before = {(n.code, n.label) for n in getattr(certification, aspect).all()}
        self._upsert_nomenclature(model, items)
        getattr(certification, aspect).set([code for code, _ in items])
        return before != set(items)

    def _update_formacodes(self, certification: Certification, record: FicheRecord) -> bool:
        return self._update_codes(certification, record, "formacodes")

    def _update_nsf_codes(self, certification: Certification, record: FicheRecord) -> bool:
        return self._update_codes(certification, record, "nsf_codes")

    def _update_rome_codes(self, certification: Certification, record: FicheRecord) -> bool:
        return self._update_codes(certification, record, "rome_codes")

    def _update_replacements(self, certification: Certification, record: FicheRecord) -> bool:
        # Applied per batch in _sync_replacements; a moved hash is a real change of links.
        return True

    # -- replacement links (REG-7) -----------------------------------------------------
    def _sync_replacements(self, records: list[FicheRecord]) -> None:
        if not records:
            return
        codes = {str(r.code) for r in records}
        by_old = {(str(r.code), new) for r in records for new in r.replaced_by or [] if new != str(r.code)}
        by_new = {(old, str(r.code)) for r in records for old in r.replaces or [] if old != str(r.code)}
        links = {
            (link.old_code, link.new_code): link
            for link in Replacement.objects.filter(Q(old_code__in=codes) | Q(new_code__in=codes))
        }
        for key in (by_old | by_new) - set(links):
            links[key] = Replacement(old_code=key[0], new_code=key[1])
        created: list[Replacement] = []
        updated: list[Replacement] = []
        for key, link in links.items():
            flags = {}
            if link.old_code in codes:
                flags["declared_by_old"] = key in by_old
            if link.new_code in codes:
                flags["declared_by_new"] = key in by_new
            if link.pk is None:
                link.__dict__.update(flags)
                created.append(link)
            elif not (
                flags.get("declared_by_old", link.declared_by_old) or flags.get("declared_by_new", link.declared_by_new)
            ):
                link.delete()
                self.report.replacements_unlinked += 1
            elif any(getattr(link, k) != v for k, v in flags.items()):
                link.__dict__.update(flags)
                updated.append(link)
        self._bulk(Replacement, created)
        self.report.replacements_linked += len(created)
        if updated:
            bulk_update_with_history(
                updated,
                Replacement,
                ["declared_by_old", "declared_by_new"],
                default_change_reason=self.reason,
                default_date=self.now,
            )
