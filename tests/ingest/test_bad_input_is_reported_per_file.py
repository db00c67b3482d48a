"""Every kind of bad file is reported with its reason, and never costs the good files."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from identification.models import Batch, BatchItem, Media
from tests.images import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (20, 20)).save(out, "GIF")
    return out.getvalue()


def _item(name: str) -> BatchItem:
    return BatchItem.objects.get(original_name=name)


def test_each_bad_file_is_skipped_with_its_reason_and_the_good_ones_kept(upload, project):
    good = jpeg_bytes(seed=1)
    files = {
        "good.jpg": good,
        "notes.txt": b"this is not an image",
        "anim.gif": _gif(),
        "truncated.jpg": jpeg_bytes(seed=2, width=640, height=480)[:-3000],
        "corrupt.jpg": jpeg_bytes(seed=3)[:200] + b"\x00" * 2000 + jpeg_bytes(seed=3)[2200:],
        "empty.jpg": b"",
    }
    upload(files)

    batch = Batch.objects.get(project=project)
    assert batch.status == Batch.Status.DONE
    assert _item("good.jpg").status == BatchItem.Status.ACCEPTED
    expected = {
        "notes.txt": "not_an_image",
        "anim.gif": "unsupported_format",
        "truncated.jpg": "truncated",
        "empty.jpg": "not_an_image",
    }
    for name, reason in expected.items():
        item = _item(name)
        assert item.status == BatchItem.Status.SKIPPED, name
        assert item.reason == reason, (name, item.reason, item.message)
        assert item.message
    assert _item("corrupt.jpg").status == BatchItem.Status.SKIPPED
    assert _item("corrupt.jpg").reason in {"corrupt", "truncated"}
    assert Media.objects.filter(project=project).count() == 1


def test_a_decompression_bomb_is_refused(upload, project, settings):
    settings.REIDSITE_MAX_IMAGE_PIXELS = 100 * 100
    files = {
        "bomb.jpg": jpeg_bytes(width=400, height=300),  # 12x the limit: Pillow's own error
        "slightly.png": png_bytes(width=150, height=100),  # 1.5x: Pillow only warns
        "ok.jpg": jpeg_bytes(40, 30, seed=9),
    }
    upload(files)
    for name in ("bomb.jpg", "slightly.png"):
        item = _item(name)
        assert item.reason == "decompression_bomb", name
        assert "megapixels" in item.message
    assert _item("ok.jpg").status == BatchItem.Status.ACCEPTED


def test_a_truncated_camera_sized_jpeg_is_caught_by_the_reduced_scale_decode(upload, project):
    # Large enough that the decoder works at 1/4 scale (draft) for the thumbnail.
    whole = jpeg_bytes(width=2400, height=1800, seed=4, quality=95)
    upload({"cut.jpg": whole[: len(whole) * 2 // 3], "whole.jpg": whole})
    assert _item("cut.jpg").reason == "truncated"
    whole_item = _item("whole.jpg")
    assert whole_item.status == BatchItem.Status.ACCEPTED
    assert (whole_item.media.width, whole_item.media.height) == (2400, 1800)


def test_a_file_over_the_size_limit_is_refused(upload, project, settings):
    settings.REIDSITE_MAX_IMAGE_BYTES = 5000
    upload({"big.jpg": jpeg_bytes(800, 600, seed=1, quality=95), "ok.jpg": jpeg_bytes(20, 20)})
    assert _item("big.jpg").reason == "too_large"
    assert _item("ok.jpg").status == BatchItem.Status.ACCEPTED


def test_a_duplicate_is_skipped_and_linked_to_the_original(upload, project):
    image = jpeg_bytes(seed=5)
    upload({"first.jpg": image})
    original = Media.objects.get()
    upload({"again.jpg": image, "twice.jpg": image})

    for name in ("again.jpg", "twice.jpg"):
        item = _item(name)
        assert item.status == BatchItem.Status.DUPLICATE
        assert item.media == original
        assert "first.jpg" in item.message
    assert Media.objects.count() == 1


def test_the_same_image_twice_in_one_batch_is_kept_once(upload, project):
    image = jpeg_bytes(seed=6)
    upload({"a.jpg": image, "b.jpg": image})
    statuses = sorted(BatchItem.objects.values_list("status", flat=True))
    assert statuses == [BatchItem.Status.ACCEPTED, BatchItem.Status.DUPLICATE]
    assert Media.objects.count() == 1


def test_an_image_without_exif_time_is_kept_and_flagged(upload, project):
    upload({"notime.jpg": jpeg_bytes(seed=7, exif=False)})
    item = _item("notime.jpg")
    assert item.status == BatchItem.Status.ACCEPTED
    assert item.flags == ["no_timestamp"]
    assert item.media.timestamp_missing and item.media.taken_at is None
    assert Batch.objects.get().counts()["flagged"] == 1


def test_the_batch_page_names_problems_in_words_not_codes(upload, client_of, ranger, project):
    upload({"a.jpg": jpeg_bytes(seed=3), "notes.txt": b"not a photo"})
    batch = Batch.objects.get()
    page = client_of(ranger).get(reverse("batch_detail", args=[project.slug, batch.pk]))
    assert "no capture time" in page.text  # a.jpg has no EXIF time
    assert ">no_timestamp<" not in page.text
    assert "not an image: 1" in page.text and "not_an_image:" not in page.text
