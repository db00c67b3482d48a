from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


@pytest.fixture
def upload(client_of, ranger, project, django_capture_on_commit_callbacks):
    """upload(files: dict name -> bytes, deployment=None) -> the response, tasks run."""

    def send(files: dict[str, bytes], deployment=None, user=None):
        client = client_of(user or ranger)
        data = {"files": [SimpleUploadedFile(name, content) for name, content in files.items()]}
        if deployment is not None:
            data["deployment"] = deployment.pk
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("batch_create", args=[project.slug]), data)

    return send


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()
