"""Background registry import (Django tasks API, django-tasks-db): takes an id, safe to rerun."""

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
        # Outside the import's transaction on PostgreSQL only when autocommit; the admin
        # page reads `processed` as a hint, the report is the truth.
        RegistryImport.objects.filter(pk=run.pk).update(processed=fiches)

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


def enqueue_registry_import(files: list[str], *, dry_run: bool, requested_by: str) -> RegistryImport:
    run = RegistryImport.objects.create(files=files, dry_run=dry_run, requested_by=requested_by)
    transaction.on_commit(lambda: run_registry_import.enqueue(run.pk))
    return run
