"""Clicking a frame of the burst shows it large in place of the query, without lines."""

import pytest
from django.urls import reverse

from identification.models import Event
from identification.services.synthetic import camera_trap_jpeg
from tests.factories import add_media, review_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_burst_frames_open_large_in_place(
    transactional_db, live_server, page_as, expert, project, deployment
):
    world = review_world(project, n_pending=1, pretty=True)
    sighting = world["pending"][0]
    event = Event.objects.create(project=project, deployment=deployment)
    sighting.media.event = event
    sighting.media.save()
    frame = add_media(project, event=event, image=camera_trap_jpeg(1, 6, None, (640, 480)),
                      width=640, height=480)  # fmt: skip
    page = page_as(expert)
    page.goto(live_server.url + reverse("review_sighting", args=[project.slug, sighting.pk]))
    page.wait_for_function("document.querySelectorAll('.rv-lines line').length > 0")
    page.click(f'.rv-burst a[href$="/media/{frame.pk}/"]')
    query = page.locator(".rv-query img")
    assert query.get_attribute("src").endswith(f"/media/{frame.pk}/image/")
    assert page.locator(".rv-lines line").count() == 0
    page.click(".rv-burst a[data-query]")
    assert query.get_attribute("src").endswith(f"/media/{sighting.media.pk}/image/")
    page.wait_for_function("document.querySelectorAll('.rv-lines line').length > 0")
