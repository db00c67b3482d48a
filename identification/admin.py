"""Django admin for staff. Identity is not edited here: a sighting's status and individual, an
individual's code, name and merges, and the fitted calibration change only through the
services (the review screen and catalogue), so every change has its decision in the trail and
reaches the matcher. The admin shows them read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from worker.pipeline.config import PipelineConfig

from .models import (
    Batch,
    BatchItem,
    Candidate,
    Decision,
    Deployment,
    Event,
    GlobalModelVersion,
    Individual,
    Media,
    Membership,
    Project,
    Sighting,
)
from .services import global_models


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class ProjectAdminForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name", "slug", "description", "species", "time_zone", "event_gap_seconds",
            "individual_code_prefix", "new_individual_threshold", "auto_threshold", "reid_config",
        ]  # fmt: skip

    def clean_reid_config(self) -> dict:
        """A bad key would make every re-ID task of the project fail: refuse it here."""
        value = self.cleaned_data["reid_config"] or {}
        try:
            PipelineConfig.from_dict(value)
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(f"Not a valid pipeline configuration: {error}") from None
        return value


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = ["name", "slug", "species", "created_at"]
    search_fields = ["name", "slug", "species"]
    prepopulated_fields = {"slug": ["name"]}
    # The model in use changes through the matcher page or the version action below, which
    # also re-embed the project (services.global_models.deploy).
    readonly_fields = ["calibration", "decisions_since_refit", "global_model", "global_model_since"]
    inlines = [MembershipInline]


@admin.register(GlobalModelVersion)
class GlobalModelVersionAdmin(admin.ModelAdmin):
    """Trainings are records of what was measured: read-only, with one action to put a
    version that beat its predecessor in use (a rollback is the same action)."""

    list_display = ["project", "number", "status", "top1_current", "top1_trained", "finished_at"]
    list_filter = ["status", "project"]
    actions = ["put_in_use"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: GlobalModelVersion | None = None
    ) -> bool:
        return False

    @admin.action(description="Put the selected version in use (re-embeds its project)")
    def put_in_use(self, request: HttpRequest, queryset: QuerySet[GlobalModelVersion]) -> None:
        versions = list(queryset.select_related("project"))
        if len(versions) != 1:
            self.message_user(request, "Select exactly one version.", messages.ERROR)
            return
        version = versions[0]
        if version not in global_models.deployable(version.project):
            self.message_user(request, f"{version} did not beat the model in use.", messages.ERROR)
            return
        global_models.deploy(version.project, version)
        self.message_user(request, f"{version.project}: {version} in use.", messages.SUCCESS)


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "project", "latitude", "longitude", "start", "end"]
    list_filter = ["project"]
    search_fields = ["code", "name", "location_id"]


# Tuples: the admin takes either, and a tuple fits both attributes' types.
BATCH_ITEM_FIELDS = ("seq", "original_name", "status", "reason", "message", "media")
CANDIDATE_FIELDS = ("rank", "individual", "fused", "rejected")


class BatchItemInline(admin.TabularInline):
    model = BatchItem
    extra = 0
    fields = BATCH_ITEM_FIELDS
    readonly_fields = BATCH_ITEM_FIELDS
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
    # Renames and merges are decisions (the individuals catalogue records and undoes them).
    readonly_fields = ["project", "code", "name", "merged_into", "created_by"]

    def has_add_permission(self, request: HttpRequest, obj: Individual | None = None) -> bool:
        return False


class CandidateInline(admin.TabularInline):
    model = Candidate
    fk_name = "sighting"
    extra = 0
    fields = CANDIDATE_FIELDS
    readonly_fields = CANDIDATE_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Sighting | None = None) -> bool:
        return False


@admin.register(Sighting)
class SightingAdmin(admin.ModelAdmin):
    list_display = ["pk", "project", "media", "status", "individual", "pipeline_status", "p_new"]
    list_filter = ["project", "status", "pipeline_status", "side"]
    raw_id_fields = ["media"]
    # Identity and pipeline state change through decisions and the workers, never by hand.
    readonly_fields = [
        "project", "media", "status", "individual", "decided_by", "decided_at", "version",
        "pipeline_status", "pipeline_error", "p_new", "matched_at", "claimed_by", "claimed_until",
    ]  # fmt: skip
    inlines = [CandidateInline]

    def has_add_permission(self, request: HttpRequest, obj: Sighting | None = None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "project", "user", "action", "sighting", "individual"]
    list_filter = ["project", "action"]
    raw_id_fields = ["sighting", "individual", "candidate", "reverts"]

    def has_change_permission(self, request: HttpRequest, obj: Decision | None = None) -> bool:
        # The trail is append-only, also for staff.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Decision | None = None) -> bool:
        return False
