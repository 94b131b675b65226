"""Background registry import (Django tasks API, django-tasks-db): takes an id, safe to rerun."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .enums import ImportStatus
from .importing.apply import import_registry
from .importing.records import ExportError
from .models import RegistryImport


@task()
def run_registry_import(import_id: int) -> None:
    run = RegistryImport.objects.get(pk=import_id)
    if run.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
        return  # already done: running twice changes nothing
    RegistryImport.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now())

    def on_progress(fiches: int, done: int, total: int) -> None:
        # The import holds one transaction, invisible to other connections until it ends:
        # progress goes to a small file beside the uploads, which the admin page reads.
        write_progress(run.pk, fiches, done, total)

    try:
        report = import_registry(
            run.files,
            dry_run=run.dry_run,
            on_progress=on_progress,
            change_reason=f"Import n° {run.pk} du répertoire",
        )
    except ExportError as exc:
        RegistryImport.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED,
            error=f"Import refusé, la base n'a pas été modifiée. {exc}",
            finished_at=timezone.now(),
        )
        return
    RegistryImport.objects.filter(pk=run.pk).update(
        status=ImportStatus.SUCCEEDED,
        processed=report.fiches_read,
        report={**report.as_dict(), "lines": report.lines()},
        finished_at=timezone.now(),
    )


def progress_file(import_id: int) -> Path:
    return Path(settings.IMPORT_UPLOAD_DIR) / f"import-{import_id}.progress.json"


def write_progress(import_id: int, fiches: int, done: int, total: int) -> None:
    path = progress_file(import_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"fiches": fiches, "done": done, "total": total}))
    temporary.replace(path)  # atomic: a reader never sees half a file


def read_progress(import_id: int) -> dict[str, int] | None:
    try:
        return json.loads(progress_file(import_id).read_text())
    except (OSError, ValueError):
        return None


def enqueue_registry_import(files: list[str], *, dry_run: bool, requested_by: str) -> RegistryImport:
    run = RegistryImport.objects.create(files=files, dry_run=dry_run, requested_by=requested_by)
    transaction.on_commit(lambda: run_registry_import.enqueue(run.pk))
    return run
