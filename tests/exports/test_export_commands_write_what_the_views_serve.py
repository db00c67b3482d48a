"""export_sightings and export_capture_history write the same content as the downloads."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_export_sightings_matches_the_view(client_of, ranger, project, export_world, tmp_path):
    cam = export_world["cams"]["A"]
    query = {"deployment": cam.pk, "date_from": "2024-05-02", "status": ["confirmed", "rejected"]}
    response = client_of(ranger).get(reverse("export_sightings", args=[project.slug]), query)
    served = b"".join(response.streaming_content)
    out = tmp_path / "sightings.csv"
    call_command(
        "export_sightings", project.slug, "--out", str(out), "--deployment", "CAM-A",
        "--from", "2024-05-02", "--status", "confirmed", "--status", "rejected",
        "--base-url", "http://testserver",
    )  # fmt: skip
    assert out.read_bytes() == served
    assert served.count(b"\r\n") == 1 + 3  # header, s5, s6, s11


def test_export_sightings_without_filters_matches_the_view(
    client_of, ranger, project, export_world, tmp_path
):
    response = client_of(ranger).get(reverse("export_sightings", args=[project.slug]))
    out = tmp_path / "all.csv"
    call_command(
        "export_sightings", project.slug, "--out", str(out), "--base-url", "http://testserver"
    )
    assert out.read_bytes() == b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "options",
    [
        {"format": "secr", "detector": "count", "usage": "fraction", "days": "3"},
        {"format": "secr", "detector": "proximity", "usage": "binary", "days": "7"},
        {"format": "mark", "days": "2"},
    ],
)
def test_export_capture_history_matches_the_view(
    client_of, ranger, project, export_world, tmp_path, options
):
    query = {"start": "2024-05-01", "end": "2024-05-14", **options}
    response = client_of(ranger).get(reverse("export_capture_history", args=[project.slug]), query)
    out = tmp_path / "history.zip"
    args = [f"--{k}={v}" for k, v in query.items()]
    call_command("export_capture_history", project.slug, "--out", str(out), *args)
    written, served = members(out.read_bytes()), members(response.content)
    assert written == served
    assert (b"IND-0002" in written.get("captures.txt", b"")) or b"IND-0002" in written.get(
        "history.inp", b""
    )


def test_capture_history_dates_default_to_the_survey(project, export_world, tmp_path):
    out = tmp_path / "h.zip"
    call_command("export_capture_history", project.slug, "--out", str(out), "--format", "mark")
    readme = members(out.read_bytes())["README.txt"].decode()
    # CAM-A starts 1 May, CAM-D ends 20 May
    assert "20 occasions of 1 day(s) from 2024-05-01 to 2024-05-20" in readme


def test_commands_refuse_bad_options_with_the_form_message(project, export_world, tmp_path):
    out = str(tmp_path / "x.csv")
    with pytest.raises(CommandError, match="no deployment CAM-99"):
        call_command("export_sightings", project.slug, "--out", out, "--deployment", "CAM-99")
    with pytest.raises(CommandError, match="No project with slug"):
        call_command("export_sightings", "nope", "--out", out)
    with pytest.raises(CommandError, match="first day is after the last day"):
        call_command(
            "export_capture_history", project.slug, "--out", out, "--start", "2024-06-01",
            "--end", "2024-05-01",
        )  # fmt: skip
    assert not (tmp_path / "x.csv").exists()
