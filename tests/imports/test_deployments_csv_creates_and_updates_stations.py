"""A Camtrap DP deployments.csv becomes deployments; existing IDs update only when allowed."""

import datetime as dt

import pytest
from django.core.management import call_command

from identification.models import Deployment
from identification.services.imports.deployments import DeploymentsRejected, import_deployments
from tests.camtrapdp import camtrap_dp_dir

pytestmark = pytest.mark.django_db


def test_official_example_deployments_are_imported(project):
    source = camtrap_dp_dir() / "example" / "deployments.csv"
    with source.open("rb") as handle:
        result = import_deployments(project, handle, update_existing=False)
    assert sorted(result.created) == ["00a2c20d", "29b7d356", "577b543a", "62c200a9"]
    assert "setupBy" in result.ignored_columns
    d = Deployment.objects.get(project=project, code="62c200a9")
    assert (d.latitude, d.longitude, d.coordinate_uncertainty) == (50.699, 4.013, 187)
    assert d.start == dt.datetime(2021, 3, 27, 20, 38, 18, tzinfo=dt.UTC)
    assert d.end == dt.datetime(2021, 4, 18, 21, 25, tzinfo=dt.UTC)
    assert (d.location_id, d.name) == ("ce943ced", "B_DM_val 4_'t WAD")
    assert (d.camera_id, d.camera_model, d.camera_height) == ("315", "Reconyx-HF2X", 1.0)
    assert d.bait_use is False
    assert d.habitat.startswith("Stream valley")


CSV = "deploymentID,latitude,longitude,deploymentStart,habitat\n{rows}"


def test_existing_ids_are_updated_with_the_files_columns_only(project, deployment):
    deployment.camera_model = "Browning"
    deployment.save()
    csv_text = CSV.format(rows="CAM-01,-27.5,32.1,2024-01-02T08:00:00,bush\n")
    result = import_deployments(project, csv_text, update_existing=True)
    assert (result.created, result.updated) == ([], ["CAM-01"])
    deployment.refresh_from_db()
    assert (deployment.latitude, deployment.habitat) == (-27.5, "bush")
    assert deployment.camera_model == "Browning"  # not a column of the file
    # No offset: the project's zone (UTC here).
    assert deployment.start == dt.datetime(2024, 1, 2, 8, tzinfo=dt.UTC)


def test_existing_ids_are_refused_when_updates_are_not_allowed(project, deployment):
    csv_text = CSV.format(rows="CAM-02,-27.5,32.1,,\nCAM-01,-27.5,32.1,,\n")
    with pytest.raises(DeploymentsRejected) as rejected:
        import_deployments(project, csv_text, update_existing=False)
    assert rejected.value.errors == [
        "line 3: deployment CAM-01 exists already; only a project admin may update it"
    ]
    assert not Deployment.objects.filter(code="CAM-02").exists()


def test_command_creates_and_reports(project, tmp_path, capsys):
    path = tmp_path / "deployments.csv"
    path.write_text(CSV.format(rows="CAM-05,-27.5,32.1,2024-01-02,\n"))
    call_command("import_deployments", project.slug, str(path))
    assert "1 deployment(s) created" in capsys.readouterr().out
    assert Deployment.objects.get(project=project, code="CAM-05").latitude == -27.5
