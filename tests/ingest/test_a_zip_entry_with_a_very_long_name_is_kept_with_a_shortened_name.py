"""A zip entry whose path is longer than the 500 characters a name is stored with is read
and kept like any other: the report and the media show its start and its file name joined
by "…"; it was reported as missing when the cut name was used to find the entry."""

import pytest

from identification.models import BatchItem, Media
from tests.images import jpeg_bytes

from .conftest import zip_bytes

pytestmark = pytest.mark.django_db


def test_the_entry_is_accepted_and_named_by_its_start_and_end(upload, project):
    deep = "card/" + "DCIM-100RECNX-subfolder/" * 30 + "IMG_0001.JPG"
    assert len(deep) > 700
    upload({"card.zip": zip_bytes({deep: jpeg_bytes(seed=4), "short.jpg": jpeg_bytes(seed=5)})})
    item = BatchItem.objects.get(seq=1)
    assert item.status == BatchItem.Status.ACCEPTED, item.message
    assert len(item.original_name) == 500
    assert item.original_name.startswith("card/DCIM-100RECNX-subfolder/")
    assert item.original_name.endswith("/IMG_0001.JPG") and "…" in item.original_name
    media = Media.objects.get(pk=item.media_id)
    assert media.original_name == item.original_name
    assert BatchItem.objects.get(seq=2).status == BatchItem.Status.ACCEPTED
