"""The capture-history form's first offer fits the survey: one-day occasions for a short one,
weeks for a season, 30 days for years (not 1,628 one-day occasions)."""

import datetime as dt

import pytest
from django.urls import reverse

from identification.models import Deployment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("days_deployed", "offered"), [(20, 1), (60, 1), (61, 7), (200, 7), (1628, 30)]
)
def test_the_occasion_length_offered_grows_with_the_survey(
    client_of, ranger, project, days_deployed, offered
):
    start = dt.datetime(2021, 3, 1, 12, tzinfo=dt.UTC)
    Deployment.objects.create(
        project=project, code="CAM-1", start=start, end=start + dt.timedelta(days=days_deployed - 1)
    )
    html = client_of(ranger).get(reverse("exports", args=[project.slug])).text
    assert f'name="days" value="{offered}"' in html
