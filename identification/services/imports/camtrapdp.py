"""Import of a Camtrap DP package (a folder or a zip): deployments, media, events, sightings.

What becomes what (docs/exports.md, "Imports"):
- deployments.csv: created, or updated when the deploymentID exists (services.imports.
  deployments, so the same checks and messages);
- media.csv: each image found in the package (filePath relative to datapackage.json, else
  media/<fileName> or <fileName>) is stored with `store_image` (sha256, EXIF, thumbnail) and
  keeps the package's timestamp; media whose file is not in the package (hosted URLs) are
  counted and left out; images the app already has are linked, not stored twice;
- events: the package's eventIDs, spanning all observations of the event; deployments
  whose images carry no eventID are grouped by the project's gap instead;
- media-level observations of the project's species (any animal if it has none):
  one sighting each, with its bounding box; a human classification with an individualID
  confirms it as that individual (created if new); anything else stays pending review.
  Media whose observations are all blank, human, vehicle or other species get a
  discarded sighting, so they stay out of the review queue.

Every row is checked before anything is written; then the import runs in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ...models import Batch, Decision, Deployment, Event, Individual, Media, Project, Sighting
from .. import reid_hooks
from ..capture_times import capture_window, outside
from ..decisions import record_decision
from ..events import regroup_events
from ..exports.filters import project_zone
from ..ingest import ImageRejected, store_image
from ..permissions import decider_refusal
from .deployments import (
    DeploymentsRejected,
    import_deployments,
    parse_deployments,
    parse_time,
)

TARGET_TYPES = {"animal", "unknown", "unclassified"}
MAX_ERRORS = 200
Row = dict[str, str]  # a CSV row by column name
Observations = list[tuple[int, Row]]  # (line number, row) of observations.csv
Stored = dict[str, tuple[Media, bool]]  # mediaID -> (Media, created)


class PackageRejected(DeploymentsRejected):
    """The package cannot be imported; `errors` says why ("media.csv line 7: …"). Nothing
    was written."""


@dataclass
class PackageImported:
    batch: Batch | None = None
    deployments_created: int = 0
    deployments_updated: int = 0
    media_stored: int = 0
    media_existing: int = 0
    media_not_in_package: int = 0
    events: int = 0
    confirmed: int = 0
    pending: int = 0
    discarded: int = 0
    individuals_created: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class _MediaRow:
    line: int
    media_id: str
    deployment_code: str
    timestamp: dt.datetime | None  # None only in a row reported as an error
    name: str
    path: Path | None


def import_camtrapdp(
    project: Project, source: Path | str, *, by: User | None = None
) -> PackageImported:
    """Import the package at `source` (a folder with datapackage.json, or a zip of one).

    `by` is who the package's decisions are recorded for (individualIDs confirm, blank or
    other-species media are discarded): below the expert role it is refused at once.
    """
    if refusal := decider_refusal(project, by, "A Camtrap DP import"):
        raise PackageRejected([refusal])
    source = Path(source)
    if source.is_file() and zipfile.is_zipfile(source):
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(source) as archive:
            # extractall drops absolute paths and '..' parts: nothing lands outside tmp.
            archive.extractall(tmp)
            return _import_folder(project, _package_root(Path(tmp)), source.name, by)
    if source.is_dir():
        return _import_folder(project, _package_root(source), source.name, by)
    raise PackageRejected([f"{source} is neither a folder nor a zip file"])


def _package_root(folder: Path) -> Path:
    if (folder / "datapackage.json").is_file():
        return folder
    found = sorted(folder.glob("*/datapackage.json"))
    if len(found) == 1:
        return found[0].parent
    raise PackageRejected(["no datapackage.json at the top of the package"])


def _resource_paths(root: Path) -> dict[str, Path]:
    try:
        descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise PackageRejected([f"datapackage.json cannot be read: {exc}"]) from None
    paths: dict[str, Path | None] = {}
    for resource in descriptor.get("resources", []):
        name, path = resource.get("name"), resource.get("path")
        if name in ("deployments", "media", "observations") and isinstance(path, str):
            paths[name] = _inside(root, path)
    missing = [n for n in ("deployments", "media", "observations") if not paths.get(n)]
    if missing:
        raise PackageRejected([f"datapackage.json has no readable {n} resource" for n in missing])
    return cast(dict[str, Path], paths)  # nothing is missing: no path is None


def _inside(root: Path, relative: str) -> Path | None:
    """root/relative if that is a file inside root (no URLs, no escaping with '..')."""
    if "://" in relative:
        return None
    path = (root / relative).resolve()
    return path if path.is_relative_to(root.resolve()) and path.is_file() else None


def _rows(path: Path) -> list[tuple[int, Row]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return [(reader.line_num, row) for row in reader]


def _timestamp(value: str, project: Project) -> dt.datetime | None:
    try:
        return parse_time("timestamp", (value or "").strip() or None, project_zone(project))
    except ValueError:
        return None


def _import_folder(project: Project, root: Path, name: str, by: User | None) -> PackageImported:
    paths = _resource_paths(root)
    deployments_csv = paths["deployments"].read_text(encoding="utf-8-sig")
    try:
        rows, _ = parse_deployments(project, deployments_csv, update_existing=True)
    except DeploymentsRejected as rejected:
        raise PackageRejected([f"deployments.csv {e}" for e in rejected.errors]) from None
    codes = {r["code"] for r in rows}
    media_rows, errors = _media_rows(project, root, paths["media"], codes)
    observations = _rows(paths["observations"])
    errors += _observation_errors(project, observations, codes)
    if errors:
        raise PackageRejected(errors[:MAX_ERRORS])

    result = PackageImported()
    with transaction.atomic():
        imported = import_deployments(project, deployments_csv, update_existing=True)
        result.deployments_created = len(imported.created)
        result.deployments_updated = len(imported.updated)
        result.batch = Batch.objects.create(
            project=project, kind=Batch.Kind.IMPORT, status=Batch.Status.PROCESSING,
            created_by=by, archive_name=name[:500], note=f"Camtrap DP package {name}"[:300],
            started_at=timezone.now(),
        )  # fmt: skip
        new_media = _store_media(project, media_rows, result)
        _link_events(project, new_media, observations, result)
        confirmed_ids = _sightings(project, new_media, observations, by, name, result)
        Batch.objects.filter(pk=result.batch.pk).update(
            status=Batch.Status.DONE, finished_at=timezone.now()
        )
        reid_hooks.batch_ingested(result.batch.pk)
        if confirmed_ids:
            reid_hooks.identities_changed(project.pk, confirmed_ids)
    return result


def _media_rows(
    project: Project, root: Path, path: Path, codes: set[str]
) -> tuple[list[_MediaRow], list[str]]:
    rows: list[_MediaRow] = []
    errors: list[str] = []
    window = capture_window(project)
    for line, row in _rows(path):
        media_id = (row.get("mediaID") or "").strip()
        code = (row.get("deploymentID") or "").strip()
        timestamp = _timestamp(row.get("timestamp", ""), project)
        where = f"media.csv line {line}"
        if not media_id:
            errors.append(f"{where}: mediaID is empty")
        if code not in codes:
            errors.append(f"{where}: deploymentID {code!r} is not in deployments.csv")
        if timestamp is None:
            errors.append(f"{where}: timestamp {row.get('timestamp')!r} is not a date and time")
        elif problem := outside(window, f"timestamp {row['timestamp'].strip()}", timestamp):
            errors.append(f"{where}: {problem}")
        file_name = (row.get("fileName") or "").strip()
        file_path = (row.get("filePath") or "").strip()
        found = _inside(root, file_path) if file_path else None
        for guess in (f"media/{file_name}", file_name) if file_name and not found else ():
            found = found or _inside(root, guess)
        name = file_name or file_path.rsplit("/", 1)[-1]
        rows.append(_MediaRow(line, media_id, code, timestamp, name, found))
    return rows, errors


def _observation_errors(project: Project, observations: Observations, codes: set[str]) -> list[str]:
    errors = []
    window = capture_window(project)
    for line, row in observations:
        where = f"observations.csv line {line}"
        if (row.get("deploymentID") or "").strip() not in codes:
            errors.append(f"{where}: deploymentID {row.get('deploymentID')!r} is unknown")
        # classificationTimestamp becomes the decision's time: it must be readable back too.
        for column in ("eventStart", "eventEnd", "classificationTimestamp"):
            if not (row.get(column) or "").strip():
                continue
            when = _timestamp(row[column], project)
            if when is None:
                errors.append(f"{where}: {column} {row[column]!r} is not a date and time")
            elif problem := outside(window, f"{column} {row[column].strip()}", when):
                errors.append(f"{where}: {problem}")
        box = [row.get(k) or "" for k in ("bboxX", "bboxY", "bboxWidth", "bboxHeight")]
        if any(box) and _bbox(box) is None:
            errors.append(f"{where}: the bounding box {box} is not four numbers in 0…1")
    return errors


def _store_media(project: Project, rows: list[_MediaRow], result: PackageImported) -> Stored:
    """Store the images found in the package; returns mediaID -> (Media, created)."""
    deployments = {d.code: d for d in project.deployments.all()}
    stored: Stored = {}
    for row in rows:
        if row.path is None:
            result.media_not_in_package += 1
            continue
        try:
            with row.path.open("rb") as handle:
                media, created = store_image(
                    project, handle, row.name, deployment=deployments[row.deployment_code],
                    batch=result.batch,
                )  # fmt: skip
        except ImageRejected as exc:
            result.problems.append(f"media.csv line {row.line}: {row.name}: {exc.message}")
            continue
        if created:
            # The package's timestamp has the offset the camera's EXIF lacks: it wins.
            Media.objects.filter(pk=media.pk).update(
                taken_at=row.timestamp, timestamp_missing=False
            )
            media.taken_at = row.timestamp
            result.media_stored += 1
        else:
            result.media_existing += 1
        stored[row.media_id] = (media, created)
    return stored


def _link_events(
    project: Project, stored: Stored, observations: Observations, result: PackageImported
) -> None:
    """Events from the package's eventIDs; deployments without them regroup by time."""
    spans: dict[str, list[Any]] = {}  # eventID -> [deploymentID, start, end]
    event_of_media: dict[str, str] = {}
    for _, row in observations:
        event_id = (row.get("eventID") or "").strip()
        if not event_id:
            continue
        times = [_timestamp(row.get(c, ""), project) for c in ("eventStart", "eventEnd")]
        times = [t for t in times if t]
        span = spans.setdefault(event_id, [row["deploymentID"].strip(), None, None])
        if times:
            span[1] = min([t for t in (span[1], *times) if t])
            span[2] = max([t for t in (span[2], *times) if t])
        if row.get("mediaID"):
            event_of_media.setdefault(row["mediaID"].strip(), event_id)
    new = {mid: media for mid, (media, created) in stored.items() if created}
    events: dict[str, Event] = {}
    unlinked: set[int] = set()
    linked: set[int] = set()
    for media_id, media in new.items():
        assert media.deployment_id is not None  # _store_media gives each its deployment
        package_event = event_of_media.get(media_id)
        if package_event is None:
            unlinked.add(media.deployment_id)
            continue
        linked.add(media.deployment_id)
        if package_event not in events:
            code, start, end = spans[package_event]
            events[package_event] = Event.objects.create(
                project=project, deployment=media.deployment, start=start or media.taken_at,
                end=end or media.taken_at,
            )  # fmt: skip
        Media.objects.filter(pk=media.pk).update(event=events[package_event])
    # Regrouping would undo the package's events: only where it has none for these images.
    for deployment in Deployment.objects.filter(pk__in=unlinked - linked):
        regroup_events(deployment)
    result.events = len(events)


def _bbox(values: list[str]) -> tuple[float, ...] | None:
    try:
        box = tuple(float(v) for v in values)
    except ValueError:
        return None
    x, y, w, h = box
    return box if 0 <= x <= 1 and 0 <= y <= 1 and 0 < w <= 1 and 0 < h <= 1 else None


def _is_target(row: Row, species: str) -> bool:
    if (row.get("observationType") or "").strip() not in TARGET_TYPES:
        return False
    name = (row.get("scientificName") or "").strip()
    return not species or not name or name == species


def _sightings(
    project: Project,
    stored: Stored,
    observations: Observations,
    by: User | None,
    name: str,
    result: PackageImported,
) -> list[int]:
    """Sightings of the newly stored media from their media-level observations."""
    by_media: dict[str, list[Row]] = defaultdict(list)
    for _, row in observations:
        if (row.get("observationLevel") or "").strip() == "media" and row.get("mediaID"):
            by_media[row["mediaID"].strip()].append(row)
    species = project.species.strip()
    individuals = {i.code: i for i in project.individuals.select_related("merged_into")}
    confirmed: list[int] = []
    note = f"Imported from the Camtrap DP package {name}."
    for media_id, (media, created) in stored.items():
        if not created:
            continue
        rows = by_media.get(media_id, [])
        targets = [r for r in rows if _is_target(r, species)]
        first = Sighting.objects.filter(media=media).order_by("pk").first()
        assert first is not None  # store_image created the media with its sighting
        if rows and not targets:
            _decide(first, Decision.Action.DISCARD, None, by, note, rows[0])
            result.discarded += 1
            continue
        for n, row in enumerate(targets):
            sighting = first if n == 0 else Sighting(project=project, media=media)
            box = [row.get(k) or "" for k in ("bboxX", "bboxY", "bboxWidth", "bboxHeight")]
            if all(box):
                checked = _bbox(box)
                assert checked is not None  # _observation_errors refused other boxes
                x, y, w, h = checked
                sighting.bbox_x, sighting.bbox_y, sighting.bbox_width, sighting.bbox_height = (
                    x, y, w, h,
                )  # fmt: skip
            sighting.save()
            code = (row.get("individualID") or "").strip()
            if code and (row.get("classificationMethod") or "").strip() == "human":
                if code not in individuals:
                    individuals[code] = Individual.objects.create(
                        project=project, code=code[:100], created_by=by
                    )
                    result.individuals_created += 1
                _decide(
                    sighting, Decision.Action.CONFIRM, individuals[code].survivor, by, note, row
                )
                confirmed.append(sighting.pk)
                result.confirmed += 1
            else:
                result.pending += 1
    return confirmed


def _decide(
    sighting: Sighting,
    action: str,
    individual: Individual | None,
    by: User | None,
    note: str,
    row: Row,
) -> None:
    """Write the decision the package records, as an expert's decision would be written."""
    decided_at = _timestamp(row.get("classificationTimestamp", ""), sighting.project)
    status = Sighting.Status.CONFIRMED if individual else Sighting.Status.REJECTED
    details = {
        "source": "camtrapdp",
        "observationID": row.get("observationID", ""),
        "observationType": row.get("observationType", ""),
        "classifiedBy": row.get("classifiedBy", ""),
    }
    record_decision(
        sighting, action, by=by, individual=individual, status=status, note=note,
        details=details, decided_at=decided_at,
    )  # fmt: skip
