"""Staff can put a trained version in use from the admin (the same service as the matcher
page), but not one that did not beat its predecessor, and cannot edit what training measured."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from identification.models import GlobalModelVersion
from identification.services import global_models
from tests.factories import add_individual

pytestmark = pytest.mark.django_db
S = GlobalModelVersion.Status


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root"))
    return client


def _trained(project, status):
    """A finished training as record_result leaves it (weights only when better)."""
    version = global_models.request_training(project, now=True)
    version.status, version.top1_current = status, 0.5
    version.top1_trained = 0.6 if status == S.BETTER else 0.5
    if status == S.BETTER:
        version.file.save(f"v{version.number}.pth", ContentFile(b"weights"), save=False)
    version.save()
    return version


def test_the_action_deploys_a_better_version_and_refuses_another(staff_client, project, settings):
    settings.REIDSITE_TRAIN_MIN_INDIVIDUALS = 2
    add_individual(project, "A", images=2)
    add_individual(project, "B", images=2)
    better = _trained(project, S.BETTER)
    worse = _trained(project, S.NOT_BETTER)
    url = reverse("admin:identification_globalmodelversion_changelist")

    staff_client.post(url, {"action": "put_in_use", "_selected_action": [worse.pk]})
    project.refresh_from_db()
    assert project.global_model is None

    staff_client.post(url, {"action": "put_in_use", "_selected_action": [better.pk]})
    project.refresh_from_db()
    assert project.global_model == better and project.global_model_since is not None

    change = reverse("admin:identification_globalmodelversion_change", args=[better.pk])
    staff_client.post(change, {"top1_trained": "0.99", "status": "better"})
    better.refresh_from_db()
    assert better.top1_trained == 0.6
