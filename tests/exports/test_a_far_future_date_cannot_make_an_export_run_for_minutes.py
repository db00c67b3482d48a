"""A storable but absurd date (an image of 9999-12-31, a history or filter reaching year 9999)
neither makes the capture-history export count cameras day by day to year 9999 nor
overflows Python's dates: the export answers at once, or the form says what is wrong."""

import datetime as dt
import hashlib
import time

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from identification.models import Media, Sighting
from identification.services.exports import capture_history as ch

pytestmark = pytest.mark.django_db


@pytest.fixture
def far_future_image(project, deployment):
    """What an import or an old upload could leave: a camera whose last image is year 9999."""
    deployment.start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    deployment.save()
    data = b"far future"
    media = Media(
        project=project, deployment=deployment, sha256=hashlib.sha256(data).hexdigest(),
        original_name="late.jpg", width=10, height=10,
        taken_at=dt.datetime(9999, 12, 31, tzinfo=dt.UTC),
    )  # fmt: skip
    media.file.save("late.jpg", ContentFile(data), save=False)
    media.save()
    Sighting.objects.create(project=project, media=media)
    return media


def test_a_month_long_history_is_quick_despite_the_far_future_image(
    client_of, ranger, project, far_future_image
):
    url = reverse("export_capture_history", args=[project.slug])
    began = time.monotonic()
    response = client_of(ranger).get(
        url, {"start": "2024-01-01", "end": "2024-01-31", "days": 7, "format": "secr"}
    )
    assert response.status_code == 200
    assert time.monotonic() - began < 5
    history = ch.build_history(
        project, ch.HistoryOptions(dt.date(2024, 1, 1), dt.date(2024, 1, 31), days=7)
    )
    assert len(history.occasions) == 5
    assert history.stations[0].days == {dt.date(2024, 1, d) for d in range(1, 32)}


@pytest.mark.parametrize(
    "query",
    [
        {"start": "9999-12-01", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "0001-01-31"},
        {"start": "2024-01-01", "end": "9999-12-31"},
    ],
)
def test_a_history_reaching_absurd_years_is_a_form_error(
    client_of, ranger, project, far_future_image, query
):
    url = reverse("export_capture_history", args=[project.slug])
    response = client_of(ranger).get(url, {**query, "days": 1, "format": "secr"})
    assert response.status_code == 400
    assert "Choose a day between 1900-01-01 and 2199-12-31." in response.text


@pytest.mark.parametrize("url_name", ["export_sightings", "export_camtrapdp"])
def test_a_filter_ending_on_9999_12_31_is_a_form_error(client_of, ranger, project, url_name):
    url = reverse(url_name, args=[project.slug])
    response = client_of(ranger).get(url, {"date_to": "9999-12-31"})
    assert response.status_code == 400
    assert "Choose a day between 1900-01-01 and 2199-12-31." in response.text


def test_the_service_refuses_a_span_longer_than_the_form_allows(project):
    options = ch.HistoryOptions(dt.date(1900, 1, 1), dt.date(2199, 12, 31))
    with pytest.raises(ValueError, match="spans 1 to 3660 days"):
        ch.build_history(project, options)
