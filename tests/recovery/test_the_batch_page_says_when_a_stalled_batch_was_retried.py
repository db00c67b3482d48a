"""The batch page tells the uploader that the batch stalled and when it was queued again; a
batch given up shows the sweeper's message as its problem."""

import pytest
from django.utils import timezone

from identification.models import Batch
from reidsite.celery import app as celery_app

from .conftest import stage

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def test_a_retried_batch_shows_stalled_and_the_retry_time(
    project, ranger, client_of, sweep_at, stall_minutes, broker
):
    batch = stage(project, ranger, 2)
    sweep_at(stall_minutes + 1)
    batch.refresh_from_db()
    at = timezone.localtime(batch.stall_retried_at).strftime("%H:%M")

    page = client_of(ranger).get(batch.get_absolute_url(), headers={"HX-Request": "true"})

    assert "Stalled" in page.text
    assert f"retried at {at} (retry 1 of" in page.text


def test_a_given_up_batch_shows_the_message_and_stops_polling(
    project, ranger, client_of, sweep_at, stall_minutes, broker, settings
):
    settings.REIDSITE_SWEEP_MAX_RETRIES = 1
    batch = stage(project, ranger, 2)
    sweep_at(stall_minutes + 1)
    celery_app.control.purge()  # the retry's message was lost too
    sweep_at(2 * (stall_minutes + 1))
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FAILED

    page = client_of(ranger).get(batch.get_absolute_url(), headers={"HX-Request": "true"})

    assert "Problem" in page.text and "stalled" in page.text and "given up at" in page.text
    assert "hx-trigger" not in page.text and "Stalled" not in page.text
