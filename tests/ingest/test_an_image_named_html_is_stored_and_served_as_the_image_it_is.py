"""A JPEG with an HTML page appended (a polyglot) uploaded as .html or .svg decodes as a
JPEG: it is stored under .jpg, served as image/jpeg and downloaded as .jpg, so no web server
or browser takes it for a page."""

import pytest
from django.urls import reverse

from identification.models import Media
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize("name", ["trap.html", "trap.svg", "trap.HTM"])
def test_the_stored_file_and_the_response_follow_the_decoded_format(
    upload, client_of, ranger, project, name
):
    upload({name: jpeg_bytes(seed=8) + PAGE})
    media = Media.objects.get()
    assert media.original_name == name
    assert media.file.name.endswith(".jpg") and media.mime_type == "image/jpeg"
    response = client_of(ranger).get(reverse("media_file", args=[project.slug, media.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="trap.jpg"'
    assert b"".join(response.streaming_content).endswith(PAGE)  # the bytes as uploaded
