"""MegaDetector batch-output JSON: boxes per image, matched to a batch's files by path or
base name; a file in the wrong shape is refused whole, saying where."""

import json

import pytest

from worker.pipeline.detection import ANIMAL, PERSON
from worker.pipeline.detection.mdjson import DetectionFileError, match_files, parse

OUTPUT = {
    "info": {"detector": "md_v5a.0.0.pt"},
    "detection_categories": {"1": "animal", "2": "person", "3": "vehicle"},
    "images": [
        {"file": "100RECNX/IMG_0001.JPG", "detections": [
            {"category": "1", "conf": 0.93, "bbox": [0.1, 0.2, 0.3, 0.4]},
            {"category": "1", "conf": 0.61, "bbox": [0.6, 0.5, 0.3, 0.45]},
        ]},
        {"file": "100RECNX\\IMG_0002.JPG", "detections": [
            {"category": "2", "conf": 0.8, "bbox": [0.0, 0.0, 0.2, 0.5]},
            {"category": "7", "conf": 0.5, "bbox": [0.0, 0.0, 0.2, 0.5]},
        ]},
        {"file": "100RECNX/IMG_0003.JPG", "detections": []},
        {"file": "100RECNX/IMG_0004.JPG", "failure": "Failure image access"},
    ],
}  # fmt: skip


def test_a_good_file_gives_boxes_per_image_and_reports_unknown_categories():
    read = parse(json.dumps(OUTPUT))
    first = read.images["100RECNX/IMG_0001.JPG"]
    assert [(d.category, d.conf, d.bbox) for d in first] == [
        (ANIMAL, 0.93, pytest.approx((0.1, 0.2, 0.3, 0.4))),
        (ANIMAL, 0.61, pytest.approx((0.6, 0.5, 0.3, 0.45))),
    ]
    assert [d.category for d in read.images["100RECNX/IMG_0002.JPG"]] == [PERSON]
    assert read.images["100RECNX/IMG_0003.JPG"] == []
    assert read.failures == {"100RECNX/IMG_0004.JPG": "Failure image access"}
    assert read.problems == ["100RECNX/IMG_0002.JPG: detection 2 has unknown category 7"]
    assert read.detector == "md_v5a.0.0.pt"


def test_renamed_and_moved_files_match_by_path_suffix_then_base_name():
    ours = ["DCIM/100RECNX/IMG_0001.JPG", "card/img_0002.jpg", "IMG_0003.JPG", "a/X.JPG", "b/X.JPG"]
    entries = ["100RECNX/IMG_0001.JPG", "100RECNX/IMG_0002.JPG", "IMG_0003.JPG", "c/X.JPG", "Z.JPG"]
    matched, unmatched = match_files(entries, ours)
    assert matched == {
        "100RECNX/IMG_0001.JPG": "DCIM/100RECNX/IMG_0001.JPG",
        "100RECNX/IMG_0002.JPG": "card/img_0002.jpg",
        "IMG_0003.JPG": "IMG_0003.JPG",
    }
    assert unmatched == ["c/X.JPG", "Z.JPG"]  # X.JPG is ambiguous: two of ours have that name


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("not json", "not JSON"),
        ('{"annotations": []}', 'no "images" list'),
        ('{"images": [{"detections": []}]}', 'images[1]: no "file"'),
        ('{"images": [{"file": "a.jpg", "detections": [{"category": "1", "conf": 0.5}]}]}',
         "images[1] (a.jpg), detection 1"),
        ('{"images": [{"file": "a.jpg", "detections": [{"category": "1", "conf": 0.5, '
         '"bbox": [0.1, 0.2]}]}]}', "four numbers"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_refused_saying_where(raw, says):
    with pytest.raises(DetectionFileError) as raised:
        parse(raw)
    assert says in str(raised.value)
