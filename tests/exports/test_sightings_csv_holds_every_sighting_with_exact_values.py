"""The sightings CSV downloaded from the exports page: header, column order, one row per
sighting in time order, and exact values for each status (tests/exports/world.py)."""

import csv
import io

import pytest
from django.urls import reverse

from identification.services import decisions
from tests.exports.world import ZONE

pytestmark = pytest.mark.django_db

HEADER = [
    "project", "sighting_id", "event_id", "media_id", "media_file", "media_path", "media_url",
    "timestamp", "deployment", "latitude", "longitude", "side", "bbox_x", "bbox_y",
    "bbox_width", "bbox_height", "individual_code", "individual_name", "status", "p_new",
    "fused_probability", "decided_by", "decided_at", "model_versions", "batch_id",
]  # fmt: skip
VERSIONS = '{"aliked": "aliked-n16", "global": "mega-L-384"}'


def download(client, project, query: str = ""):
    response = client.get(reverse("export_sightings", args=[project.slug]) + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="nyala-survey-sightings.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def rows(client_of, ranger, project, export_world):
    text, rows = download(client_of(ranger), project)
    assert text.splitlines()[0] == ",".join(HEADER)
    return {int(r["sighting_id"]): r for r in rows}, [int(r["sighting_id"]) for r in rows]


def test_header_is_the_documented_column_order(client_of, ranger, project, export_world):
    text, rows = download(client_of(ranger), project)
    assert list(rows[0].keys()) == HEADER
    assert text.splitlines()[0] == ",".join(HEADER)


def test_one_row_per_sighting_in_time_order_untimed_last(rows, export_world):
    _, order = rows
    s = export_world["s"]
    assert order == [s[k].pk for k in (1, 2, 3, 9, 5, 6, 10, 11, 4, 7, 8, 12)]


def test_confirmed_row_has_identity_probability_decider_and_versions(rows, export_world):
    by_id, _ = rows
    s1 = export_world["s"][1]
    # the decision's time, in the project's zone, to the second
    decided_at = s1.decided_at.astimezone(ZONE).replace(microsecond=0).isoformat()
    assert by_id[s1.pk] == {
        "project": "nyala-survey",
        "sighting_id": str(s1.pk),
        "event_id": str(s1.media.event_id),
        "media_id": str(s1.media_id),
        "media_file": "DCIM/100RECNX/IMG_0001.JPG",
        "media_path": s1.media.file.name,
        "media_url": f"http://testserver/p/nyala-survey/media/{s1.media_id}/image/",
        "timestamp": "2024-05-01T12:00:00+02:00",
        "deployment": "CAM-A",
        "latitude": "59.999",
        "longitude": "9.998",
        "side": "left",
        "bbox_x": "0.1",
        "bbox_y": "0.25",
        "bbox_width": "0.5",
        "bbox_height": "0.4",
        "individual_code": "IND-0001",
        "individual_name": "Alpha",
        "status": "confirmed",
        "p_new": "0.05",
        "fused_probability": "0.91",
        "decided_by": "expert",
        "decided_at": decided_at,
        "model_versions": VERSIONS,
        "batch_id": "",
    }


def test_new_individual_and_hand_confirmed_rows_have_no_probability(rows, export_world):
    by_id, _ = rows
    new, by_hand = by_id[export_world["s"][5].pk], by_id[export_world["s"][4].pk]
    assert (new["individual_code"], new["status"], new["fused_probability"]) == (
        "IND-0002", "confirmed", "",
    )  # fmt: skip
    assert new["timestamp"] == "2024-05-04T01:00:00+02:00"
    assert (by_hand["deployment"], by_hand["latitude"], by_hand["longitude"]) == ("CAM-C", "", "")
    assert by_hand["individual_code"] == "IND-0001" and by_hand["fused_probability"] == ""


def test_pending_row_shows_the_top_candidate_and_no_identity(rows, export_world):
    by_id, _ = rows
    row = by_id[export_world["s"][9].pk]
    assert [row[k] for k in ("individual_code", "status", "p_new", "fused_probability")] == [
        "", "pending", "0.3", "0.6",
    ]  # fmt: skip
    assert (row["decided_by"], row["decided_at"]) == ("", "")
    assert row["batch_id"] == str(export_world["batch"].pk)
    assert row["model_versions"] == VERSIONS


def test_proposed_new_row_skips_the_rejected_candidate(rows, export_world):
    by_id, _ = rows
    row = by_id[export_world["s"][10].pk]
    # P(new) 0.8 >= threshold 0.5: the review screen says "probably a new individual"
    assert (row["status"], row["p_new"], row["fused_probability"]) == (
        "proposed_new",
        "0.8",
        "0.15",
    )


def test_rejected_and_untimed_rows(rows, export_world):
    by_id, _ = rows
    rejected, untimed = by_id[export_world["s"][11].pk], by_id[export_world["s"][12].pk]
    assert (rejected["status"], rejected["individual_code"], rejected["decided_by"]) == (
        "rejected", "", "expert",
    )  # fmt: skip
    assert rejected["fused_probability"] == ""
    assert (untimed["status"], untimed["timestamp"], untimed["deployment"]) == ("pending", "", "")
    assert untimed["p_new"] == ""


def test_merged_individual_is_reported_as_its_survivor(
    client_of, ranger, expert, project, export_world
):
    decisions.merge(export_world["bravo"], export_world["alpha"], by=expert)
    _, rows = download(client_of(ranger), project)
    codes = {int(r["sighting_id"]): r["individual_code"] for r in rows}
    assert codes[export_world["s"][6].pk] == "IND-0001"
    assert {r["individual_code"] for r in rows if r["status"] == "confirmed"} == {"IND-0001"}
    # still the candidate's probability: its individual was merged into the confirmed one
    assert {int(r["sighting_id"]): r["fused_probability"] for r in rows}[
        export_world["s"][6].pk
    ] == "0.66"
