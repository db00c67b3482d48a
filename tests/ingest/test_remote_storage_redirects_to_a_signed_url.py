"""With S3-like storage the guarded image URL redirects to a short-lived signed URL; the
access check still comes first."""

import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from identification.services.ingest import store_image
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


class SignedUrlStorage(FileSystemStorage):
    """Local bytes, but no local path, and URLs signed like django-storages' S3Storage."""

    def path(self, name):
        raise NotImplementedError

    def url(self, name, parameters=None, expire=None, http_method=None):
        return f"https://bucket.example/{name}?X-Amz-Expires={expire}&X-Amz-Signature=abc"


def use_remote_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.SignedUrlStorage",
            "OPTIONS": {"location": str(tmp_path / "bucket")},
        },
    }


def test_media_on_remote_storage_redirect_to_a_signed_url(
    settings, tmp_path, client_of, ranger, outsider, project
):
    media, _ = store_image(project, io.BytesIO(jpeg_bytes(seed=1)), "a.jpg")
    use_remote_storage(settings, tmp_path)
    for name in ("media_file", "media_thumbnail"):
        url = reverse(name, args=[project.slug, media.pk])
        response = client_of(ranger).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("https://bucket.example/projects/")
        assert "X-Amz-Expires=300" in response["Location"]
        assert client_of(outsider).get(url).status_code == 404
