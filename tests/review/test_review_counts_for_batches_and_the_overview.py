import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from identification.models import Batch, Sighting
from identification.services import decisions
from identification.services.review_queue import review_counts
from tests.factories import add_sighting

pytestmark = pytest.mark.django_db


def test_review_counts_of_a_batch(project, expert, world):
    batch = Batch.objects.create(project=project)
    matched = add_sighting(project, p_new=0.3, batch=batch)
    add_sighting(project, batch=batch)  # still queued
    extracted = add_sighting(project, batch=batch)
    Sighting.objects.filter(pk=extracted.pk).update(pipeline_status="extracted")
    decisions.new_individual(matched, by=expert)
    counts = review_counts(Sighting.objects.filter(media__batch=batch))
    assert counts == {"sightings": 3, "extracted": 2, "matched": 1, "reviewed": 1, "pending": 2}
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
