"""The capture history of tests/exports/world.py, worked out by hand, downloaded as zips.

1–14 May in occasions of 3 days: 1–3, 4–6, 7–9, 10–12 and a short 13–14.
Operating days: CAM-A 1–9 May, CAM-B 1–3 (ends at midnight), CAM-C 8–9, CAM-D 13–20.
So occasion 4 had no camera at all (MARK ".", secr usage 0 everywhere).
Detections (confirmed only; a burst counts once):
  IND-0001: occasion 1 at CAM-A (burst E1, two frames) and CAM-B; occasion 3 at CAM-C
            (no coordinates: in MARK, not in secr); 20 May is outside the dates.
  IND-0002: occasion 2 at CAM-A twice (E2 on 4 May 01:00 local, which is 3 May in UTC, and
            E3 on 5 May); occasion 5 at CAM-D.
X/Y: the located cameras' mean is 60.0 N, 10.0 E; one thousandth of a degree of latitude is
6371008.8 m × π/180 × 0.001 = 111.195 m, and of longitude at 60° half of that, so CAM-A
(−0.001°, −0.002°) lies at (−111.2, −111.2) m, CAM-B at (111.2, 111.2), CAM-D at (0, 0).
"""

import io
import zipfile

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TITLE = (
    "# reidsite capture history of nyala-survey: 5 occasions of 3 day(s) "
    "from 2024-05-01 to 2024-05-14\n"
)
ORIGIN = (
    "# X, Y: metres east and north of latitude 60.000000, longitude 10.000000 (equirectangular)\n"
)
OCCASIONS = (
    "occasion,first_day,last_day,days,cameras_operating\r\n"
    "1,2024-05-01,2024-05-03,3,2\r\n"
    "2,2024-05-04,2024-05-06,3,1\r\n"
    "3,2024-05-07,2024-05-09,3,2\r\n"
    "4,2024-05-10,2024-05-12,3,0\r\n"
    "5,2024-05-13,2024-05-14,2,1\r\n"
)


@pytest.fixture
def download(client_of, ranger, project, export_world):
    client = client_of(ranger)

    def get(**options) -> dict[str, str]:
        query = {"start": "2024-05-01", "end": "2024-05-14", "days": 3, **options}
        response = client.get(reverse("export_capture_history", args=[project.slug]), query)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        name = f"nyala-survey-capture-history-{options['format']}.zip"
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return {n: archive.read(n).decode("utf-8") for n in archive.namelist()}

    return get


def test_secr_proximity_with_binary_usage(download):
    files = download(format="secr", detector="proximity", usage="binary")
    assert sorted(files) == ["README.txt", "captures.txt", "occasions.csv", "traps.txt"]
    assert files["captures.txt"] == TITLE + (
        "# Session ID Occasion Detector\n"
        "nyala-survey IND-0001 1 CAM-A\n"
        "nyala-survey IND-0001 1 CAM-B\n"
        "nyala-survey IND-0002 2 CAM-A\n"
        "nyala-survey IND-0002 5 CAM-D\n"
    )
    assert files["traps.txt"] == TITLE + ORIGIN + (
        "# Detector X Y Usage\n"
        "CAM-A -111.2 -111.2 11100\n"
        "CAM-B 111.2 111.2 10000\n"
        "CAM-D 0.0 0.0 00001\n"
    )
    assert files["occasions.csv"] == OCCASIONS


def test_secr_count_with_fractional_usage(download):
    files = download(format="secr", detector="count", usage="fraction")
    assert files["captures.txt"] == TITLE + (
        "# Session ID Occasion Detector\n"
        "nyala-survey IND-0001 1 CAM-A\n"
        "nyala-survey IND-0001 1 CAM-B\n"
        "nyala-survey IND-0002 2 CAM-A\n"
        "nyala-survey IND-0002 2 CAM-A\n"
        "nyala-survey IND-0002 5 CAM-D\n"
    )
    # usage = operating days / 3; CAM-D ran both days of the short last occasion: 2/3
    assert files["traps.txt"] == TITLE + ORIGIN + (
        "# Detector X Y Usage\n"
        "CAM-A -111.2 -111.2 1 1 1 0 0\n"
        "CAM-B 111.2 111.2 1 0 0 0 0\n"
        "CAM-D 0.0 0.0 0 0 0 0 0.6667\n"
    )
    assert 'detector = "count", binary.usage = FALSE)' in files["README.txt"]


def test_secr_readme_says_what_is_left_out(download):
    readme = download(format="secr")["README.txt"]
    assert "No located camera operated on occasion(s) 4." in readme
    assert (
        "Deployments without coordinates are not in traps.txt, nor their detections: CAM-C"
        in readme
    )
    assert "1 detection(s) at no located deployment are left out." in readme
    assert "Time zone of days and occasions: Africa/Johannesburg" in readme


def test_mark_inp_has_a_dot_where_no_camera_operated(download):
    files = download(format="mark")
    assert sorted(files) == ["README.txt", "history.inp", "occasions.csv"]
    assert files["history.inp"] == (
        "/* reidsite capture history of nyala-survey: 5 occasions of 3 day(s) from 2024-05-01 "
        "to 2024-05-14. A dot means no camera operated on that occasion. */\n"
        "/* IND-0001 */ 101.0 1;\n"
        "/* IND-0002 */ 010.1 1;\n"
    )
    assert files["occasions.csv"] == OCCASIONS
    assert 'convert.inp("history.inp", use.comments = TRUE)' in files["README.txt"]


def test_one_day_occasions(download):
    files = download(format="mark", days=1, end="2024-05-05")
    # days 1–5: IND-0001 on 1 and 2 May; IND-0002 on 4 and 5 May; cameras A and B ran 1–3 May,
    # A alone 4–5 May
    assert files["history.inp"].splitlines()[1:] == [
        "/* IND-0001 */ 11000 1;",
        "/* IND-0002 */ 00011 1;",
    ]
