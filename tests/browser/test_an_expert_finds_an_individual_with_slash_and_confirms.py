"""An expert whose animal is not among the candidates finds it by code with `/` (issue 14)."""

import pytest
from django.urls import reverse

from identification.models import Decision, Sighting
from tests.factories import review_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_expert_finds_an_individual_with_slash_and_confirms(
    transactional_db, live_server, page_as, expert, project, deployment
):
    world = review_world(project, pretty=True, deployment=deployment)
    first = world["pending"][0]
    page = page_as(expert)
    page.goto(live_server.url + reverse("review_sighting", args=[project.slug, first.pk]))
    page.wait_for_selector(f'#review[data-sighting="{first.pk}"][data-ready]')
    page.evaluate("window.__noReload = true")

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.matches('[data-search]')")
    page.keyboard.type("0006")  # IND-0006 is not among the five candidates
    page.wait_for_selector('.rv-found-item button.active[data-found="IND-0006"]')
    # Typing in the box is not a shortcut: "0006" did not confirm candidate 6 or anything else.
    first.refresh_from_db()
    assert first.status == Sighting.Status.PENDING
    page.keyboard.type("x")  # no individual matches "0006x": nothing to pick
    page.wait_for_selector(".rv-found .empty")
    page.keyboard.press("Backspace")
    page.wait_for_selector('.rv-found-item button.active[data-found="IND-0006"]')
    page.keyboard.press("Enter")

    page.wait_for_selector(f".rv-notice:has-text('Sighting {first.pk} confirmed as IND-0006')")
    first.refresh_from_db()
    assert first.status == Sighting.Status.CONFIRMED
    assert first.individual.code == "IND-0006"
    decision = Decision.objects.get(user=expert, sighting=first)
    assert decision.details["found_by_search"] is True and decision.details["search"] == "0006"
    assert page.evaluate("window.__noReload") is True  # swapped in place, no page load
    assert f"/review/{first.pk}/" not in page.url  # on to the next sighting
