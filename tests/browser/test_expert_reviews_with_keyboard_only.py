"""An expert works the queue with the keyboard alone: confirm, reject, new, undo."""

import pytest
from django.urls import reverse

from identification.models import Candidate, Decision, Sighting
from tests.factories import review_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _wait_for_sighting(page, pk: int) -> None:
    page.wait_for_selector(f'#review[data-sighting="{pk}"][data-ready]')


def test_expert_reviews_with_keyboard_only(
    transactional_db, live_server, page_as, screenshot, expert, project, deployment
):
    world = review_world(project, pretty=True, deployment=deployment)
    first, second, third = world["pending"]  # P(new) 0.1, 0.4, 0.7; threshold 0.5
    Sighting.objects.filter(pk=first.pk).update(
        bbox_x=0.22, bbox_y=0.12, bbox_width=0.56, bbox_height=0.72
    )
    page = page_as(expert)
    page.goto(live_server.url + reverse("review_next", args=[project.slug]))
    # Most confident first: |0.1-0.5| > |0.7-0.5| > |0.4-0.5|.
    _wait_for_sighting(page, first.pk)
    page.evaluate("window.__noReload = true")
    page.wait_for_function("document.querySelectorAll('.rv-lines line').length > 0")
    assert page.locator(".rv-lines rect.rv-bbox").count() == 1  # which animal of the frame
    screenshot(page, "review-screen")

    page.keyboard.press("1")  # confirm candidate 1 (IND-0001)
    _wait_for_sighting(page, third.pk)
    assert f"/review/{third.pk}/" in page.url  # hx-push-url
    first.refresh_from_db()
    assert first.status == Sighting.Status.CONFIRMED
    assert first.individual.code == "IND-0001"

    page.keyboard.press("ArrowRight")  # show candidate 2 beside the query
    assert page.locator(".rv-cand.shown").get_attribute("data-index") == "2"
    page.keyboard.press("x")  # reject the shown candidate
    page.wait_for_selector(".rv-notice:has-text('Rejected IND-0002')")
    assert Candidate.objects.get(sighting=third, individual__code="IND-0002").rejected
    assert page.locator(".rv-cand").count() == 4

    page.keyboard.press("n")  # a new individual
    _wait_for_sighting(page, second.pk)
    third.refresh_from_db()
    assert third.individual.code == "IND-0007"

    page.keyboard.press("u")  # undo the new individual: back to that sighting, pending
    _wait_for_sighting(page, third.pk)
    page.wait_for_selector(".rv-notice:has-text('Undone')")
    third.refresh_from_db()
    assert third.status == Sighting.Status.PENDING and third.individual is None
    assert Decision.objects.filter(action=Decision.Action.UNDO, user=expert).count() == 1
    assert page.evaluate("window.__noReload") is True  # never a full page load

    page.goto(live_server.url + first.individual.get_absolute_url())
    assert page.locator(f'.timeline a[href="{first.get_absolute_url()}"]').count() == 1
    page.goto(live_server.url + reverse("individual_list", args=[project.slug]))
    page.wait_for_selector(".ind-card")
    screenshot(page, "individuals")
