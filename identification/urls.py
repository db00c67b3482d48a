"""URLs of the identification app. Every project URL lives under p/<slug>/ and its view goes
through views.access.get_project_for_user, so other projects answer 404."""

from django.urls import include, path

from .views import batches, deployments, media, projects

project_patterns = [
    path("", projects.project_detail, name="project_detail"),
    path("members/", projects.member_list, name="member_list"),
    path("members/<int:pk>/remove/", projects.member_remove, name="member_remove"),
    path("settings/", projects.project_settings, name="project_settings"),
    path("deployments/", deployments.deployment_list, name="deployment_list"),
    path("deployments/new/", deployments.deployment_create, name="deployment_create"),
    path("deployments/<int:pk>/edit/", deployments.deployment_edit, name="deployment_edit"),
    path("upload/", batches.batch_create, name="batch_create"),
    path("batches/", batches.batch_list, name="batch_list"),
    path("batches/<int:pk>/", batches.batch_detail, name="batch_detail"),
    path("media/<int:pk>/", media.media_detail, name="media_detail"),
    path("media/<int:pk>/image/", media.media_file, name="media_file"),
    path("media/<int:pk>/thumbnail/", media.media_thumbnail, name="media_thumbnail"),
]

urlpatterns = [
    path("", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("p/<slug:slug>/", include(project_patterns)),
]
