import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from identification.models import Batch, Sighting
from identification.services import decisions
from identification.services.review_queue import review_counts
from tests.factories import add_sighting, burst_track

pytestmark = pytest.mark.django_db


def test_review_counts_of_a_batch(project, expert, world):
    batch = Batch.objects.create(project=project)
    matched = add_sighting(project, p_new=0.3, batch=batch)
    add_sighting(project, batch=batch)  # still queued
    extracted = add_sighting(project, batch=batch)
    Sighting.objects.filter(pk=extracted.pk).update(pipeline_status="extracted")
    decisions.new_individual(matched, by=expert)
    counts = review_counts(Sighting.objects.filter(media__batch=batch))
    assert counts == {
        "sightings": 3, "extracted": 2, "matched": 1, "failed": 0, "reviewed": 1, "pending": 2,
        "waiting": 2, "reviews": 2,
    }  # fmt: skip
    html = render_to_string("review/_batch_review_counts.html", {"counts": counts})
    assert "<b>1</b> reviewed" in html and "<b>2</b> extracted" in html


def test_project_overview_loads_the_review_section(client_of, expert, project, world, decide):
    decide(client_of(expert), world["pending"][0], "new")
    overview = client_of(expert).get(reverse("project_detail", args=[project.slug])).text
    assert reverse("review_overview", args=[project.slug]) in overview
    section = client_of(expert).get(reverse("review_overview", args=[project.slug])).text
    assert "Decisions per expert" in section
    assert "Review 2 pending" in section
    # The line breaks between cells of the template do not render.
    assert re.search(r'>\s*expert\s*</a>\s*</td>\s*<td class="num">1</td>', section)


def test_the_overview_counts_a_burst_once_and_refreshes_while_sightings_wait(
    client_of, expert, project, deployment, world
):
    burst_track(project, deployment, world["individuals"][:3], frames=3)
    url = reverse("review_overview", args=[project.slug])
    section = client_of(expert).get(url).text
    # Three pending from the world and a track of three frames: six sightings, four reviews.
    assert "Review 4 pending" in section
    assert "<b>6</b> pending review" in section and "(4 reviews: a burst" in section
    assert 'hx-trigger="every 5s"' not in section, "nothing waits: no polling"

    waiting = add_sighting(project)  # stored, not matched yet
    section = client_of(expert).get(url).text
    assert 'hx-trigger="every 5s"' in section and "1 pending sighting not matched yet" in section
    Sighting.objects.filter(pk=waiting.pk).update(pipeline_status="matched")
    section = client_of(expert).get(url).text
    assert 'hx-trigger="every 5s"' not in section and "<b>7</b> matched" in section
