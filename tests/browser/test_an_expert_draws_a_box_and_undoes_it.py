"""In a real browser: b turns box editing on, a mouse drag draws the box, Enter saves it (a
decision), u undoes it; the arrows nudge the box before saving."""

import pytest
from django.urls import reverse

from identification.models import Decision, Sighting
from tests.factories import review_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _box(sighting):
    sighting.refresh_from_db()
    return (sighting.bbox_x, sighting.bbox_y, sighting.bbox_width, sighting.bbox_height)


def test_an_expert_draws_a_box_with_the_mouse_saves_it_and_undoes_it(
    transactional_db, live_server, page_as, expert, project
):
    world = review_world(project, n_pending=1, pretty=True)
    sighting = world["pending"][0]
    before = _box(sighting)
    page = page_as(expert)
    page.goto(live_server.url + reverse("review_sighting", args=[project.slug, sighting.pk]))
    img = page.locator(".rv-query img")
    img.wait_for()
    page.wait_for_function("document.querySelector('.rv-query img').complete")
    page.keyboard.press("b")
    page.wait_for_selector('#review[data-box-mode="on"]')
    r = img.bounding_box()
    # Drag from 20 % / 30 % to 70 % / 80 % of the shown image.
    page.mouse.move(r["x"] + 0.2 * r["width"], r["y"] + 0.3 * r["height"])
    page.mouse.down()
    page.mouse.move(r["x"] + 0.5 * r["width"], r["y"] + 0.5 * r["height"], steps=5)
    page.mouse.move(r["x"] + 0.7 * r["width"], r["y"] + 0.8 * r["height"], steps=5)
    page.mouse.up()
    assert page.locator(".rv-lines rect.rv-bbox-edit").count() == 1
    page.keyboard.press("ArrowRight")  # nudged by 0.5 % of the width
    page.keyboard.press("Enter")
    page.wait_for_selector(".rv-notice.success")
    assert "New box" in page.locator(".rv-notice").inner_text()

    x, y, w, h = _box(Sighting.objects.get(pk=sighting.pk))
    assert x == pytest.approx(0.205, abs=0.01) and y == pytest.approx(0.3, abs=0.01)
    assert w == pytest.approx(0.5, abs=0.01) and h == pytest.approx(0.5, abs=0.01)
    assert Decision.objects.filter(sighting=sighting, action=Decision.Action.BOX).count() == 1

    page.keyboard.press("u")
    page.wait_for_selector(".rv-notice.success >> text=Undone")
    assert _box(Sighting.objects.get(pk=sighting.pk)) == before
