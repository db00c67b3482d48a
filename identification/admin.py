from django.contrib import admin

from .models import (
    Batch,
    BatchItem,
    Candidate,
    Decision,
    Deployment,
    Event,
    Individual,
    Media,
    Membership,
    Project,
    Sighting,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "species", "created_at"]
    search_fields = ["name", "slug", "species"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "project", "latitude", "longitude", "start", "end"]
    list_filter = ["project"]
    search_fields = ["code", "name", "location_id"]


class BatchItemInline(admin.TabularInline):
    model = BatchItem
    extra = 0
    fields = ["seq", "original_name", "status", "reason", "message", "media"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "project", "kind", "status", "created_by", "created_at"]
    list_filter = ["status", "kind", "project"]
    inlines = [BatchItemInline]


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ["original_name", "project", "deployment", "taken_at", "width", "height"]
    list_filter = ["project", "timestamp_missing"]
    search_fields = ["original_name", "sha256"]
    raw_id_fields = ["batch", "event", "deployment"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["pk", "project", "deployment", "start", "end"]
    list_filter = ["project"]


@admin.register(Individual)
class IndividualAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sex", "project", "merged_into"]
    list_filter = ["project", "sex"]
    search_fields = ["code", "name"]


class CandidateInline(admin.TabularInline):
    model = Candidate
    fk_name = "sighting"
    extra = 0
    fields = ["rank", "individual", "fused", "rejected"]
    readonly_fields = fields


@admin.register(Sighting)
class SightingAdmin(admin.ModelAdmin):
    list_display = ["pk", "project", "media", "status", "individual", "pipeline_status", "p_new"]
    list_filter = ["project", "status", "pipeline_status", "side"]
    raw_id_fields = ["media", "individual"]
    inlines = [CandidateInline]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "project", "user", "action", "sighting", "individual"]
    list_filter = ["project", "action"]
    raw_id_fields = ["sighting", "individual", "candidate", "reverts"]

    def has_change_permission(self, request, obj=None) -> bool:
        # The trail is append-only, also for staff.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
