"""The Camtrap DP export streams: many chunks, a query count that does not grow with the
project, and the images themselves only when asked."""

import datetime as dt
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from identification.models import Media, Sighting
from identification.services.events import regroup_events
from identification.services.exports.camtrapdp import stream_camtrapdp
from tests.camtrapdp import package_errors, read_package

pytestmark = pytest.mark.django_db


def add_images(project, deployment, n: int, offset: int = 0) -> None:
    base = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    media = Media.objects.bulk_create(
        Media(
            project=project,
            deployment=deployment,
            sha256=f"{offset + i:064x}",
            original_name=f"IMG_{offset + i:05d}.JPG",
            width=4,
            height=3,
            file=f"fake/{offset + i}.jpg",
            taken_at=base + dt.timedelta(minutes=offset + i),
        )  # fmt: skip
        for i in range(n)
    )
    Sighting.objects.bulk_create(Sighting(project=project, media=m) for m in media)
    regroup_events(deployment)


def queries_of_export(project) -> tuple[int, list[bytes]]:
    with CaptureQueriesContext(connection) as queries:
        chunks = list(stream_camtrapdp(project, Sighting.objects.filter(project=project)))
    return len(queries), chunks


def test_a_large_project_comes_out_in_many_chunks(project, deployment):
    add_images(project, deployment, 3000)
    chunks = stream_camtrapdp(project, Sighting.objects.filter(project=project))
    first = next(chunks)
    # The descriptor is sent before any CSV row is read.
    assert first.startswith(b"PK") and b"datapackage.json" in first
    rest = list(chunks)
    assert len(rest) > 5
    assert max(len(c) for c in [first, *rest]) < 2_000_000
    _, tables = read_package(first + b"".join(rest))
    assert len(tables["media"]) == 3000
    assert len(tables["observations"]) == 3000


def test_query_count_does_not_grow_with_the_project(project, deployment):
    add_images(project, deployment, 20)
    small, _ = queries_of_export(project)
    add_images(project, deployment, 2000, offset=20)
    large, chunks = queries_of_export(project)
    assert large == small
    assert large <= 10
    _, tables = read_package(b"".join(chunks))
    assert len(tables["media"]) == 2020


def test_images_go_into_the_zip_only_when_asked(project, camtrap_survey):
    sightings = Sighting.objects.filter(project=project)
    without = b"".join(stream_camtrapdp(project, sightings))
    with zipfile.ZipFile(io.BytesIO(without)) as archive:
        assert not [n for n in archive.namelist() if n.startswith("media/")]
    with_media = b"".join(stream_camtrapdp(project, sightings, include_media=True))
    _, tables = read_package(with_media)
    with zipfile.ZipFile(io.BytesIO(with_media)) as archive:
        for row in tables["media"]:
            assert archive.read(row["filePath"]).startswith(b"image ")
    assert package_errors(with_media) == []


def test_absolute_urls_with_a_base_url(project, camtrap_survey):
    package = b"".join(
        stream_camtrapdp(
            project, Sighting.objects.filter(project=project), base_url="https://reid.example/"
        )
    )
    _, tables = read_package(package)
    m = camtrap_survey["confirmed"].media
    paths = {r["mediaID"]: r["filePath"] for r in tables["media"]}
    assert paths[str(m.pk)] == f"https://reid.example/p/{project.slug}/media/{m.pk}/image/"


def test_images_without_deployment_or_time_are_left_out_and_counted(project, camtrap_survey):
    loose = Media.objects.create(
        project=project, sha256="f" * 64, original_name="loose.jpg", width=4, height=3,
        file="fake/loose.jpg",
    )  # fmt: skip
    Sighting.objects.create(project=project, media=loose)
    package = b"".join(stream_camtrapdp(project, Sighting.objects.filter(project=project)))
    descriptor, tables = read_package(package)
    assert str(loose.pk) not in {r["mediaID"] for r in tables["media"]}
    assert "1 sighting(s) were left out" in descriptor["description"]
    assert package_errors(package) == []
