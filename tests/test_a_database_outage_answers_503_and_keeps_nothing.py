"""PostgreSQL going away during a request answers 503 with a plain message, not a stack
trace, and an upload caught by it leaves nothing half-stored: no batch, item or media rows,
no staged file in storage.

What is simulated, honestly: the real PostgreSQL of the test run kills this request's own
database session (pg_terminate_backend from a second connection) at the moment the upload
has written its first staged file; the next query of the request fails as it would when the
server restarts or the network drops. A whole outage (new connections refused too) is
simulated by pointing the connection at a port where nothing listens. Afterwards the test
closes the dead connection, as Django does itself at the end of a real request (the test
client skips that step).
"""

import psycopg
import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from identification.models import Batch, BatchItem, Media
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=True)
MESSAGE = "The database is unavailable; nothing was saved, try again in a minute."


def _terminate(backend_pid: int) -> None:
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"], host=params["HOST"], port=params["PORT"],
        user=params["USER"], password=params["PASSWORD"], autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


def test_the_connection_dying_mid_upload_answers_503_and_leaves_nothing(
    client_of, ranger, project, deployment, settings, monkeypatch
):
    client = client_of(ranger)
    original_save = FileSystemStorage._save
    killed = []

    def save_then_lose_the_database(storage, name, content):
        saved = original_save(storage, name, content)
        if name.startswith("uploads/staging/") and not killed:
            killed.append(name)
            _terminate(connection.connection.info.backend_pid)
        return saved

    monkeypatch.setattr(FileSystemStorage, "_save", save_then_lose_the_database)
    files = [SimpleUploadedFile(f"{n}.jpg", jpeg_bytes(seed=n)) for n in (1, 2)]
    response = client.post(
        reverse("batch_create", args=[project.slug]), {"files": files, "deployment": deployment.pk}
    )
    connection.close()  # Django closes an unusable connection when a real request ends

    assert killed, "the upload reached storage"
    assert response.status_code == 503
    assert MESSAGE in response.text and "Traceback" not in response.text
    assert response["Retry-After"] == "60"
    assert not Batch.objects.exists() and not BatchItem.objects.exists()
    assert not Media.objects.exists()
    stored = [p for p in (settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored == [], stored


def test_an_unreachable_database_answers_503_on_any_page(client_of, ranger, project):
    client = client_of(ranger)
    url = reverse("project_detail", args=[project.slug])
    connection.close()
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = client.get(url)
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert MESSAGE in response.text
