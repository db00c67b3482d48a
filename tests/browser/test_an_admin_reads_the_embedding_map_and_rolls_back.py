"""In a real browser: after a training, the matcher page's maps show each gallery image as
a dot; hovering one shows its image, the pending sightings can be hidden, and one click
rolls the project back to the site's model."""

import pytest
from django.urls import reverse

from identification.models import GlobalModelVersion, Sighting
from identification.services import global_models
from tests.browser.conftest import SCREENSHOTS
from tests.factories import coat_gallery
from worker.tasks import reid as reid_tasks

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.reid]


def test_hovering_a_dot_shows_its_image_and_rollback_is_one_click(
    transactional_db, live_server, page_as, admin_user, project, settings
):
    settings.REIDSITE_ENABLE_REID = False  # the gallery is extracted below, in one pass
    settings.REIDSITE_TRAINING = False  # trained when the test asks
    settings.REIDSITE_TRAIN_MIN_INDIVIDUALS = 4
    settings.REIDSITE_TRAIN_IMAGE_SIZE = 64
    settings.REIDSITE_TRAIN_FROZEN_FRACTION = 0.5
    settings.REIDSITE_TRAIN_MAX_EPOCHS = 12
    settings.REIDSITE_CALIBRATION_PSEUDO_QUERIES = 8
    _, pending = coat_gallery(project, 10, 5, pending=4)
    settings.REIDSITE_ENABLE_REID = True
    gallery = list(
        project.sightings.filter(status=Sighting.Status.CONFIRMED).values_list("pk", flat=True)
    )
    reid_tasks.update_gallery(project.pk, gallery)
    reid_tasks.match([s.pk for s in pending])
    version = global_models.request_training(project, now=True)  # runs at commit, eagerly
    version.refresh_from_db()
    assert version.status == GlobalModelVersion.Status.BETTER, version.history

    page = page_as(admin_user)
    page.goto(live_server.url + reverse("matcher", args=[project.slug]))
    assert "v1 (in use)" in page.locator("#matcher-versions").inner_text()
    dots = page.locator("svg.embedding-map circle")
    assert dots.count() == 2 * (50 + 4)
    dot = page.locator("svg.embedding-map circle:not(.pending)").first
    dot.hover()
    thumb = page.locator("#embedding-thumb")
    thumb.wait_for(state="visible")
    page.wait_for_function("document.getElementById('embedding-thumb').naturalWidth > 0")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "matcher.png"), full_page=True)

    pending_rings = page.locator("svg.embedding-map circle.pending")
    assert pending_rings.first.is_visible()
    page.uncheck("#show-pending")
    assert not pending_rings.first.is_visible()

    # The live server's eager tasks re-embed and re-rank inside this request: on a loaded
    # 2-core machine that takes longer than the default action timeout.
    page.click("text=Roll back to the site's model", timeout=90_000)
    page.wait_for_selector("text=Now using the site's model", timeout=90_000)
    project.refresh_from_db()
    assert project.global_model is None
    for sighting in pending:
        versions = {c.model_versions["project_model"] for c in sighting.candidates.all()}
        assert versions == {"site"}
