"""A burst of one animal is one review in the browser: one key confirms every frame."""

import pytest
from django.urls import reverse

from identification.models import Sighting
from tests.factories import add_individual, burst_track

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_expert_reviews_a_burst_as_one_track(
    transactional_db, live_server, page_as, screenshot, expert, project, deployment
):
    individuals = [add_individual(project, f"IND-{i:04d}", animal=i, images=1) for i in range(1, 4)]
    frames = burst_track(project, deployment, individuals, frames=3, pretty=True)
    page = page_as(expert)
    page.goto(live_server.url + reverse("review_next", args=[project.slug]))
    page.wait_for_selector(f'#review[data-sighting="{frames[0].pk}"][data-ready]')
    page.evaluate("window.__noReload = true")
    assert page.locator(".rv-track-frames li").count() == 3
    assert "Track of 3 frames" in page.locator(".rv-track").inner_text()
    screenshot(page, "review-track")

    page.locator(".rv-track-frames li").nth(2).locator("a").click()  # look at the last frame
    assert page.locator(".rv-compare").get_attribute("data-frame") == "burst"

    page.keyboard.press("1")
    page.wait_for_selector(".rv-done, .rv-notice:has-text('other frames of its track')")
    statuses = set(
        Sighting.objects.filter(pk__in=[f.pk for f in frames]).values_list("status", "individual")
    )
    assert statuses == {(Sighting.Status.CONFIRMED, individuals[0].pk)}
    assert page.evaluate("window.__noReload") is True
