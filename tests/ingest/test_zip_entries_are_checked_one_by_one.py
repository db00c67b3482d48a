"""A memory-card zip is read entry by entry: unsafe or unusable entries are reported, the
rest kept; only an unreadable zip as a whole fails the batch."""

import struct

import pytest

from identification.models import Batch, BatchItem, Media
from tests.images import jpeg_bytes

from .conftest import zip_bytes

pytestmark = pytest.mark.django_db


def _item(name: str) -> BatchItem:
    return BatchItem.objects.get(original_name=name)


def test_zip_slip_paths_are_rejected_and_nothing_is_written_outside(
    upload, project, settings, tmp_path
):
    members = {
        "../../etc/evil.jpg": jpeg_bytes(seed=1),
        "DCIM/../../evil2.jpg": jpeg_bytes(seed=5),
        "/abs/evil.jpg": jpeg_bytes(seed=2),
        "C:/windows/evil.jpg": jpeg_bytes(seed=6),
        "fine/IMG_1.JPG": jpeg_bytes(seed=4),
    }
    upload({"card.zip": zip_bytes(members)})

    for name in ("../../etc/evil.jpg", "DCIM/../../evil2.jpg", "/abs/evil.jpg"):
        assert _item(name).reason == "unsafe_path", name
        assert _item(name).status == BatchItem.Status.SKIPPED
    assert _item("C:/windows/evil.jpg").reason == "unsafe_path"
    assert _item("fine/IMG_1.JPG").status == BatchItem.Status.ACCEPTED
    assert Media.objects.count() == 1
    assert not (tmp_path / "etc").exists() and not (settings.MEDIA_ROOT.parent / "etc").exists()
    written = [p.name for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert not any("evil" in name for name in written)


def test_nested_archives_are_skipped_with_a_message(upload, project):
    members = {
        "inner.zip": zip_bytes({"x.jpg": jpeg_bytes(seed=3)}),
        "photos.tar.gz": b"\x1f\x8b fake",
        "more.7z": b"7z\xbc\xaf\x27\x1c",
        "old.rar": b"Rar!\x1a\x07\x00",
        "IMG_1.JPG": jpeg_bytes(seed=4),
    }
    upload({"card.zip": zip_bytes(members)})
    for name in ("inner.zip", "photos.tar.gz", "more.7z", "old.rar"):
        assert _item(name).reason == "nested_archive", name
        assert "not opened" in _item(name).message
    assert Media.objects.count() == 1, "the image inside inner.zip is not imported"


def test_macos_forks_and_hidden_files_are_ignored(upload, project):
    members = {
        "DCIM/IMG_1.JPG": jpeg_bytes(seed=1),
        "DCIM/.DS_Store": b"junk",
        "__MACOSX/DCIM/._IMG_1.JPG": b"junk",
        ".Trashes/501/IMG_9.JPG": b"junk",
        "./DCIM/IMG_2.JPG": jpeg_bytes(seed=2),
    }
    upload({"card.zip": zip_bytes(members)})
    names = set(BatchItem.objects.values_list("original_name", flat=True))
    assert names == {"DCIM/IMG_1.JPG", "./DCIM/IMG_2.JPG"}
    assert Batch.objects.get().counts()["accepted"] == 2


def test_an_entry_over_the_size_limit_is_not_extracted(upload, project, settings):
    settings.REIDSITE_MAX_IMAGE_BYTES = 5000
    members = {"big.jpg": jpeg_bytes(800, 600, quality=95), "ok.jpg": jpeg_bytes(20, 20)}
    upload({"card.zip": zip_bytes(members)})
    assert _item("big.jpg").reason == "too_large"
    assert "limit" in _item("big.jpg").message
    assert _item("ok.jpg").status == BatchItem.Status.ACCEPTED


def _set_encrypted_flag(data: bytes, name: str) -> bytes:
    """Mark one entry of the central directory as encrypted (zipfile cannot write those)."""
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack("<H", data[at + 28 : at + 30])[0]
        if data[at + 46 : at + 46 + name_len] == name.encode():
            flags = struct.unpack("<H", data[at + 8 : at + 10])[0] | 0x1
            return data[: at + 8] + struct.pack("<H", flags) + data[at + 10 :]
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name} is not in the zip")


def test_encrypted_and_damaged_entries_are_reported_and_the_rest_kept(upload, project):
    members = {"locked.jpg": jpeg_bytes(seed=1), "ok.jpg": jpeg_bytes(seed=2)}
    card = _set_encrypted_flag(zip_bytes(members), "locked.jpg")
    damaged = bytearray(zip_bytes({"bad-crc.jpg": jpeg_bytes(seed=3, width=64, height=48)}))
    damaged[300] ^= 0xFF  # inside the stored entry's data: the CRC no longer matches
    upload({"card.zip": card, "card2.zip": bytes(damaged)})

    assert _item("locked.jpg").reason == "encrypted"
    assert _item("ok.jpg").status == BatchItem.Status.ACCEPTED
    assert _item("bad-crc.jpg").reason == "corrupt"
    assert "damaged" in _item("bad-crc.jpg").message


def test_a_broken_zip_fails_only_its_batch_with_a_clear_message(upload, project):
    upload({"card.zip": b"PK\x03\x04 this zip was cut short", "IMG_1.JPG": jpeg_bytes(seed=1)})
    broken = Batch.objects.get(kind=Batch.Kind.ZIP)
    assert broken.status == Batch.Status.FAILED
    assert "cannot be read" in broken.message and "no image was imported" in broken.message
    loose = Batch.objects.get(kind=Batch.Kind.FILES)
    assert loose.status == Batch.Status.DONE and loose.counts()["accepted"] == 1
