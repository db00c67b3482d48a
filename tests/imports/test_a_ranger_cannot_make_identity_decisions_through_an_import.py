"""Identity decisions need the expert role on every path. A ranger who zips a pending
sighting's image as IND-0002/seen.jpg is refused by the catalogue import page, the service,
the command and the worker (whose uploader lost the role after queueing); a Camtrap DP
import recorded for a ranger is refused too. The sighting stays pending, no decision is
written, and rangers see no link to the import."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from identification.models import Batch, Decision, Individual, Membership, Role, Sighting
from identification.services.imports.camtrapdp import PackageRejected, import_camtrapdp
from identification.services.imports.catalogue import (
    CatalogueInvalid,
    import_catalogue,
    queue_import,
)
from identification.services.ingest import store_image

from .catalogues import image

pytestmark = pytest.mark.django_db
REFUSAL = "records identity decisions, which need the expert role in this project"


@pytest.fixture
def pending(project):
    """A ranger's upload waiting for review, and the known individual IND-0002."""
    Individual.objects.create(project=project, code="IND-0002")
    media, _ = store_image(project, io.BytesIO(image(2, 0)), "DCIM/0001.JPG")
    return media.sightings.get()


@pytest.fixture
def catalogue_zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("IND-0002/seen.jpg", image(2, 0))
    return out.getvalue()


def _still_pending(sighting):
    sighting.refresh_from_db()
    assert sighting.status == Sighting.Status.PENDING and sighting.individual is None
    assert not Decision.objects.exists()


def test_the_page_refuses_a_ranger_and_hides_its_links(
    client_of, ranger, project, pending, catalogue_zip
):
    client = client_of(ranger)
    url = reverse("catalogue_import", args=[project.slug])
    assert client.get(url).status_code == 403
    upload = SimpleUploadedFile("c.zip", catalogue_zip, content_type="application/zip")
    assert client.post(url, {"archive": upload}).status_code == 403
    _still_pending(pending)
    for page in ("individual_list", "project_detail"):
        assert url.encode() not in client.get(reverse(page, args=[project.slug])).content


def test_the_service_and_the_command_refuse_a_ranger(
    ranger, project, pending, catalogue_zip, tmp_path
):
    with pytest.raises(CatalogueInvalid) as invalid:
        import_catalogue(project, io.BytesIO(catalogue_zip), user=ranger)
    assert invalid.value.problems == [f"A catalogue import {REFUSAL}; ranger does not have it."]
    path = tmp_path / "catalogue.zip"
    path.write_bytes(catalogue_zip)
    with pytest.raises(CommandError):
        call_command("import_catalogue", project.slug, str(path), "--user", "ranger")
    _still_pending(pending)


def test_the_worker_refuses_an_uploader_who_is_no_longer_an_expert(
    expert, project, pending, catalogue_zip, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("c.zip", catalogue_zip, content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        batch = queue_import(project, expert, upload)
    Membership.objects.filter(project=project, user=expert).update(role=Role.RANGER)
    for callback in queued:
        callback()
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED
    assert f"A catalogue import {REFUSAL}; expert does not have it." in batch.message
    _still_pending(pending)


def test_a_camtrapdp_import_for_a_ranger_is_refused(ranger, project, tmp_path):
    with pytest.raises(PackageRejected) as rejected:
        import_camtrapdp(project, tmp_path, by=ranger)
    assert rejected.value.errors == [f"A Camtrap DP import {REFUSAL}; ranger does not have it."]
