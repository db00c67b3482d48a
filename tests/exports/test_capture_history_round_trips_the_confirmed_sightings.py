"""The capture-history files read back into the confirmed sightings they were made from.

Independent of the exact test: the expected records are derived here from the database
rows (local dates computed with zoneinfo), and the files are parsed the way secr and MARK
read them (whitespace-separated fields, # and /* */ comments).
"""

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse

from identification.models import Sighting
from tests.exports.world import ZONE

pytestmark = pytest.mark.django_db

START, END = dt.date(2024, 5, 1), dt.date(2024, 5, 20)


def download(client, project, **options) -> dict[str, str]:
    query = {"start": START, "end": END, "days": 1, **options}
    response = client.get(reverse("export_capture_history", args=[project.slug]), query)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist()}


def confirmed_records(project) -> set[tuple[str, int, str | None, bool]]:
    """(code, occasion, deployment code, located) for every confirmed sighting in range."""
    records = set()
    for s in Sighting.objects.filter(project=project, status="confirmed").select_related(
        "individual", "media__deployment"
    ):
        assert s.media.taken_at is not None and s.individual is not None
        day = s.media.taken_at.astimezone(ZONE).date()
        if START <= day <= END:
            d = s.media.deployment
            located = d is not None and d.latitude is not None
            code = d.code if d is not None else None
            records.add((s.individual.code, (day - START).days + 1, code, located))
    return records


def data_lines(text: str) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line and not line.startswith("#")]


def test_secr_captures_are_the_located_confirmed_sightings(
    client_of, ranger, project, export_world
):
    files = download(client_of(ranger), project, format="secr")
    captures = {(i, int(occ), det) for _, i, occ, det in data_lines(files["captures.txt"])}
    expected = {(c, o, d) for c, o, d, located in confirmed_records(project) if located}
    assert captures == expected and len(captures) == 6
    traps = {row[0]: row[3] for row in data_lines(files["traps.txt"])}
    # every capture is at a trap in use on that occasion (secr rejects anything else)
    assert all(traps[det][occ - 1] == "1" for _, occ, det in captures)
    assert all(len(usage) == 20 for usage in traps.values())


def test_mark_histories_are_the_confirmed_sightings(client_of, ranger, project, export_world):
    files = download(client_of(ranger), project, format="mark")
    histories = {}
    for line in files["history.inp"].splitlines()[1:]:
        code, rest = line.removeprefix("/* ").split(" */ ")
        history, freq = rest.rstrip(";").split()
        assert freq == "1"
        histories[code] = history
    expected: dict[str, set[int]] = {}
    for code, occasion, _, _ in confirmed_records(project):
        expected.setdefault(code, set()).add(occasion)
    assert set(histories) == set(expected)
    for code, history in histories.items():
        assert {i + 1 for i, c in enumerate(history) if c == "1"} == expected[code]
    # 10–12 May no camera ran: missing for everyone
    assert {h[9:12] for h in histories.values()} == {"..."}
    assert files["occasions.csv"].count("\r\n") == 1 + 20
