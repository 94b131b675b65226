import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from . import policies
from .models import (
    Accreditation,
    Certification,
    CertificationCertifier,
    Certifier,
    CompetenceBlock,
    RegistryImport,
    Replacement,
)
from .tasks import enqueue_registry_import, read_progress

ALLOWED_SUFFIXES = {".zip", ".xml", ".csv"}


class BlockInline(admin.TabularInline):
    model = CompetenceBlock
    fields = ["position", "code", "title"]
    extra = 0
    show_change_link = True


class CertifierInline(admin.TabularInline):
    model = CertificationCertifier
    fields = ["certifier", "state", "position"]
    raw_id_fields = ["certifier"]
    extra = 0


@admin.register(Certification)
class CertificationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "level", "end_date", "declared_active", "fiche_state"]
    list_filter = ["registry", "level", "declared_active", "fiche_state", "final_evaluation_required"]
    search_fields = ["code", "search_text"]
    inlines = [BlockInline, CertifierInline]
    readonly_fields = ["fingerprints", "imported_at"]


@admin.register(CompetenceBlock)
class CompetenceBlockAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "certification"]
    search_fields = ["code", "title"]
    raw_id_fields = ["certification"]


@admin.register(Certifier)
class CertifierAdmin(SimpleHistoryAdmin):
    list_display = ["name", "siret"]
    search_fields = ["name", "siret"]


@admin.register(Accreditation)
class AccreditationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "siret", "kind", "state", "certification"]
    list_filter = ["kind", "state"]
    search_fields = ["name", "siret", "certification__code"]
    raw_id_fields = ["certification"]


@admin.register(Replacement)
class ReplacementAdmin(SimpleHistoryAdmin):
    list_display = ["old_code", "new_code", "declared_by_old", "declared_by_new"]
    search_fields = ["old_code", "new_code"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class ImportForm(forms.Form):
    files = MultipleFileField(label="Fichiers d'export France compétences (zip, XML ou CSV)")
    dry_run = forms.BooleanField(label="Simulation (n'enregistre rien)", required=False)


@admin.register(RegistryImport)
class RegistryImportAdmin(admin.ModelAdmin):
    list_display = ["pk", "created_at", "status", "dry_run", "processed", "requested_by"]
    readonly_fields = [
        "files",
        "dry_run",
        "status",
        "processed",
        "progress",
        "summary",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "requested_by",
    ]
    exclude = ["report"]
    change_list_template = "admin/registry/registryimport/change_list.html"

    @admin.display(description="Progression")
    def progress(self, obj: RegistryImport) -> str:
        data = read_progress(obj.pk)
        if not data:
            return "—"
        percent = f" ({100 * data['done'] // data['total']} %)" if data.get("total") else ""
        return f"{data['fiches']} fiches lues{percent}"

    @admin.display(description="Compte rendu")
    def summary(self, obj: RegistryImport) -> str:
        return format_html_join("", "<p>{}</p>", ((line,) for line in obj.report.get("lines", [])))

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def get_urls(self):  # type: ignore[no-untyped-def]
        return [
            path("importer/", self.admin_site.admin_view(self.upload_view), name="registry_registryimport_upload")
        ] + super().get_urls()

    def upload_view(self, request):  # type: ignore[no-untyped-def]
        if not policies.can_import_registry(request.user):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            uploads = form.cleaned_data["files"]
            bad = [f.name for f in uploads if Path(f.name).suffix.lower() not in ALLOWED_SUFFIXES]
            if bad:
                form.add_error("files", f"Fichier refusé (attendu .zip, .xml ou .csv) : {', '.join(bad)}")
            else:
                run = enqueue_registry_import(
                    _store(uploads), dry_run=form.cleaned_data["dry_run"], requested_by=request.user.email
                )
                messages.success(request, f"Import n° {run.pk} mis en file d'attente.")
                return redirect("admin:registry_registryimport_change", run.pk)
        context = {**self.admin_site.each_context(request), "form": form, "title": "Importer le répertoire"}
        return render(request, "admin/registry/registryimport/upload.html", context)


def _store(uploads) -> list[str]:  # type: ignore[no-untyped-def]
    """Keep uploads outside the public static files, one folder per import."""
    folder = Path(settings.IMPORT_UPLOAD_DIR) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    paths = []
    for upload in uploads:
        target = folder / Path(upload.name).name
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        paths.append(str(target))
    return paths
