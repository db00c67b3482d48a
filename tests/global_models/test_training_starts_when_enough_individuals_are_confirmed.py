"""A project trains by itself once it has enough individuals with two or more confirmed
images, then again only after enough new confirmations; an admin may ask for it earlier,
nobody else, and never below the minimum."""

import pytest

from identification.models import GlobalModelVersion, Individual
from identification.services import global_models
from tests.factories import add_individual, add_sighting

pytestmark = pytest.mark.django_db


def test_training_is_due_at_the_minimum_and_again_after_n_confirmations(project, settings):
    settings.REIDSITE_TRAIN_MIN_INDIVIDUALS = 3
    settings.REIDSITE_TRAIN_AFTER_CONFIRMATIONS = 4
    add_individual(project, "A", images=2)
    add_individual(project, "B", images=2)
    add_individual(project, "C", images=1)
    assert global_models.readiness(project).individuals == 2
    assert not global_models.training_due(project)
    assert global_models.request_training(project) is None

    add_sighting(project, individual=Individual.objects.get(code="C"))
    assert global_models.training_due(project)
    version = global_models.request_training(project)
    assert version is not None and version.number == 1 and version.gallery_images == 6
    assert not global_models.training_due(project)  # one in flight

    GlobalModelVersion.objects.filter(pk=version.pk).update(
        status=GlobalModelVersion.Status.NOT_BETTER
    )
    add_individual(project, "D", images=3)
    ready = global_models.readiness(project)
    assert ready.images_to_next == 1 and not global_models.training_due(project)
    add_sighting(project, individual=Individual.objects.get(code="D"))
    assert global_models.training_due(project)
    assert global_models.request_training(project).number == 2


def test_training_can_be_switched_off(project, settings):
    settings.REIDSITE_TRAIN_MIN_INDIVIDUALS = 2
    settings.REIDSITE_TRAINING = False
    add_individual(project, "A", images=2)
    add_individual(project, "B", images=2)
    assert not global_models.training_due(project)
    assert global_models.request_training(project) is None
    assert global_models.request_training(project, now=True) is not None  # an admin's ask


def test_only_an_admin_may_ask_and_only_with_enough_individuals(
    project, settings, client, expert, admin_user
):
    settings.REIDSITE_TRAIN_MIN_INDIVIDUALS = 2
    add_individual(project, "A", images=2)
    url = f"/p/{project.slug}/matcher/train/"
    client.force_login(admin_user)
    response = client.post(url, follow=True)
    assert "needs 2 individuals with two or more confirmed images" in response.content.decode()
    assert not GlobalModelVersion.objects.exists()

    add_individual(project, "B", images=2)
    client.force_login(expert)
    assert client.post(url).status_code == 403
    assert not GlobalModelVersion.objects.exists()
    client.force_login(admin_user)
    assert client.post(url).status_code == 302
    assert GlobalModelVersion.objects.get().requested_by == admin_user
