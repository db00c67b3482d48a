"""The whole flow: a ranger uploads a small batch and waits for the progress bar to finish;
an expert then reviews the new sightings with the keyboard.

The `reid` marker runs the real pipeline (eager Celery, CPU models): candidates come from the
models, and a decision feeds the gallery that ranks the next sightings.
"""

import datetime as dt

import pytest
from django.urls import reverse

from identification.models import Sighting
from identification.services.synthetic import camera_trap_jpeg
from tests.images import exif_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.reid]


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
    upload_url = reverse("batch_create", args=[project.slug])
    page = page_as(ranger)
    page.goto(live_server.url + upload_url)
    page.select_option("select[name=deployment]", str(deployment.pk))
    page.set_input_files("input[name=files]", _files(tmp_path))
    # Eager Celery (the `reid` marker) ingests, extracts and matches inside the upload request.
    page.click("#upload-form button[type=submit]", timeout=180_000)
    page.wait_for_selector("#batch-finished", timeout=120_000)
    assert Sighting.objects.filter(project=project).count() == 3

    # The expert knows the animals (IMG_0000 and IMG_0002 are animal 1). The batch's first
    # sighting has no gallery to match; once it is a new individual, its features join the
    # gallery and the pending sightings are re-scored, so the matcher proposes it for the other
    # view of animal 1, first among the candidates, and the expert confirms with the keyboard.
    animal_of = {"IMG_0000.JPG": 1, "IMG_0001.JPG": 2, "IMG_0002.JPG": 1}
    code_of: dict[int, str] = {}
    review = page_as(expert)
    review.goto(live_server.url + reverse("review_next", args=[project.slug]))
    for _ in range(3):
        review.wait_for_selector("#review[data-sighting][data-ready]")
        pk = int(review.get_attribute("#review", "data-sighting"))
        animal = animal_of[Sighting.objects.get(pk=pk).media.original_name]
        codes = review.locator(".rv-cand .rv-cand-head b").all_inner_texts()
        if animal in code_of:
            assert codes[:1] == [code_of[animal]], "the matcher ranks the right animal first"
            review.keyboard.press("1")
        else:
            review.keyboard.press("n")
        review.wait_for_function(f"!document.querySelector('#review[data-sighting=\"{pk}\"]')")
        sighting = Sighting.objects.get(pk=pk)
        assert sighting.status == Sighting.Status.CONFIRMED
        code_of.setdefault(animal, sighting.individual.code)
        assert sighting.individual.code == code_of[animal]
    review.wait_for_selector("text=Nothing left to review here")
    assert not Sighting.objects.filter(project=project, status="pending").exists()
    assert len(set(code_of.values())) == 2
    twice = Sighting.objects.get(media__original_name="IMG_0002.JPG").individual
    review.goto(live_server.url + reverse("individual_detail", args=[project.slug, twice.pk]))
    assert review.locator(".timeline .tl-item").count() == 2
