"""A training is queued once however often it is asked for, runs once however often its
message is delivered, and a training whose worker died (its epochs stopped) is taken up
again by the sweeper and finished."""

import datetime as dt

import pytest
from django.utils import timezone

from identification.models import GlobalModelVersion
from identification.services import global_models, sweeper
from tests.factories import add_individual
from worker.tasks.training import train_global_model

pytestmark = [pytest.mark.django_db, pytest.mark.reid]
S = GlobalModelVersion.Status


def test_a_second_request_and_a_second_delivery_change_nothing(
    project, trainable, settings, django_capture_on_commit_callbacks
):
    settings.REIDSITE_TRAIN_MAX_EPOCHS = 2
    first = global_models.request_training(project, now=True)
    assert global_models.request_training(project, now=True) is None  # one at a time
    assert project.global_model_versions.count() == 1

    train_global_model(first.pk)
    first.refresh_from_db()
    assert first.status in (S.BETTER, S.NOT_BETTER) and len(first.history) == 2
    done = (first.status, first.finished_at, first.history, first.file.name)

    train_global_model(first.pk)  # the same message again (a retry, a late redelivery)
    first.refresh_from_db()
    assert (first.status, first.finished_at, first.history, first.file.name) == done
    assert project.global_model_versions.count() == 1


def test_a_training_still_beating_is_not_taken_by_another_delivery(project, settings):
    settings.REIDSITE_TRAIN_MIN_INDIVIDUALS = 2
    for code in ("A", "B"):
        add_individual(project, code, images=2)
    version = global_models.request_training(project, now=True)
    assert global_models.claim(version.pk)
    assert not global_models.claim(version.pk)  # the other delivery returns at once
    assert sweeper.sweep().trainings == []  # its heartbeat is fresh: not stalled


def test_the_sweeper_finishes_the_training_of_a_killed_worker(
    project, trainable, settings, django_capture_on_commit_callbacks
):
    settings.REIDSITE_TRAIN_MAX_EPOCHS = 2
    version = global_models.request_training(project, now=True)
    assert global_models.claim(version.pk)
    # The worker died at its first epoch, twenty minutes ago.
    global_models.record_epoch(version.pk, {"epoch": 1, "loss": 0.3, "val_top1": 0.5})
    long_ago = timezone.now() - dt.timedelta(minutes=20)
    GlobalModelVersion.objects.filter(pk=version.pk).update(heartbeat_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        result = sweeper.sweep()
    version.refresh_from_db()

    assert result.trainings == [version.pk]
    assert version.status in (S.BETTER, S.NOT_BETTER)
    assert [row["epoch"] for row in version.history] == [1, 2]  # trained again from the start
    assert version.finished_at > long_ago
