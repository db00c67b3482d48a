"""The matcher page shows every member the model in use, each training's comparison, the
progress of a training, and the embedding map before and after training with each dot
naming its individual and showing its image on hover; other projects' members get 404."""

import re

import pytest

from identification.models import GlobalModelVersion
from identification.services import global_models
from tests.factories import add_individual

pytestmark = [pytest.mark.django_db, pytest.mark.reid]


def test_members_see_the_comparison_and_the_map(
    project, trainable, settings, client, ranger, outsider, django_capture_on_commit_callbacks
):
    settings.REIDSITE_TRAIN_MAX_EPOCHS = 3
    with django_capture_on_commit_callbacks(execute=True):
        version = global_models.request_training(project, now=True)
    version.refresh_from_db()
    url = f"/p/{project.slug}/matcher/"

    client.force_login(ranger)
    page = client.get(url).content.decode()
    assert f"{version.top1_current:.3f} → {version.top1_trained:.3f}" in page
    assert version.get_status_display() in page
    dots = re.findall(r'<circle[^>]*data-thumb="(/p/[^"]+/thumbnail/)"', page)
    assert len(dots) == 2 * (len(trainable["gallery"]) + len(trainable["pending"]))
    assert page.count("<title>COAT-00 · sighting") == 2 * 5
    assert page.count("<title>pending · sighting") == 2 * 3
    assert client.get(dots[0]).status_code == 200
    assert "Train now" not in page  # a ranger looks, an admin acts

    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_the_status_part_reloads_itself_while_a_training_waits(project, settings, client, expert):
    settings.REIDSITE_TRAIN_MIN_INDIVIDUALS = 2
    for code in ("A", "B"):
        add_individual(project, code, images=2)
    version = global_models.request_training(project, now=True)
    global_models.claim(version.pk)
    global_models.record_epoch(version.pk, {"epoch": 1, "loss": 0.3, "val_top1": 0.6, "seconds": 4})
    client.force_login(expert)
    part = client.get(
        f"/p/{project.slug}/matcher/?part=status", headers={"HX-Request": "true"}
    ).content.decode()
    assert part.lstrip().startswith('<section id="matcher-status"')
    assert 'hx-trigger="every 5s"' in part
    assert "v1: training" in part and "epoch 1, validation top-1 0.600" in part

    GlobalModelVersion.objects.filter(pk=version.pk).update(status="failed", error="boom")
    part = client.get(
        f"/p/{project.slug}/matcher/?part=status", headers={"HX-Request": "true"}
    ).content.decode()
    assert "every 5s" not in part
