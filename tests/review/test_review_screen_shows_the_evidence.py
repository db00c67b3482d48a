"""What the expert sees for one sighting: image details, burst, candidates with evidence,
keypoint correspondences for the overlay, and P(new) against the project threshold."""

import json

import pytest
from django.urls import reverse

from identification.models import Event
from tests.factories import add_media

pytestmark = pytest.mark.django_db


def test_review_screen_shows_the_evidence(client_of, expert, project, deployment, world):
    sighting = world["pending"][0]
    event = Event.objects.create(project=project, deployment=deployment)
    sighting.media.event = event
    sighting.media.deployment = deployment
    sighting.media.save()
    sighting.side = "left"
    sighting.save()
    burst = [add_media(project, event=event, deployment=deployment) for _ in range(2)]
    url = reverse("review_sighting", args=[project.slug, sighting.pk])
    response = client_of(expert).get(url)
    page = response.text
    assert sighting.media.taken_at.strftime("%Y-%m-%d %H:%M:%S") in page
    assert "CAM-01 Waterhole north" in page and "left side" in page
    for m in burst:
        assert reverse("media_thumbnail", args=[project.slug, m.pk]) in page
    assert reverse("media_file", args=[project.slug, sighting.media.pk]) in page
    assert "P(new individual)" in page and "10%" in page and "threshold 50%" in page
    shown = response.context["shown"]
    assert [s.individual.code for s in shown] == [f"IND-{i:04d}" for i in range(1, 6)]
    top = shown[0]
    assert top.gallery == top.candidate.gallery_sighting.media
    assert len(top.more) == 1  # the individual's other confirmed image
    assert top.evidence == [("aliked", 36.0, 0.9), ("global", 0.72, 0.9)]
    lines = json.loads(top.lines)
    assert len(lines) == 24 and lines[0][4] >= lines[-1][4]  # most confident first
    assert 'data-lines="[[' in page
    assert "<kbd>1</kbd> Confirm" in page and "<kbd>x</kbd> Reject" in page
