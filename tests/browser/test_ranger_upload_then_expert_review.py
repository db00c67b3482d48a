"""The whole flow: a ranger uploads a small batch and waits for the progress bar to finish;
an expert then reviews the new sightings with the keyboard.

Without the `reid` marker the pipeline is off, so the sightings have no candidates and the
expert answers "new individual"; with it (the pipeline's Celery adapters wired), candidates
come from the models and the expert confirms the top one where there is one.
"""

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse

from identification.models import Sighting
from identification.services.synthetic import camera_trap_jpeg
from tests.images import exif_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _files(tmp_path):
    start = dt.datetime(2024, 6, 1, 5, 30)
    paths = []
    for i, (animal, view) in enumerate([(1, 0), (2, 0), (1, 1)]):
        taken = start + dt.timedelta(minutes=10 * i)  # far apart: three events
        path = tmp_path / f"IMG_{i:04d}.JPG"
        path.write_bytes(camera_trap_jpeg(animal, view, None, size=(640, 480),
                                          exif=exif_bytes(taken)))  # fmt: skip
        paths.append(str(path))
    return paths


def test_ranger_upload_then_expert_review(
    transactional_db, live_server, page_as, tmp_path, ranger, expert, project, deployment
):
    try:
        upload_url = reverse("batch_create", args=[project.slug])
    except NoReverseMatch:
        pytest.skip("the upload page (batch_create) is not wired yet")
    page = page_as(ranger)
    page.goto(live_server.url + upload_url)
    page.select_option("select[name=deployment]", str(deployment.pk))
    page.set_input_files("input[name=files]", _files(tmp_path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#batch-finished", timeout=120_000)
    assert Sighting.objects.filter(project=project).count() == 3

    review = page_as(expert)
    review.goto(live_server.url + reverse("review_next", args=[project.slug]))
    for _ in range(3):
        review.wait_for_selector("#review[data-sighting][data-ready]")
        pk = int(review.get_attribute("#review", "data-sighting"))
        has_candidates = review.locator(".rv-cand").count() > 0
        review.keyboard.press("1" if has_candidates else "n")
        review.wait_for_function(f"!document.querySelector('#review[data-sighting=\"{pk}\"]')")
        assert Sighting.objects.get(pk=pk).status == Sighting.Status.CONFIRMED
    review.wait_for_selector("text=Nothing left to review here")
    assert not Sighting.objects.filter(project=project, status="pending").exists()
    individual = Sighting.objects.filter(project=project).first().individual
    review.goto(live_server.url + reverse("individual_detail", args=[project.slug, individual.pk]))
    assert review.locator(".timeline .tl-item").count() >= 1
