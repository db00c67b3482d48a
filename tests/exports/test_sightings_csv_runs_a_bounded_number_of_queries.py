"""The sightings CSV costs the same few queries for 12 sightings as for 60: no N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from identification.models import Candidate, Media, Sighting

pytestmark = pytest.mark.django_db

MAX_QUERIES = 6  # session, user, membership, the sightings query; filters add a lookup each


def add_pending(project, individual, deployment, n: int) -> None:
    media = Media.objects.bulk_create(
        Media(
            project=project,
            deployment=deployment,
            file=f"x/{i}.jpg",
            sha256=f"{i:064x}",
            original_name=f"{i}.jpg",
            width=10,
            height=10,
        )  # fmt: skip
        for i in range(1000, 1000 + n)
    )
    sightings = Sighting.objects.bulk_create(
        Sighting(project=project, media=m, p_new=0.3) for m in media
    )
    Candidate.objects.bulk_create(
        Candidate(sighting=s, rank=1, individual=individual, fused=0.7) for s in sightings
    )


def queries_for_download(client, project, query=None) -> tuple[int, int]:
    url = reverse("export_sightings", args=[project.slug])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query or {})
        rows = b"".join(response.streaming_content).count(b"\r\n") - 1
    return len(captured), rows


def test_queries_do_not_grow_with_rows(
    client_of, ranger, project, export_world, django_assert_max_num_queries
):
    client = client_of(ranger)
    few, rows_before = queries_for_download(client, project)
    add_pending(project, export_world["alpha"], export_world["cams"]["A"], 48)
    with django_assert_max_num_queries(MAX_QUERIES):
        many, rows_after = queries_for_download(client, project)
    assert (rows_before, rows_after) == (12, 60)
    assert many == few


def test_filters_add_at_most_their_own_lookup(
    client_of, ranger, project, export_world, django_assert_max_num_queries
):
    query = {"batch": export_world["batch"].pk, "deployment": "CAM-B", "status": "pending"}
    client = client_of(ranger)  # signing in costs queries of its own
    with django_assert_max_num_queries(MAX_QUERIES + 2):
        _, rows = queries_for_download(client, project, query)
    assert rows == 1
