"""Effort comes from the deployment's dates, widened to its images; without dates, its images."""

import datetime as dt

import pytest

from identification.models import Deployment, Individual, Media, Sighting
from identification.services.exports import capture_history as ch
from tests.exports.world import local

pytestmark = pytest.mark.django_db


def confirmed_image(project, deployment, at, individual, n):
    media = Media.objects.create(
        project=project, deployment=deployment, file=f"x/{n}.jpg", sha256=f"{n:064x}",
        original_name=f"{n}.jpg", width=4, height=3, taken_at=at,
    )  # fmt: skip
    Sighting.objects.create(project=project, media=media, status="confirmed", individual=individual)


def usage(project, days=1) -> dict[str, list[float]]:
    options = ch.HistoryOptions(dt.date(2024, 5, 1), dt.date(2024, 5, 6), days, "secr")
    history = ch.build_history(project, options)
    return {s.code: s.usage for s in history.stations}


def test_images_widen_and_stand_in_for_deployment_dates(project):
    project.time_zone = "Africa/Johannesburg"
    project.save()
    ind = Individual.objects.create(project=project, code="IND-0001")
    # declared 2–3 May, but a detection on 5 May: the camera was still out then
    late = Deployment.objects.create(
        project=project, code="LATE", latitude=0, longitude=0, start=local(2, 9), end=local(3, 9)
    )
    confirmed_image(project, late, local(5, 12), ind, 1)
    # no dates at all: operating from its first image (1 May) to its last (3 May)
    undated = Deployment.objects.create(project=project, code="UNDATED", latitude=0, longitude=0)
    confirmed_image(project, undated, local(1, 23, 30), ind, 2)
    confirmed_image(project, undated, local(3, 0, 10), ind, 3)
    # a start but no end and no image: nothing says when it worked
    Deployment.objects.create(project=project, code="OPEN", latitude=0, longitude=0, start=local(1))
    assert usage(project) == {
        "LATE": [0, 1, 1, 1, 1, 0],
        "UNDATED": [1, 1, 1, 0, 0, 0],
    }
    # 4-day occasions 1–4 and 5–6 May (short): LATE ran 3 of 4 days, then 1 day of 4
    assert usage(project, days=4) == {"LATE": [0.75, 0.25], "UNDATED": [0.75, 0]}
