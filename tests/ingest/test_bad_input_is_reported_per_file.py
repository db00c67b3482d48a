"""Every kind of bad file is reported with its reason, and never costs the good files."""

import io

import pytest
from PIL import Image

from identification.models import Batch, BatchItem, Media
from tests.images import jpeg_bytes

from .conftest import zip_bytes

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
    upload({"bomb.jpg": jpeg_bytes(width=400, height=300), "ok.jpg": jpeg_bytes(40, 30, seed=9)})
    item = _item("bomb.jpg")
    assert item.reason == "decompression_bomb"
    assert "megapixels" in item.message
    assert _item("ok.jpg").status == BatchItem.Status.ACCEPTED


def test_a_file_over_the_size_limit_is_refused(upload, project, settings):
    settings.REIDSITE_MAX_IMAGE_BYTES = 5000
    upload({"big.jpg": jpeg_bytes(800, 600, seed=1, quality=95), "ok.jpg": jpeg_bytes(20, 20)})
    assert _item("big.jpg").reason == "too_large"
    assert _item("ok.jpg").status == BatchItem.Status.ACCEPTED


def test_zip_slip_and_nested_archives_are_not_extracted(upload, project, settings, tmp_path):
    members = {
        "../../etc/evil.jpg": jpeg_bytes(seed=1),
        "/abs/evil.jpg": jpeg_bytes(seed=2),
        "inner.zip": zip_bytes({"x.jpg": jpeg_bytes(seed=3)}),
        "photos.tar.gz": b"\x1f\x8b fake",
        "fine/IMG_1.JPG": jpeg_bytes(seed=4),
    }
    upload({"card.zip": zip_bytes(members)})

    assert _item("../../etc/evil.jpg").reason == "unsafe_path"
    assert _item("/abs/evil.jpg").reason == "unsafe_path"
    assert _item("inner.zip").reason == "nested_archive"
    assert _item("photos.tar.gz").reason == "nested_archive"
    assert _item("fine/IMG_1.JPG").status == BatchItem.Status.ACCEPTED
    assert Media.objects.count() == 1
    assert not (tmp_path / "etc").exists() and not (settings.MEDIA_ROOT.parent / "etc").exists()


def test_a_broken_zip_fails_the_batch_with_a_clear_message(upload, project):
    upload({"card.zip": b"PK\x03\x04 this zip was cut short"})
    batch = Batch.objects.get(project=project)
    assert batch.status == Batch.Status.FAILED
    assert "cannot be read" in batch.message
    assert not Media.objects.exists()


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
