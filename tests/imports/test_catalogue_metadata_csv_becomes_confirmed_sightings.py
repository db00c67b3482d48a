"""A wildlife-datasets folder (metadata.csv: image_id,identity,path,split) becomes confirmed
sightings; `split` chooses rows, optional columns fill in side, box and date, other columns
are ignored, and codes the project already has are reused."""

import datetime as dt

import pytest

from identification.models import Decision, Individual, Sighting
from identification.services.imports.catalogue import import_catalogue

from .catalogues import image, metadata_catalogue, nyala_catalogue

pytestmark = pytest.mark.django_db


def _codes(project):
    return sorted(
        Sighting.objects.filter(project=project, status=Sighting.Status.CONFIRMED).values_list(
            "individual__code", flat=True
        )
    )


def test_every_row_is_imported_by_default(project, expert, tmp_path):
    result = import_catalogue(project, nyala_catalogue(tmp_path), user=expert)
    assert _codes(project) == ["N1", "N1", "N1", "N2", "N2", "N3"]
    assert result.confirmed == 6 and result.images_stored == 6
    lines = sorted(Decision.objects.filter(project=project).values_list("details__line", flat=True))
    assert lines == [2, 3, 4, 5, 6, 7]


def test_split_train_imports_only_the_train_rows(project, expert, tmp_path):
    import_catalogue(project, nyala_catalogue(tmp_path), user=expert, split="train")
    assert _codes(project) == ["N1", "N1", "N2", "N3"]
    names = set(project.media.values_list("original_name", flat=True))
    assert "images/N1/2.jpg" not in names and "images/N1/0.jpg" in names


def test_existing_codes_are_reused_and_merged_codes_lead_to_the_survivor(project, expert, tmp_path):
    n1 = Individual.objects.create(project=project, code="N1", name="Old male")
    survivor = Individual.objects.create(project=project, code="N9")
    Individual.objects.create(project=project, code="N2", merged_into=survivor)
    result = import_catalogue(project, nyala_catalogue(tmp_path), user=expert, split="train")
    assert sorted(result.individuals_created) == ["N3"]
    assert sorted(result.individuals_reused) == ["N1", "N2"]
    assert n1.sightings.count() == 2 and survivor.sightings.count() == 1
    actions = Decision.objects.filter(individual=n1).values_list("action", flat=True)
    assert sorted(actions) == ["confirm", "confirm"], "N1 existed: nothing new was created"
    assert Individual.objects.filter(project=project).count() == 4


def test_side_box_and_date_columns_are_read_and_other_columns_ignored(project, expert, tmp_path):
    rows = [
        {"": 0, "image_id": "a", "identity": "N1", "path": "a.jpg", "split": "train",
         "orientation": "Left", "bbox": "[16.0, 12.0, 80.0, 60.0]", "date": "2019-05-04 06:30:00",
         "species": "nyala", "keypoints": "[]"},
        {"": 1, "image_id": "b", "identity": "N1", "path": "b.png", "split": "train",
         "orientation": "top", "bbox": "", "date": "", "species": "nyala", "keypoints": ""},
    ]  # fmt: skip
    png = image(1, 1)
    metadata_catalogue(tmp_path, rows, {"a.jpg": image(1, 0), "b.png": png})
    import_catalogue(project, tmp_path, user=expert)
    a = Sighting.objects.get(media__original_name="a.jpg")
    assert a.side == "left"
    # Pixels of the 160x120 image, stored relative (Camtrap DP).
    assert (a.bbox_x, a.bbox_y, a.bbox_width, a.bbox_height) == (0.1, 0.1, 0.5, 0.5)
    # The JPEG has no EXIF time: the metadata's date, in the project's time zone (UTC).
    assert a.media.taken_at == dt.datetime(2019, 5, 4, 6, 30, tzinfo=dt.UTC)
    assert a.media.timestamp_missing is False
    b = Sighting.objects.get(media__original_name="b.png")
    assert (b.side, b.has_bbox, b.media.taken_at) == ("unknown", False, None)
