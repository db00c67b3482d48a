"""The ten real Reconyx JPEGs of the official Camtrap DP example: one burst, real EXIF times."""

import csv
import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pytest

from identification.models import Event, Media

pytestmark = pytest.mark.django_db


def shared_dir() -> Path:
    configured = os.environ.get("REIDSITE_SHARED_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared"


EXAMPLE = shared_dir() / "camtrap-dp" / "example"


@pytest.fixture
def example_media() -> dict[str, bytes]:
    folder = EXAMPLE / "media"
    if not folder.is_dir():
        pytest.skip(f"the Camtrap DP example images are not on this machine ({folder})")
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.JPG"))}


def _official_media() -> dict[str, dict]:
    """fileName -> {"timestamp": aware datetime, "event": the eventID of its observations}."""
    with (EXAMPLE / "observations.csv").open(newline="") as handle:
        event_of = {row["mediaID"]: row["eventID"] for row in csv.DictReader(handle)}
    with (EXAMPLE / "media.csv").open(newline="") as handle:
        return {
            row["fileName"]: {
                "timestamp": dt.datetime.fromisoformat(row["timestamp"]),
                "event": event_of.get(row["mediaID"]),
            }
            for row in csv.DictReader(handle)
        }


def test_real_camera_trap_card_yields_exif_times_and_one_event_per_burst(
    upload, project, deployment, example_media
):
    # These Reconyx cameras kept UTC+1 all year; their EXIF times carry no offset.
    project.time_zone = "Etc/GMT-1"
    project.save()
    card = io.BytesIO()
    with zipfile.ZipFile(card, "w") as archive:
        for name, data in example_media.items():
            archive.writestr(f"DCIM/100RECNX/{name}", data)
    upload({"card.zip": card.getvalue()}, deployment)

    media = list(Media.objects.filter(project=project).order_by("taken_at"))
    assert len(media) == len(example_media) == 10
    official = _official_media()
    ours_by_official: dict[str, set[int]] = {}
    for m in media:
        name = m.original_name.rsplit("/", 1)[-1]
        assert m.taken_at == official[name]["timestamp"], name
        assert m.camera_make == "RECONYX" and "HYPERFIRE 2" in m.camera_model
        assert (m.width, m.height) == (2048, 1440)
        assert m.event_id is not None
        ours_by_official.setdefault(official[name]["event"], set()).add(m.event_id)
    # The same partition as the official eventIDs: one of our events per official event.
    assert all(len(ours) == 1 for ours in ours_by_official.values())
    assert Event.objects.filter(project=project).count() == len(ours_by_official)
