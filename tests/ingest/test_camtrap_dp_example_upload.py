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


def _official_timestamps() -> dict[str, dt.datetime]:
    with (EXAMPLE / "media.csv").open(newline="") as handle:
        return {
            row["fileName"]: dt.datetime.fromisoformat(row["timestamp"])
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
    assert len(media) == 10
    official = _official_timestamps()
    for m in media:
        name = m.original_name.rsplit("/", 1)[-1]
        assert m.taken_at == official[name], name
        assert m.camera_make == "RECONYX" and "HYPERFIRE 2" in m.camera_model
        assert (m.width, m.height) == (2048, 1440)
    assert Event.objects.filter(project=project).count() == 1
    assert len({m.event_id for m in media}) == 1
