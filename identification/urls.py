"""URLs of the identification app. Every project URL lives under p/<slug>/ and its view goes
through views.access.get_project_for_user, so other projects answer 404."""

from django.urls import include, path

from .views import projects

project_patterns = [
    path("", projects.project_detail, name="project_detail"),
    path("members/", projects.member_list, name="member_list"),
    path("members/<int:pk>/remove/", projects.member_remove, name="member_remove"),
    path("settings/", projects.project_settings, name="project_settings"),
]

urlpatterns = [
    path("", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("p/<slug:slug>/", include(project_patterns)),
]
