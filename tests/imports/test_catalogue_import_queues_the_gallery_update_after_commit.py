"""After the import commits, the gpu worker is asked (by task name) to extract the features
of the new gallery sightings; a refused import asks nothing."""

import pytest

from identification.models import Sighting
from identification.services import reid_hooks
from identification.services.imports.catalogue import CatalogueInvalid, import_catalogue
from reidsite.celery import app as celery_app

from .catalogues import nyala_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(settings, monkeypatch):
    """Tasks sent to the broker, as production sends them (not eager, re-ID on)."""
    settings.REIDSITE_ENABLE_REID = True
    celery_app.conf.task_always_eager = False  # the autouse _eager_celery fixture restores it
    messages = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args=None, **kw: messages.append((name, args))
    )
    return messages


def test_the_gallery_update_is_sent_once_the_import_commits(
    project, expert, tmp_path, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_catalogue(project, nyala_catalogue(tmp_path), user=expert, split="train")
        assert sent == [], "nothing is sent before the transaction commits"
    for callback in callbacks:
        callback()
    confirmed = sorted(
        Sighting.objects.filter(project=project, status="confirmed").values_list("pk", flat=True)
    )
    assert len(confirmed) == 4
    assert sent == [(reid_hooks.UPDATE_GALLERY_TASK, [project.pk, confirmed])]


def test_a_refused_import_sends_nothing(
    project, expert, tmp_path, sent, django_capture_on_commit_callbacks
):
    root = nyala_catalogue(tmp_path)
    (root / "images/N3/0.jpg").unlink()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(CatalogueInvalid),
    ):
        import_catalogue(project, root, user=expert)
    assert callbacks == [] and sent == []


def test_reimporting_an_unchanged_catalogue_sends_nothing(
    project, expert, tmp_path, sent, django_capture_on_commit_callbacks
):
    root = nyala_catalogue(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        import_catalogue(project, root, user=expert)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        import_catalogue(project, root, user=expert)
    assert sent == []
