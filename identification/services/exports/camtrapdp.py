"""Camtrap DP 1.0.2 data package of a project's sightings, streamed as a zip.

`stream_camtrapdp(project, sightings)` yields the zip's bytes while it writes them: zipfile
writes into a non-seekable pipe (so it uses data descriptors and never seeks back), and the
three CSVs are written row by row from `.iterator()` querysets. datapackage.json comes first:
its coverage (dates, bounding box) is computed from the deployments, which are few, so
nothing needs spooling. What maps to what is in docs/exports.md, "Camtrap DP".

Choices an ecologist should know (also in the docs):
- one media-level observation per sighting, plus one event-level observation per
  (event, confirmed individual): counts of event-level observations can be summed;
- `classificationMethod` human = an expert confirmed (or discarded) it; machine = the
  matcher's proposal for a sighting nobody has reviewed yet, with its fused probability;
  unreviewed, unmatched sightings are `unclassified`;
- sightings whose image has no deployment or no capture time cannot be expressed in
  Camtrap DP (deploymentID and timestamp are required) and are left out; the package's
  description says how many.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING, Any, TypedDict, cast
from zoneinfo import ZoneInfo

from django.core.files.storage import default_storage
from django.db.models import Exists, F, Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from ...models import Candidate, Decision, Deployment, Media, Project, Sighting
from .filters import project_zone
from .frame_observations import frame_rows

VERSION = "1.0.2"
BASE = f"https://raw.githubusercontent.com/tdwg/camtrap-dp/{VERSION}"
PROFILE_URL = f"{BASE}/camtrap-dp-profile.json"
TABLES = ("deployments", "media", "observations")
SCHEMA_URLS = {name: f"{BASE}/{name}-table-schema.json" for name in TABLES}
CLASSIFIER = "reidsite WildFusion re-identification"

DEPLOYMENT_FIELDS = [
    "deploymentID", "locationID", "locationName", "latitude", "longitude",
    "coordinateUncertainty", "deploymentStart", "deploymentEnd", "setupBy", "cameraID",
    "cameraModel", "cameraDelay", "cameraHeight", "cameraDepth", "cameraTilt", "cameraHeading",
    "detectionDistance", "timestampIssues", "baitUse", "featureType", "habitat",
    "deploymentGroups", "deploymentTags", "deploymentComments",
]  # fmt: skip
MEDIA_FIELDS = [
    "mediaID", "deploymentID", "captureMethod", "timestamp", "filePath", "filePublic",
    "fileName", "fileMediatype", "exifData", "favorite", "mediaComments",
]  # fmt: skip
OBSERVATION_FIELDS = [
    "observationID", "deploymentID", "mediaID", "eventID", "eventStart", "eventEnd",
    "observationLevel", "observationType", "cameraSetupType", "scientificName", "count",
    "lifeStage", "sex", "behavior", "individualID", "individualPositionRadius",
    "individualPositionAngle", "individualSpeed", "bboxX", "bboxY", "bboxWidth", "bboxHeight",
    "classificationMethod", "classifiedBy", "classificationTimestamp",
    "classificationProbability", "observationTags", "observationComments",
]  # fmt: skip
_CHUNK = 2000


class _Span(TypedDict):
    first_image: datetime | None
    last_image: datetime | None


class _Top(TypedDict):
    top_code: str | None
    top_fused: float | None
    top_versions: object
    classified_by: str | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # What the querysets below annotate the models with.
    SpannedDeployment = WithAnnotations[Deployment, _Span]
    ClassifiedSighting = WithAnnotations[Sighting, _Top]


class _Pipe(io.RawIOBase):
    """A write-only, non-seekable sink whose bytes are taken out as they arrive."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]  # zipfile writes bytes
        self._buffer += data
        return len(data)

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def stream_camtrapdp(
    project: Project,
    sightings: QuerySet[Sighting],
    *,
    frames: QuerySet[Media] | None = None,
    base_url: str = "",
    include_media: bool = False,
) -> Iterator[bytes]:
    """The Camtrap DP zip of these sightings (a queryset of the project's Sighting).

    - `base_url`: the site's address (e.g. "https://reid.example.org"); media.filePath is
      then the absolute URL of the image in the app. Without it, filePath is that URL's path
      relative to the site root ("p/<slug>/media/<pk>/image/").
    - `include_media`: also put the image files in the zip under media/; filePath then
      points at them.
    - `frames`: frames with blank / human / vehicle observations (frame_observations).
    """
    exportable = sightings.filter(
        project=project, media__deployment__isnull=False, media__taken_at__isnull=False
    )
    left_out = sightings.filter(project=project).count() - exportable.count()
    frames = (frames if frames is not None else Media.objects.none()).filter(
        project=project, deployment__isnull=False, taken_at__isnull=False
    )
    # Exists, not "pk IN (...) OR pk IN (...)", which PostgreSQL cannot run as a semi-join
    # (it rescans the subquery for every row: minutes at a few thousand images).
    media = Media.objects.filter(project=project).filter(
        Exists(exportable.filter(media_id=OuterRef("pk")))
        | Exists(frames.filter(pk=OuterRef("pk")))
    )
    deployments = _deployments(project, media)
    tz = project_zone(project)
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        descriptor = package_descriptor(project, deployments, left_out, tz)
        archive.writestr("datapackage.json", json.dumps(descriptor, indent=2, ensure_ascii=False))
        yield pipe.take()
        tables = (
            ("deployments.csv", DEPLOYMENT_FIELDS, (_deployment_row(d, tz) for d in deployments)),
            ("media.csv", MEDIA_FIELDS, _media_rows(project, media, tz, base_url, include_media)),
            (
                "observations.csv",
                OBSERVATION_FIELDS,
                chain(
                    _observation_rows(project, exportable, tz),
                    frame_rows(project, frames, tz, iso, _number),
                ),
            ),
        )
        for name, fields, rows in tables:
            yield from _write_csv(archive, pipe, name, fields, rows)
        if include_media:
            yield from _write_media_files(archive, pipe, media)
    yield pipe.take()


def _write_csv(
    archive: zipfile.ZipFile,
    pipe: _Pipe,
    name: str,
    fields: list[str],
    rows: Iterable[dict[str, Any]],
) -> Iterator[bytes]:
    with archive.open(name, "w", force_zip64=True) as member:
        text = io.TextIOWrapper(member, encoding="utf-8", newline="")
        writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for n, row in enumerate(rows, 1):
            writer.writerow(row)
            if n % 500 == 0:
                text.flush()
                if chunk := pipe.take():
                    yield chunk
        text.flush()
        text.detach()
    yield pipe.take()


def _write_media_files(
    archive: zipfile.ZipFile, pipe: _Pipe, media: QuerySet[Media]
) -> Iterator[bytes]:
    for m in media.only("pk", "file", "original_name").iterator(chunk_size=_CHUNK):
        with default_storage.open(m.file.name or "", "rb") as source:
            info = zipfile.ZipInfo(_packaged_path(m))
            with archive.open(info, "w", force_zip64=True) as member:
                while block := source.read(1024 * 1024):
                    member.write(block)
                    yield pipe.take()


def iso(value: datetime | None, tz: ZoneInfo) -> str:
    """ISO 8601 with offset, to the second, in the project's zone (Camtrap DP's format)."""
    if value is None:
        return ""
    return timezone.localtime(value, tz).replace(microsecond=0).isoformat()


def _deployments(project: Project, media: QuerySet[Media]) -> list[SpannedDeployment]:
    """The exported media's deployments, with the period their images span.

    A list: a project has tens to a few thousand deployments, and coverage needs them all
    before the first CSV row is written.
    """
    return list(
        Deployment.objects.filter(project=project, pk__in=media.values("deployment_id"))
        .annotate(
            first_image=Min("media__taken_at"),
            last_image=Max("media__taken_at"),
        )
        .order_by("code")
    )


def _period(d: SpannedDeployment) -> tuple[datetime | None, datetime | None]:
    # Camtrap DP requires both ends; a deployment without them spans its images.
    return d.start or d.first_image, d.end or d.last_image


def package_descriptor(
    project: Project, deployments: list[SpannedDeployment], left_out: int, tz: ZoneInfo
) -> dict[str, Any]:
    starts = [s for s, _ in map(_period, deployments) if s]
    ends = [e for _, e in map(_period, deployments) if e]
    points = [
        (d.longitude, d.latitude)
        for d in deployments
        if d.latitude is not None and d.longitude is not None
    ]
    description = project.description or f"Re-identified individuals of {project}."
    if left_out:
        description += (
            f"\n\n{left_out} sighting(s) were left out: their image has no deployment or no "
            "capture time, which Camtrap DP requires."
        )
    missing = [d.code for d in deployments if d.latitude is None or d.longitude is None]
    if missing:
        description += f"\n\nDeployments without coordinates: {', '.join(missing)}."
    admins = project.memberships.filter(role="admin").select_related("user").order_by("pk")
    contributors = [
        {"title": m.user.get_full_name() or m.user.username, "role": "contact"}
        | ({"email": m.user.email} if m.user.email else {})
        for m in admins
    ] or [{"title": project.name, "role": "rightsHolder"}]
    return {
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": url,
            }
            for name, url in SCHEMA_URLS.items()
        ],
        "profile": PROFILE_URL,
        "name": project.slug,
        "created": iso(timezone.now(), ZoneInfo("UTC")).replace("+00:00", "Z"),
        "title": project.name,
        "description": description,
        "contributors": contributors,
        "sources": [{"title": "reidsite"}],
        "project": {
            "id": project.slug,
            "title": project.name,
            "description": project.description,
            # The app does not record how cameras were placed or triggered; these are the
            # usual values for re-identification surveys and can be edited in the JSON.
            "samplingDesign": "targeted",
            "captureMethod": ["activityDetection"],
            "individualAnimals": True,
            "observationLevel": ["media", "event"],
        },
        "spatial": _bbox_polygon(points),
        "temporal": {
            "start": timezone.localtime(min(starts), tz).date().isoformat() if starts else "",
            "end": timezone.localtime(max(ends), tz).date().isoformat() if ends else "",
        },
        "taxonomic": _taxonomic(project.species),
    }


def _bbox_polygon(points: list[tuple[float, float]]) -> dict[str, Any]:
    if not points:
        return {"type": "Polygon", "coordinates": []}
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _taxonomic(species: str) -> list[dict[str, str]]:
    name = species.strip()
    if not name:
        return []
    rank = {1: "genus", 2: "species", 3: "subspecies"}.get(len(name.split()))
    return [{"scientificName": name} | ({"taxonRank": rank} if rank else {})]


def _number(value: float | None, digits: int = 6) -> str:
    if value is None:
        return ""
    return f"{round(value, digits):g}" if abs(value) >= 1e-4 else f"{value:.{digits}f}"


def _bool(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


def _deployment_row(d: SpannedDeployment, tz: ZoneInfo) -> dict[str, Any]:
    start, end = _period(d)
    return {
        "deploymentID": d.code,
        "locationID": d.location_id,
        "locationName": d.name,
        "latitude": _number(d.latitude),
        "longitude": _number(d.longitude),
        "coordinateUncertainty": d.coordinate_uncertainty or "",
        "deploymentStart": iso(start, tz),
        "deploymentEnd": iso(end, tz),
        "cameraID": d.camera_id,
        "cameraModel": d.camera_model,
        "cameraHeight": _number(d.camera_height, 2),
        "baitUse": _bool(d.bait_use),
        "habitat": d.habitat,
        "deploymentComments": d.comments,
    }


def _packaged_path(m: Media) -> str:
    name = m.original_name.replace("\\", "/").rsplit("/", 1)[-1] or "image"
    return f"media/{m.pk}-{name}"


def _media_rows(
    project: Project, media: QuerySet[Media], tz: ZoneInfo, base_url: str, include_media: bool
) -> Iterator[dict[str, Any]]:
    rows = (
        media.annotate(deployment_code=F("deployment__code"))
        .order_by("deployment__code", "taken_at", "pk")
        .only("pk", "taken_at", "original_name", "mime_type", "exif", "deployment_id")
    )
    for m in rows.iterator(chunk_size=_CHUNK):
        if include_media:
            path = _packaged_path(m)
        else:
            path = reverse("media_file", args=[project.slug, m.pk])
            path = f"{base_url.rstrip('/')}{path}" if base_url else path.lstrip("/")
        yield {
            "mediaID": m.pk,
            "deploymentID": m.deployment_code,
            "timestamp": iso(m.taken_at, tz),
            "filePath": path,
            # Images in the app are behind a login: not public unless the package says so.
            "filePublic": "false",
            "fileName": m.original_name.replace("\\", "/").rsplit("/", 1)[-1],
            "fileMediatype": m.mime_type or "image/jpeg",
            "exifData": json.dumps(m.exif, ensure_ascii=False) if m.exif else "",
        }


def _observation_rows(
    project: Project, sightings: QuerySet[Sighting], tz: ZoneInfo
) -> Iterator[dict[str, Any]]:
    yield from _media_observations(project, sightings, tz)
    yield from _event_observations(project, sightings, tz)


def _top_candidate(value: Combinable) -> Subquery:
    """The best standing candidate's `value` (a field name or an expression on Candidate)."""
    best = Candidate.objects.filter(sighting=OuterRef("pk"), rejected=False).order_by(
        "-fused", "rank"
    )
    return Subquery(best.annotate(value=value).values("value")[:1])


def _media_observations(
    project: Project, sightings: QuerySet[Sighting], tz: ZoneInfo
) -> Iterator[dict[str, Any]]:
    imported_by = Decision.objects.filter(
        sighting=OuterRef("pk"), action__in=[Decision.Action.CONFIRM, Decision.Action.NEW]
    ).order_by("-pk")
    rows = (
        sightings.select_related("media__deployment", "individual__merged_into", "decided_by")
        .annotate(
            top_code=_top_candidate(Coalesce("individual__merged_into__code", "individual__code")),
            top_fused=_top_candidate(F("fused")),
            top_versions=_top_candidate(F("model_versions")),
            classified_by=Subquery(imported_by.values("details__classifiedBy")[:1]),
        )
        .order_by("media__deployment__code", "media__taken_at", "pk")
    )
    threshold = project.new_individual_threshold
    for s in rows.iterator(chunk_size=_CHUNK):
        m = s.media
        assert m.deployment is not None  # exportable: every image has a deployment
        row: dict[str, Any] = {
            "observationID": s.pk,
            "deploymentID": m.deployment.code,
            "mediaID": m.pk,
            "eventID": m.event_id or "",
            # Media-level: the event is this image's moment, as in the official example.
            "eventStart": iso(m.taken_at, tz),
            "eventEnd": iso(m.taken_at, tz),
            "observationLevel": "media",
        }
        row.update(_classification(s, project, threshold, tz))
        # A box locates the animal whether or not it is identified yet.
        if row["observationType"] != "blank" and s.has_bbox:
            row.update(_bbox(s))
        yield row


def _classification(
    s: ClassifiedSighting, project: Project, threshold: float, tz: ZoneInfo
) -> dict[str, Any]:
    S = Sighting.Status
    if s.status == S.CONFIRMED and s.individual is not None:
        individual = s.individual.survivor
        who = s.decided_by.get_full_name() or s.decided_by.username if s.decided_by else ""
        return {
            "observationType": "animal",
            "scientificName": project.species,
            "count": 1,
            "sex": individual.sex if individual.sex in ("female", "male") else "",
            "individualID": individual.code,
            "classificationMethod": "human",
            "classifiedBy": s.classified_by or who,
            "classificationTimestamp": iso(s.decided_at, tz),
        }
    if s.status == S.REJECTED:
        who = s.decided_by.get_full_name() or s.decided_by.username if s.decided_by else ""
        return {
            "observationType": "blank",
            "classificationMethod": "human",
            "classifiedBy": who,
            "classificationTimestamp": iso(s.decided_at, tz),
            "observationComments": "No identifiable animal (discarded by an expert).",
        }
    if s.top_fused is None:
        return {"observationType": "unclassified"}
    machine = {
        "observationType": "animal",
        "scientificName": project.species,
        "count": 1,
        "classificationMethod": "machine",
        "classifiedBy": _classifier(s.top_versions),
        "classificationTimestamp": iso(s.matched_at, tz),
    }
    # As on the review screen and in the filters: P(new) at or above the threshold.
    if s.p_new is not None and s.p_new >= threshold:
        comment = (
            f"Not reviewed; proposed as a new individual (P(new) = {s.p_new:.2f}; "
            f"best match {s.top_code} at {s.top_fused:.2f})."
        )
        return machine | {"observationComments": comment}
    return machine | {
        "individualID": s.top_code,
        "classificationProbability": _number(min(max(s.top_fused, 0.0), 1.0), 4),
        "observationComments": "Not reviewed; the matcher's best candidate.",
    }


def _classifier(versions: object) -> str:
    if not isinstance(versions, dict) or not versions:
        return CLASSIFIER
    return f"{CLASSIFIER} ({', '.join(f'{k} {v}' for k, v in sorted(versions.items()))})"


def _bbox(s: Sighting) -> dict[str, str]:
    # Only called when s.has_bbox: none of the four is None.
    bbox_x, bbox_y = cast(float, s.bbox_x), cast(float, s.bbox_y)
    bbox_width, bbox_height = cast(float, s.bbox_width), cast(float, s.bbox_height)
    x = min(max(bbox_x, 0.0), 1.0)
    y = min(max(bbox_y, 0.0), 1.0)
    width = min(bbox_width, 1.0 - x)
    height = min(bbox_height, 1.0 - y)
    if width <= 0 or height <= 0:
        return {}
    return {"bboxX": _number(x), "bboxY": _number(y), "bboxWidth": _number(width),
            "bboxHeight": _number(height)}  # fmt: skip


def _event_observations(
    project: Project, sightings: QuerySet[Sighting], tz: ZoneInfo
) -> Iterator[dict[str, Any]]:
    """One row per (event, confirmed individual): summable counts of individuals per event."""
    code = Coalesce("individual__merged_into__code", "individual__code")
    pairs = (
        sightings.filter(status=Sighting.Status.CONFIRMED, individual__isnull=False)
        .exclude(media__event=None)
        .annotate(
            code=code,
            deployment_code=F("media__deployment__code"),
            sex=Coalesce("individual__merged_into__sex", "individual__sex"),
        )
        .values(
            "media__event",
            "media__event__start",
            "media__event__end",
            "code",
            "deployment_code",
            "sex",
        )  # fmt: skip
        .annotate(last_decided=Max("decided_at"))
        .order_by("deployment_code", "media__event__start", "media__event", "code")
    )
    for p in pairs.iterator(chunk_size=_CHUNK):
        yield {
            "observationID": f"event-{p['media__event']}-{p['code']}",
            "deploymentID": p["deployment_code"],
            "eventID": p["media__event"],
            "eventStart": iso(p["media__event__start"], tz),
            "eventEnd": iso(p["media__event__end"], tz),
            "observationLevel": "event",
            "observationType": "animal",
            "scientificName": project.species,
            "count": 1,
            "sex": p["sex"] if p["sex"] in ("female", "male") else "",
            "individualID": p["code"],
            "classificationMethod": "human",
            "classificationTimestamp": iso(p["last_decided"], tz),
        }
