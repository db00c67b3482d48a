"""URLs of the identification app. Every project URL lives under p/<slug>/ and its view goes
through views.access.get_project_for_user, so other projects answer 404."""

from django.urls import include, path

from .views import (
    batches,
    catalogue_import,
    decisions,
    deployments,
    exports,
    help_pages,
    imports,
    individuals,
    matcher,
    media,
    projects,
    review,
    review_lists,
)

project_patterns = [
    path("", projects.project_detail, name="project_detail"),
    path("members/", projects.member_list, name="member_list"),
    path("members/<int:pk>/remove/", projects.member_remove, name="member_remove"),
    path("settings/", projects.project_settings, name="project_settings"),
    path("deployments/", deployments.deployment_list, name="deployment_list"),
    path("deployments/new/", deployments.deployment_create, name="deployment_create"),
    path("deployments/import/", imports.deployment_import, name="deployment_import"),
    path("deployments/<int:pk>/edit/", deployments.deployment_edit, name="deployment_edit"),
    path("upload/", batches.batch_create, name="batch_create"),
    path("batches/", batches.batch_list, name="batch_list"),
    path("batches/<int:pk>/", batches.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/detections/", batches.batch_detections, name="batch_detections"),
    path("media/<int:pk>/", media.media_detail, name="media_detail"),
    path("media/<int:pk>/image/", media.media_file, name="media_file"),
    path("media/<int:pk>/boxes/", media.media_add_box, name="media_add_box"),
    path("media/<int:pk>/thumbnail/", media.media_thumbnail, name="media_thumbnail"),
    # Review (issue 4)
    path("review/", review_lists.review_queue, name="review_queue"),
    path("review/next/", review.review_next, name="review_next"),
    path("review/bulk/", review_lists.review_bulk, name="review_bulk"),
    path("review/undo/", review.review_undo, name="review_undo"),
    path("review/overview/", review_lists.review_overview, name="review_overview"),
    path("review/<int:pk>/", review.review_sighting, name="review_sighting"),
    path("review/<int:pk>/claim/", review.review_claim, name="review_claim"),
    path("review/<int:pk>/decide/", review.review_decide, name="review_decide"),
    path("review/<int:pk>/box/", review.review_box, name="review_box"),
    path("review/<int:pk>/untrack/", review.review_untrack, name="review_untrack"),
    path("review/<int:pk>/individuals/", review.review_individuals, name="review_individuals"),
    path("sightings/<int:pk>/", decisions.sighting_detail, name="sighting_detail"),
    path("decisions/", decisions.decision_list, name="decision_list"),
    path("individuals/", individuals.individual_list, name="individual_list"),
    path("individuals/import/", catalogue_import.catalogue_import, name="catalogue_import"),
    path(
        "individuals/import/<int:pk>/",
        catalogue_import.catalogue_import_result,
        name="catalogue_import_result",
    ),
    path("individuals/<int:pk>/", individuals.individual_detail, name="individual_detail"),
    path("individuals/<int:pk>/rename/", individuals.individual_rename, name="individual_rename"),
    path("individuals/<int:pk>/merge/", individuals.individual_merge, name="individual_merge"),
    path("individuals/<int:pk>/split/", individuals.individual_split, name="individual_split"),
    # Exports (issue 5)
    path("matcher/", matcher.matcher_page, name="matcher"),
    path("matcher/train/", matcher.matcher_train, name="matcher_train"),
    path("matcher/deploy/", matcher.matcher_deploy, name="matcher_deploy"),
    path("exports/", exports.exports_page, name="exports"),
    path("exports/sightings.csv", exports.export_sightings, name="export_sightings"),
    path("exports/capture-history/", exports.export_capture_history, name="export_capture_history"),
    path("exports/camtrapdp/", exports.export_camtrapdp, name="export_camtrapdp"),
]

urlpatterns = [
    path("", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("help/<slug:page>/", help_pages.help_page, name="help_page"),
    path("p/<slug:slug>/", include(project_patterns)),
]
