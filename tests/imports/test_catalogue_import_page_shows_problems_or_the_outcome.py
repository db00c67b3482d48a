"""Uploading a catalogue zip on the import page: a small one is imported in the request and
its problems show on the form by line; a big one goes to a cpu worker and its result page
shows the problems or the outcome."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from identification.models import Batch, Sighting
from identification.views import catalogue_import as view

from .catalogues import nyala_catalogue, project_state, zip_bytes

pytestmark = pytest.mark.django_db


def _post(client, project, archive: bytes, split=""):
    upload = SimpleUploadedFile("nyala.zip", archive, content_type="application/zip")
    url = reverse("catalogue_import", args=[project.slug])
    return client.post(url, {"archive": upload, "split": split}, follow=True)


def test_a_small_zip_is_imported_at_once(client_of, project, expert, tmp_path):
    archive = zip_bytes(nyala_catalogue(tmp_path / "nyala"), wrap="nyala")
    response = _post(client_of(expert), project, archive, split="train")
    assert response.status_code == 200
    batch = Batch.objects.get(project=project, kind=Batch.Kind.IMPORT)
    assert response.redirect_chain[-1][0] == reverse(
        "catalogue_import_result", args=[project.slug, batch.pk]
    )
    assert batch.status == Batch.Status.DONE and batch.archive_name == "nyala.zip"
    assert b"3 individuals (3 new, 0 existing), 4 sightings confirmed" in response.content
    confirmed = project.sightings.filter(status=Sighting.Status.CONFIRMED)
    assert confirmed.count() == 4 and {s.decided_by for s in confirmed} == {expert}


def test_a_bad_row_is_shown_by_line_and_nothing_is_imported(client_of, project, expert, tmp_path):
    root = nyala_catalogue(tmp_path / "nyala")
    (root / "images/N2/0.jpg").unlink()
    before = project_state(project, settings.MEDIA_ROOT)
    response = _post(client_of(expert), project, zip_bytes(root))
    assert response.status_code == 400
    assert b"metadata.csv line 4: file images/N2/0.jpg not found" in response.content
    assert b"nothing was imported" in response.content
    assert project_state(project, settings.MEDIA_ROOT) == before


def test_a_file_that_is_not_a_zip_is_refused(client_of, project, expert):
    response = _post(client_of(expert), project, b"PK\x03\x04 but broken")
    assert response.status_code == 400
    assert b"not a readable zip archive" in response.content
    assert not Batch.objects.filter(project=project).exists()


def test_a_big_zip_is_imported_by_the_worker_and_its_result_shown(
    client_of, project, expert, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(view, "INLINE_MAX_BYTES", 1000)
    archive = zip_bytes(nyala_catalogue(tmp_path / "nyala"))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = _post(client_of(expert), project, archive, split="train")
    assert len(queued) == 1, "the import task was queued after the batch committed"
    batch = Batch.objects.get(project=project, kind=Batch.Kind.IMPORT)
    assert batch.status == Batch.Status.DONE and not batch.archive, "the zip is dropped after"
    page = client_of(expert).get(reverse("catalogue_import_result", args=[project.slug, batch.pk]))
    assert b"4 sightings confirmed" in page.content
    assert project.sightings.filter(status=Sighting.Status.CONFIRMED).count() == 4
    assert response.status_code == 200


def test_a_big_zip_with_a_bad_row_fails_its_batch_with_the_lines(
    client_of, project, expert, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(view, "INLINE_MAX_BYTES", 1000)
    root = nyala_catalogue(tmp_path / "nyala")
    (root / "metadata.csv").write_text((root / "metadata.csv").read_text().replace("2,N2,", "2,,"))
    with django_capture_on_commit_callbacks(execute=True):
        _post(client_of(expert), project, zip_bytes(root))
    batch = Batch.objects.get(project=project, kind=Batch.Kind.IMPORT)
    assert batch.status == Batch.Status.FAILED
    page = client_of(expert).get(reverse("catalogue_import_result", args=[project.slug, batch.pk]))
    assert b"metadata.csv line 4: empty identity" in page.content
    assert b"Not imported" in page.content
    assert not project.media.exists() and not project.individuals.exists()
