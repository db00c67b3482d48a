"""A training whose model does not rank the held-out images better than the model in use
keeps its comparison on record, but nothing changes: no weights are stored, the project
keeps its model and its features, and the version cannot be put in use."""

import pytest

from identification.models import GlobalModelVersion, SightingFeatures
from identification.services import global_models
from worker.pipeline.model_choice import is_better
from worker.reid import store

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def test_a_training_that_never_improves_is_kept_but_not_deployed(
    project, trainable, settings, django_capture_on_commit_callbacks, client, admin_user
):
    settings.REIDSITE_TRAIN_MAX_EPOCHS = 0  # the model stays as it was: no better
    key = store.project_config(project).config_key()
    with django_capture_on_commit_callbacks(execute=True):
        version = global_models.request_training(project, now=True)
    version.refresh_from_db()
    project.refresh_from_db()

    assert version.status == GlobalModelVersion.Status.NOT_BETTER
    assert version.top1_current is not None
    assert version.top1_trained == version.top1_current
    assert not version.file and project.global_model is None
    assert set(SightingFeatures.objects.values_list("config_key", flat=True)) == {key}
    assert global_models.deployable(project) == []

    client.force_login(admin_user)
    response = client.post(f"/p/{project.slug}/matcher/deploy/", {"version": version.pk})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.global_model is None
    page = client.get(f"/p/{project.slug}/matcher/").content.decode()
    assert "did not beat the model in use" in page
    assert "Not better than the model in use" in page


def test_only_a_strictly_better_top1_counts():
    assert is_better(0.5, 0.55)
    assert not is_better(0.5, 0.5)
    assert not is_better(0.5, 0.4)
    assert not is_better(None, 0.9)  # nothing held out: nothing proven
    assert not is_better(float("nan"), 0.9)
