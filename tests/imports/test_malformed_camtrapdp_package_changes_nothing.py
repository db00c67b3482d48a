"""A Camtrap DP package with malformed rows imports nothing and names the bad lines."""

import pytest
from django.core.management import CommandError, call_command

from identification.models import Batch, Deployment, Media, Sighting
from identification.services.imports.camtrapdp import PackageRejected, import_camtrapdp
from tests.camtrapdp import example_copy

pytestmark = pytest.mark.django_db


def break_rows(rows):
    rows[3]["eventStart"] = "yesterday"
    rows[10]["deploymentID"] = "nowhere"
    rows[519]["bboxX"] = "1.7"


@pytest.fixture
def broken(tmp_path):
    return example_copy(tmp_path / "broken", break_rows)


def test_service_lists_the_lines_and_writes_nothing(project, deployment, broken):
    with pytest.raises(PackageRejected) as rejected:
        import_camtrapdp(project, broken)
    errors = rejected.value.errors
    assert "observations.csv line 5: eventStart 'yesterday' is not a date and time" in errors
    assert "observations.csv line 12: deploymentID 'nowhere' is unknown" in errors
    assert any(e.startswith("observations.csv line 521: the bounding box") for e in errors)
    assert list(Deployment.objects.filter(project=project)) == [deployment]
    assert not Media.objects.exists() and not Sighting.objects.exists()
    assert not Batch.objects.exists()


def test_bad_deployment_row_is_named_by_the_command(project, broken):
    path = broken / "deployments.csv"
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace("51.181", "151.181")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError) as failed:
        call_command("import_camtrapdp", project.slug, str(broken))
    assert "deployments.csv line 3: latitude 151.181 is outside −90…90" in str(failed.value)
    assert not Deployment.objects.filter(project=project).exists()


def test_a_folder_without_datapackage_is_refused(project, tmp_path):
    with pytest.raises(PackageRejected, match="no datapackage.json"):
        import_camtrapdp(project, tmp_path)
