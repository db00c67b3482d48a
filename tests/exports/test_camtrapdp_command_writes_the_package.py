"""`manage.py export_camtrapdp <slug> --out FILE.zip` writes the same valid package, filtered
with the exports page's filters when asked."""

import pytest
from django.core.management import CommandError, call_command

from tests.camtrapdp import package_errors, read_package

pytestmark = pytest.mark.django_db


def test_whole_project_by_default(project, camtrap_survey, tmp_path):
    out = tmp_path / "survey.zip"
    call_command("export_camtrapdp", project.slug, "--out", str(out))
    package = out.read_bytes()
    assert package_errors(package) == []
    _, tables = read_package(package)
    media_level = [r for r in tables["observations"] if r["observationLevel"] == "media"]
    assert len(media_level) == 6


def test_status_and_deployment_filters(project, camtrap_survey, tmp_path):
    out = tmp_path / "confirmed.zip"
    call_command(
        "export_camtrapdp", project.slug, "--out", str(out), "--status", "confirmed",
        "--deployment", "CAM-01",
    )  # fmt: skip
    _, tables = read_package(out.read_bytes())
    assert {r["classificationMethod"] for r in tables["observations"]} == {"human"}
    assert {r["deploymentID"] for r in tables["deployments"]} == {"CAM-01"}
    assert package_errors(out.read_bytes()) == []


def test_unknown_project_or_deployment_is_an_error(project, tmp_path):
    with pytest.raises(CommandError, match="No project"):
        call_command("export_camtrapdp", "nope", "--out", str(tmp_path / "x.zip"))
    with pytest.raises(CommandError, match="no deployment CAM-99"):
        call_command(
            "export_camtrapdp", project.slug, "--out", str(tmp_path / "x.zip"),
            "--deployment", "CAM-99",
        )  # fmt: skip
