"""A project poisoned before capture times were checked (a year-10000 time already in
PostgreSQL) is repaired by migration 0004: the image keeps no time and its raw EXIF value,
its event spans what is left, and the pages that failed answer again."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from identification.models import Deployment, Event, Media
from identification.services.events import regroup_events
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db
migration = importlib.import_module("identification.migrations.0004_capture_window")


def test_the_upgrade_repairs_unreadable_times(upload, client_of, expert, project, deployment):
    taken = dt.datetime(2024, 5, 1, 6, 0)
    upload(
        {
            "poison.jpg": jpeg_bytes(seed=1, taken_at=taken),
            "mate.jpg": jpeg_bytes(seed=2, taken_at=taken + dt.timedelta(seconds=5)),
        },
        deployment,
    )
    poison = Media.objects.get(original_name="poison.jpg")
    # What the old code stored for "9999:12:31 23:59:59 -12:00": PostgreSQL keeps year 10000.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE identification_media SET taken_at = '10000-01-01 11:59:59+00', "
            "exif = jsonb_set(exif, '{DateTimeOriginal}', '\"9999:12:31 23:59:59\"') "
            "WHERE id = %s",
            [poison.pk],
        )
        cursor.execute(
            "UPDATE identification_event SET \"end\" = '10000-01-01 11:59:59+00' "
            "WHERE id = (SELECT event_id FROM identification_media WHERE id = %s)",
            [poison.pk],
        )
        cursor.execute(
            "UPDATE identification_deployment SET \"end\" = '10000-01-01 11:59:59+00' "
            "WHERE id = %s",
            [deployment.pk],
        )

    migration.repair_implausible_times(apps, None)

    poison = Media.objects.get(pk=poison.pk)
    assert poison.taken_at is None and poison.timestamp_missing and poison.event_id is None
    assert poison.raw_time == "9999:12:31 23:59:59"
    assert poison.time_problem.startswith("The stored capture time was outside 1990-01-01 … ")
    event = Event.objects.get()
    assert event.start == event.end == dt.datetime(2024, 5, 1, 6, 0, 5, tzinfo=dt.UTC)
    assert Deployment.objects.get(pk=deployment.pk).end is None
    assert regroup_events(deployment) == 1
    client = client_of(expert)
    for name, args in (
        ("deployment_list", []),
        ("review_queue", []),
        ("exports", []),
        ("media_detail", [poison.pk]),
    ):
        assert client.get(reverse(name, args=[project.slug, *args])).status_code == 200, name
