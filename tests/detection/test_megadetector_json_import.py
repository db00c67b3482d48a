"""MegaDetector batch output onto a batch: by command, uploaded with the batch, or onto it
later; renamed files still match; a malformed file changes nothing and says why."""

import io

import pytest
from django.core.management import CommandError, call_command

from identification.models import DetectedObject, Media, Sighting
from identification.services.synthetic import camera_burst
from tests.detection.mdfiles import md_file
from tests.factories import camera_batch

pytestmark = pytest.mark.django_db

BOX = [0.2, 0.3, 0.3, 0.3]


@pytest.fixture
def burst(project, deployment):
    frames, _ = camera_burst(seed=5, frames=3)
    return camera_batch(project, frames, deployment=deployment)


def run(project, batch, path) -> str:
    out = io.StringIO()
    call_command("import_detections", project.slug, str(batch.pk), str(path), stdout=out)
    return out.getvalue()


def test_a_good_file_gives_sightings_blank_frames_and_a_report(project, burst, tmp_path):
    batch, media = burst
    path = tmp_path / "md.json"
    path.write_bytes(
        md_file(
            {
                media[0].original_name: [("1", 0.9, BOX)],
                media[1].original_name: [],
                media[2].original_name: [("3", 0.7, BOX), ("7", 0.9, BOX)],
                "DCIM/100RECNX/NOT_HERE.JPG": [("1", 0.9, BOX)],
            }
        )
    )
    said = run(project, batch, path)

    assert "3 image(s) matched: 1 animal sighting(s), 1 blank, 0 person(s), 1 vehicle(s)" in said
    assert "1 entr(ies) match no image of the batch: DCIM/100RECNX/NOT_HERE.JPG" in said
    assert "category" in said  # the unknown category 7 is reported
    frames = {m.pk: m for m in Media.objects.filter(batch=batch)}
    assert frames[media[1].pk].is_blank and not frames[media[0].pk].is_blank
    assert {m.detection_status for m in frames.values()} == {"done"}
    assert frames[media[0].pk].detector.startswith("import: md.json")
    assert Sighting.objects.filter(media__batch=batch).count() == 1
    batch.refresh_from_db()
    assert batch.detections_report["unmatched"] == ["DCIM/100RECNX/NOT_HERE.JPG"]


def test_renamed_and_moved_files_match_by_path_suffix_then_base_name(project, burst, tmp_path):
    batch, media = burst
    path = tmp_path / "md.json"
    path.write_bytes(
        md_file(
            {
                # The detector ran on the card's root folder: a longer path, same suffix.
                "E:/SD-card/" + media[0].original_name: [("1", 0.9, BOX)],
                # Copied flat into another folder: only the base name is the same.
                "sorted/" + media[1].original_name.rsplit("/", 1)[1]: [("1", 0.8, BOX)],
            }
        )
    )
    said = run(project, batch, path)
    assert "2 image(s) matched" in said
    assert "1 image(s) of the batch are not in the file" in said
    assert Sighting.objects.get(media=media[0]).detection_conf == 0.9
    assert Sighting.objects.get(media=media[1]).detection_conf == 0.8


@pytest.mark.parametrize(
    "raw, says",
    [
        (b"{not json", "not JSON"),
        (b'{"images": {"a.jpg": []}}', '"images" list'),
        (b'{"images": [{"file": "x.jpg", "detections": [{"category": "1", "conf": 2,'
         b' "bbox": [0, 0, 1, 1]}]}]}', "images[1]"),
    ],
)  # fmt: skip
def test_a_malformed_file_changes_nothing_and_says_why(project, burst, tmp_path, raw, says):
    batch, media = burst
    before = list(Sighting.objects.filter(media__batch=batch).values_list("pk", "bbox_x"))
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    with pytest.raises(CommandError, match="nothing changed") as caught:
        run(project, batch, path)
    assert says in str(caught.value)
    assert list(Sighting.objects.filter(media__batch=batch).values_list("pk", "bbox_x")) == before
    assert not DetectedObject.objects.filter(media__batch=batch).exists()
    assert set(Media.objects.filter(batch=batch).values_list("detection_status", flat=True)) == {
        "pending"
    }


def test_a_batch_of_another_project_is_not_found(project, burst, tmp_path, db):
    from identification.models import Project

    other = Project.objects.create(name="Other")
    batch, _ = burst
    path = tmp_path / "md.json"
    path.write_bytes(md_file({}))
    with pytest.raises(CommandError, match="has no batch"):
        run(other, batch, path)
