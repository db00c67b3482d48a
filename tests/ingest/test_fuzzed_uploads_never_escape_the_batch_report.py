"""Property-based fuzzing of the upload path (the real view, eager workers): generated
malformed images, random EXIF blocks and hostile zips never raise out of the ingest, every
file ends with a line in the batch report (or an unreadable zip with the batch's message),
and nothing is written outside the media root. Bounded: 40 examples, well under a minute."""

from __future__ import annotations

import datetime as dt
import io
import struct
import warnings
import zipfile
from pathlib import Path

import piexif
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from identification.models import Batch, BatchItem, Media
from identification.services.batches import _is_hidden, _unsafe_member
from tests.images import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db

JPEG = jpeg_bytes(width=64, height=48, seed=3, taken_at=dt.datetime(2024, 5, 1, 6, 0))
PNG = png_bytes(32, 24, seed=4)


def _with_app1(jpeg: bytes, payload: bytes) -> bytes:
    """`jpeg` with an APP1 (EXIF) segment of `payload` right after its start marker."""
    body = b"Exif\x00\x00" + payload[:60000]
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def _exif_time(text: str, offset: str) -> bytes:
    exif = {
        piexif.ExifIFD.DateTimeOriginal: text.encode("utf-8", "replace")[:40],
        piexif.ExifIFD.OffsetTimeOriginal: offset.encode("utf-8", "replace")[:10],
    }
    return piexif.dump({"0th": {}, "Exif": exif})


def _flip(data: bytes, positions: list[int], value: int) -> bytes:
    out = bytearray(data)
    for position in positions:
        out[position % len(out)] ^= value or 1
    return bytes(out)


# Capture times as cameras and attackers write them: random text, and the edges.
EXIF_TIMES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["9999:12:31 23:59:59", "0000:00:00 00:00:00", "2024:02:30 12:00:00", "1970:01:01 00:00:00"]
    ),
)
EXIF_OFFSETS = st.one_of(st.text(max_size=8), st.sampled_from(["-12:00", "+14:00", "+99:99", ""]))
image_bytes = st.one_of(
    st.binary(max_size=600),
    st.builds(lambda n: JPEG[:n], st.integers(0, len(JPEG))),  # truncated
    st.builds(
        _flip, st.just(JPEG), st.lists(st.integers(0, 10**6), max_size=8), st.integers(0, 255)
    ),
    st.builds(_with_app1, st.just(JPEG), st.binary(max_size=400)),  # a random EXIF block
    st.builds(
        _with_app1,
        st.just(JPEG),
        st.builds(lambda t, o: _exif_time(t, o)[6:], EXIF_TIMES, EXIF_OFFSETS),
    ),
    st.builds(lambda n: PNG[:n], st.integers(0, len(PNG))),
    st.just(b"PK\x03\x04 a zip inside"),
)


# Zip member names: folders, '..', absolute and drive paths, backslashes, any letters.
def st_join(parts: list[str]) -> str:
    separator = "\\" if len(parts) % 3 == 0 else "/"
    return separator.join(parts) + ".jpg"


member_name = st.lists(
    st.sampled_from(
        ["a", "X", "09", "é", "漢", "..", ".", "", "__MACOSX", ".DS_Store", "C:", "d" * 260]
    ),
    min_size=1,
    max_size=6,
).map(lambda parts: st_join(parts))
loose_name = st.builds(
    lambda name, ext: name + ext,
    st.text(alphabet="abcdefgh0123_-.", min_size=1, max_size=20),
    st.sampled_from([".jpg", ".png", ".JPG", ".tif", ".heic", ""]),
)


def _zip(members: list[tuple[str, bytes]], compressed: bool, cut: int | None) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are part of the fuzz
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, (2024, 5, 1, 6, 0, 0)), data)
    data = out.getvalue()
    return data if cut is None else data[:cut]


POISON = ("9999:12:31 23:59:59", "-12:00")
zips = st.builds(
    _zip,
    st.lists(st.tuples(member_name, image_bytes), min_size=1, max_size=5),
    st.booleans(),
    st.one_of(st.none(), st.integers(0, 3000)),
)
uploads = st.one_of(
    st.dictionaries(loose_name, image_bytes, min_size=1, max_size=4).map(lambda d: ("files", d)),
    zips.map(lambda data: ("zip", {"card.zip": data})),
)


def _expected_members(data: bytes) -> int | None:
    """How many report lines the zip should get (hidden files such as __MACOSX/ and
    .DS_Store are left out unless unsafe), or None if zipfile cannot read it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    return sum(1 for i in infos if _unsafe_member(i) or not _is_hidden(i.filename))


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(upload_case=uploads)
# The cases issue 12 found, always tried: year 10000 in UTC, and a zip path over 500 chars.
@example(upload_case=("files", {"poison.jpg": _with_app1(JPEG, _exif_time(*POISON)[6:])}))
@example(upload_case=("zip", {"card.zip": _zip([("d/" * 300 + "a.jpg", JPEG)], False, None)}))
def test_every_file_gets_a_report_line_and_stays_in_the_media_root(
    upload, project, deployment, settings, upload_case
):
    kind, files = upload_case
    media_root = Path(settings.MEDIA_ROOT).resolve()
    outside_before = _files_outside(media_root)
    before = set(Batch.objects.values_list("pk", flat=True))

    response = upload(files, deployment)

    assert response.status_code in (200, 302), response.status_code
    [batch] = Batch.objects.exclude(pk__in=before)
    assert batch.is_finished, batch.status
    items = batch.items.all()
    assert not items.filter(status=BatchItem.Status.PENDING).exists()
    # Every entry listed in the zip is in it: none may be reported missing.
    assert not items.filter(reason="missing").exists()
    if kind == "files":
        assert items.count() == len(files)
    else:
        expected = _expected_members(files["card.zip"])
        if expected is None or batch.status == Batch.Status.FAILED:
            assert batch.status == Batch.Status.FAILED and batch.message
        else:
            assert items.count() == expected
    for item in items:
        assert item.status != BatchItem.Status.SKIPPED or (item.reason and item.message)
    for media in Media.objects.filter(batch=batch):
        for stored in (media.file, media.thumbnail):
            assert Path(stored.path).resolve().is_relative_to(media_root)
    assert _files_outside(media_root) == outside_before


def _files_outside(media_root: Path) -> set[str]:
    """Files in the test's own folder outside the media root, and the working folder's
    entries: the ingest never extracts to disk, so neither may change."""
    found = {str(p) for p in media_root.parent.rglob("*") if not p.is_relative_to(media_root)}
    return found | {str(p) for p in Path.cwd().iterdir()}
