from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import ApiToken, Entity, EntityDocument, HolderProfile, Membership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["email", "first_name", "last_name", "staff_role", "is_active", "is_staff"]
    list_filter = ["staff_role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("Parcours", {"fields": ["staff_role"]}))  # type: ignore[misc]


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "state", "decided_at"]
    readonly_fields = ["decided_at"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Entity)
class EntityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "siret", "is_training_organisation", "is_certifier", "qualiopi_valid_until"]
    list_filter = ["is_training_organisation", "is_certifier", "is_cpne", "is_public_establishment", "kind"]
    search_fields = ["name", "siret", "nda"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "entity", "role", "state", "created_at"]
    list_filter = ["role", "state"]
    search_fields = ["user__email", "entity__name", "entity__siret"]
    raw_id_fields = ["user", "entity", "decided_by"]


@admin.register(EntityDocument)
class EntityDocumentAdmin(SimpleHistoryAdmin):
    list_display = ["entity", "kind", "original_name", "signed_on", "uploaded_at"]
    raw_id_fields = ["entity", "uploaded_by"]
    exclude = ["file"]  # read through the protected page, never a public URL
    readonly_fields = ["original_name", "content_type", "size"]


@admin.register(HolderProfile)
class HolderProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "birth_name", "cpf_balance"]
    search_fields = ["user__email", "birth_name"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "entity", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    raw_id_fields = ["entity", "created_by"]
