"""The sightings CSV's filters: batch, deployment, dates (project time zone) and statuses."""

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(client_of, ranger, project, export_world):
    client = client_of(ranger)

    def get(**query) -> list[int]:
        response = client.get(reverse("export_sightings", args=[project.slug]), query)
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode()
        return [int(r["sighting_id"]) for r in csv.DictReader(io.StringIO(text))]

    return get


def pks(world, *numbers) -> list[int]:
    return [world["s"][n].pk for n in numbers]


def test_status_filter_takes_several_statuses(ids, export_world):
    assert ids(status="confirmed") == pks(export_world, 1, 2, 3, 5, 6, 4, 7, 8)
    assert ids(status="proposed_new") == pks(export_world, 10)
    assert ids(status="pending") == pks(export_world, 9, 12)
    assert ids(status=["pending", "proposed_new"]) == pks(export_world, 9, 10, 12)
    assert ids(status="rejected") == pks(export_world, 11)


def test_deployment_filter(ids, export_world):
    assert ids(deployment=export_world["cams"]["B"].pk) == pks(export_world, 3, 9)


def test_batch_filter(ids, export_world):
    assert ids(batch=export_world["batch"].pk) == pks(export_world, 9, 10)


def test_dates_are_whole_days_in_the_project_time_zone(ids, export_world):
    # s5 is 4 May 01:00 in Johannesburg, still 3 May in UTC: it belongs to 4 May.
    assert ids(date_from="2024-05-04", date_to="2024-05-06") == pks(export_world, 5, 6, 10, 11)
    assert ids(date_to="2024-05-03") == pks(export_world, 1, 2, 3, 9)


def test_filters_combine(ids, export_world):
    query = {"deployment": export_world["cams"]["A"].pk, "status": "confirmed"}
    assert ids(**query, date_from="2024-05-02") == pks(export_world, 5, 6)


def test_no_match_is_a_header_only_file(client_of, ranger, project, export_world):
    url = reverse("export_sightings", args=[project.slug])
    response = client_of(ranger).get(url, {"date_from": "2030-01-01"})
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("project,sighting_id,") and text.count("\n") == 1
