"""A change of model whose re-embedding message was lost (a killed worker, a Redis that lost
its data) is sent again by the sweeper and finished; one that keeps making no progress is
given up after REIDSITE_SWEEP_MAX_RETRIES retries, the matcher page says so, and an admin can
start it again. A switch younger than REIDSITE_SWEEP_STALLED_MINUTES is left alone."""

import datetime as dt

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from identification.models import GlobalModelVersion, Project, SightingFeatures
from identification.services import global_models, reembedding, sweeper

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def _lost_switch(project, django_capture_on_commit_callbacks, minutes_ago: float) -> Project:
    """Train and deploy a model, then roll back to the site's model, the rollback's
    re-embedding message lost with its worker `minutes_ago` minutes ago."""
    with django_capture_on_commit_callbacks(execute=True):
        version = global_models.request_training(project, now=True)
    assert version is not None
    version.refresh_from_db()
    assert version.status == GlobalModelVersion.Status.BETTER
    project.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as sent:
        global_models.deploy(project, None)
    assert len(sent) == 1  # the message was queued, then lost
    # Everything happened `minutes_ago` earlier than it did.
    ago = dt.timedelta(minutes=minutes_ago)
    Project.objects.filter(pk=project.pk).update(global_model_since=F("global_model_since") - ago)
    SightingFeatures.objects.filter(sighting__project=project).update(
        created_at=F("created_at") - ago
    )
    project.sightings.filter(matched_at__isnull=False).update(matched_at=F("matched_at") - ago)
    project.refresh_from_db()
    return project


def test_the_sweeper_finishes_a_switch_whose_message_was_lost(
    project, trainable, django_capture_on_commit_callbacks
):
    project = _lost_switch(project, django_capture_on_commit_callbacks, minutes_ago=20)
    state = reembedding.progress(project)
    assert state is not None and state.gallery_done == 0 and state.pending_done == 0
    assert state.gallery == len(trainable["gallery"]) and state.pending == 3
    just_after = project.global_model_since + dt.timedelta(minutes=2)
    assert sweeper.sweep(now=just_after).reembeddings == []  # too young to be stalled

    with django_capture_on_commit_callbacks(execute=True):
        result = sweeper.sweep()
    project.refresh_from_db()

    assert result.reembeddings == [project.pk]
    assert (
        reembedding.progress(project) is None
    )  # every image re-embedded, every sighting re-ranked
    for sighting in trainable["pending"]:
        sighting.refresh_from_db()
        assert sighting.matched_at >= project.global_model_since
    assert sweeper.sweep().reembeddings == []  # nothing left to send


def test_a_switch_that_never_progresses_is_given_up_and_can_be_started_again(
    project, trainable, settings, client_of, admin_user, django_capture_on_commit_callbacks
):
    settings.REIDSITE_SWEEP_MAX_RETRIES = 2
    project = _lost_switch(project, django_capture_on_commit_callbacks, minutes_ago=60)
    now = timezone.now()
    sent = []
    for minutes_ago in (44, 33, 22, 11):  # a sweep every 11 minutes; every retry lost as well
        with django_capture_on_commit_callbacks(execute=False):
            at = now - dt.timedelta(minutes=minutes_ago)
            sent.append(sweeper.sweep(now=at).reembeddings)
    assert sent == [[project.pk], [project.pk], [], []]
    project.refresh_from_db()
    state = reembedding.progress(project)
    assert state is not None and state.given_up

    client = client_of(admin_user)
    page = client.get(reverse("matcher", args=[project.slug])).content.decode()
    assert "Switching model stopped" in page and "Try the switch again" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matcher_deploy", args=[project.slug]), {"version": "site"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.reembed_retries == 0
    assert reembedding.progress(project) is None  # the switch ran to its end
