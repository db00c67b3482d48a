"""An import that fails after storing some images (a full disk, a lost database connection)
rolls back as a whole, and the image files it had written are deleted again."""

import pytest
from django.conf import settings

from identification.services.imports import catalogue as service

from .catalogues import nyala_catalogue, project_state

pytestmark = pytest.mark.django_db


def test_a_failure_on_the_third_image_leaves_the_project_and_its_files_unchanged(
    project, expert, tmp_path, monkeypatch
):
    root = nyala_catalogue(tmp_path / "catalogue")
    stored = []
    real_store = service.store_image

    def store_then_fail(*args, **kwargs):
        if len(stored) == 2:
            raise OSError("No space left on device")
        stored.append(real_store(*args, **kwargs))
        return stored[-1]

    monkeypatch.setattr(service, "store_image", store_then_fail)
    before = project_state(project, settings.MEDIA_ROOT)
    with pytest.raises(OSError, match="No space left"):
        service.import_catalogue(project, root, user=expert)
    assert len(stored) == 2, "two images were written before the failure"
    assert project_state(project, settings.MEDIA_ROOT) == before
    assert before["files"] == []
