"""The imports take times from their files, not from EXIF: a deployments.csv start or end, a
Camtrap DP media timestamp or classification time, a catalogue's metadata date outside the
project's plausible capture times refuses the file with the line, and nothing is written."""

import pytest

from identification.models import Deployment, Media, Sighting
from identification.services.imports.camtrapdp import PackageRejected, import_camtrapdp
from identification.services.imports.catalogue import CatalogueInvalid, import_catalogue
from identification.services.imports.deployments import DeploymentsRejected, import_deployments
from tests.camtrapdp import edit_csv, example_copy
from tests.imports.catalogues import image, metadata_catalogue

pytestmark = pytest.mark.django_db

WINDOW = "the project's plausible capture times"


def test_a_deployment_ending_in_year_9999_is_refused(project):
    text = (
        "deploymentID,deploymentStart,deploymentEnd\n"
        "CAM-10,2024-01-01T00:00:00Z,9999-12-31T23:59:59-12:00\n"
        "CAM-11,1970-01-01T00:00:00Z,2024-01-01T00:00:00Z\n"
    )
    with pytest.raises(DeploymentsRejected) as rejected:
        import_deployments(project, text, update_existing=True)
    errors = rejected.value.errors
    assert errors[0].startswith(
        "line 2: deploymentEnd 9999-12-31T23:59:59-12:00 is outside 1990-01-01"
    )
    assert errors[1].startswith("line 3: deploymentStart 1970-01-01T00:00:00Z is outside")
    assert all(WINDOW in e for e in errors)
    assert not Deployment.objects.filter(project=project).exists()


def test_a_camtrapdp_package_with_far_future_times_is_refused(project, tmp_path):
    def poison_observations(rows):
        rows[3]["classificationTimestamp"] = "9999-12-31T23:59:59-12:00"
        rows[4]["eventEnd"] = "9999-12-31T23:59:59-12:00"

    package = example_copy(tmp_path / "package", poison_observations)
    edit_csv(
        package / "media.csv",
        lambda rows: rows[0].update(timestamp="9999-12-31T23:59:59-12:00"),
    )
    with pytest.raises(PackageRejected) as rejected:
        import_camtrapdp(project, package)
    errors = rejected.value.errors
    for where, column in (
        ("media.csv line 2", "timestamp"),
        ("observations.csv line 5", "classificationTimestamp"),
        ("observations.csv line 6", "eventEnd"),
    ):
        assert any(
            e.startswith(f"{where}: {column} 9999-12-31T23:59:59-12:00 is outside") for e in errors
        ), (where, errors)
    assert not Media.objects.exists() and not Sighting.objects.exists()


def test_a_catalogue_row_dated_year_9999_is_refused(project, expert, tmp_path):
    rows = [
        {"image_id": "a", "identity": "N1", "path": "a.jpg", "date": "9999-12-31 23:59:59"},
    ]
    metadata_catalogue(tmp_path, rows, {"a.jpg": image(1, 0)})
    with pytest.raises(CatalogueInvalid) as invalid:
        import_catalogue(project, tmp_path, user=expert)
    [problem] = invalid.value.problems
    assert problem.startswith(
        "metadata.csv line 2: file a.jpg: date 9999-12-31T23:59:59 is outside 1990-01-01 … "
    )
    assert problem.endswith(WINDOW)
    assert not Media.objects.exists()
