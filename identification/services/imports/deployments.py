"""Deployments from a Camtrap DP deployments.csv (or any CSV with its column names).

All or nothing: every row is checked first and every problem is reported with its line
number; only a file without problems is written, in one transaction, so a failed import
leaves the project as it was.

Existing deploymentIDs are updated when `update_existing` (a project admin, or the command),
refused otherwise (a ranger may add stations, not change them: the same rule as the
deployment pages). On update, the columns the file has overwrite (an empty cell clears the
value); columns it lacks are left alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.utils.dateparse import parse_datetime

from ...models import Deployment, Project
from ..capture_times import CaptureWindow, capture_window, outside
from ..exports.filters import project_zone

# Camtrap DP column -> model field; the order is the order of the checks.
COLUMNS = {
    "deploymentID": "code",
    "locationID": "location_id",
    "locationName": "name",
    "latitude": "latitude",
    "longitude": "longitude",
    "coordinateUncertainty": "coordinate_uncertainty",
    "deploymentStart": "start",
    "deploymentEnd": "end",
    "cameraID": "camera_id",
    "cameraModel": "camera_model",
    "cameraHeight": "camera_height",
    "habitat": "habitat",
    "baitUse": "bait_use",
    "deploymentComments": "comments",
}
MISSING = {"", "NA", "NaN", "nan"}  # Camtrap DP's missingValues
RANGES = {"latitude": (-90, 90), "longitude": (-180, 180), "cameraHeight": (0, None)}
TRUE, FALSE = {"true", "yes", "1", "t", "y"}, {"false", "no", "0", "f", "n"}
MAX_ERRORS = 200


class DeploymentsRejected(Exception):
    """The file has problems; `errors` lists them ("line 7: …"). Nothing was written."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class DeploymentsImported:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def import_deployments(
    project: Project, source: IO[bytes] | str, *, update_existing: bool
) -> DeploymentsImported:
    """Create (and, if allowed, update) the project's deployments from a CSV.

    `source` is a binary file or the CSV text. Raises DeploymentsRejected listing every bad
    line; then the project is unchanged.
    """
    rows, result = parse_deployments(project, source, update_existing=update_existing)
    existing = {d.code: d for d in project.deployments.filter(code__in=[r["code"] for r in rows])}
    with transaction.atomic():
        for values in rows:
            deployment = existing.get(values["code"])
            if deployment is None:
                Deployment.objects.create(project=project, **values)
                result.created.append(values["code"])
            else:
                for name, value in values.items():
                    setattr(deployment, name, value)
                deployment.save()
                result.updated.append(values["code"])
    return result


def parse_deployments(
    project: Project, source: IO[bytes] | str, *, update_existing: bool
) -> tuple[list[dict[str, Any]], DeploymentsImported]:
    """Every row as model field values, or DeploymentsRejected with every problem."""
    text = _text(source)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    reader.fieldnames = header
    if "deploymentID" not in header:
        raise DeploymentsRejected(["line 1: the header has no deploymentID column"])
    result = DeploymentsImported(ignored_columns=[h for h in header if h not in COLUMNS])
    zone = project_zone(project)
    window = capture_window(project)
    taken = set(project.deployments.values_list("code", flat=True))
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        values, problems = _row(record, zone, window)
        code = values.get("code")
        if code in seen:
            problems.append(f"deploymentID {code} is also on line {seen[code]}")
        elif code and code in taken and not update_existing:
            problems.append(f"deployment {code} exists already; only a project admin may update it")
        if code:
            seen.setdefault(code, line)
        errors += [f"line {line}: {p}" for p in problems]
        rows.append(values)
        if len(errors) >= MAX_ERRORS:
            errors.append("… and more: fix these first.")
            break
    if not rows and not errors:
        errors.append("the file has no deployment rows under its header")
    if errors:
        raise DeploymentsRejected(errors)
    return rows, result


def _text(source: IO[bytes] | str) -> str:
    if isinstance(source, str):
        return source
    data = source.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeploymentsRejected(
            [f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"]
        ) from None


def _row(
    record: dict[str, str | None], zone: ZoneInfo, window: CaptureWindow
) -> tuple[dict[str, Any], list[str]]:
    """The model values of one CSV record (columns it has only), and its problems."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for column, name in COLUMNS.items():
        if column not in record:
            continue
        raw = (record[column] or "").strip()
        value = None if raw in MISSING else raw
        try:
            values[name] = _convert(column, value, zone)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        # A station's dates bound its images' times: the same window applies to both.
        dated = name in ("start", "end")
        if dated and (problem := outside(window, f"{column} {raw}", values[name])):
            problems.append(problem)
    if not values.get("code"):
        problems.append("deploymentID is empty")
    start, end = values.get("start"), values.get("end")
    if start and end and start > end:
        problems.append(f"deploymentEnd {end.isoformat()} is before deploymentStart")
    return values, problems


def _convert(
    column: str, value: str | None, zone: ZoneInfo
) -> float | dt.datetime | bool | str | None:
    name = COLUMNS[column]
    if column in ("latitude", "longitude", "cameraHeight"):
        return _number(column, value)
    if column == "coordinateUncertainty":
        number = _number(column, value)
        if number is not None and (number < 1 or number != int(number)):
            raise ValueError(f"coordinateUncertainty {value} is not a whole number of metres ≥ 1")
        return None if number is None else int(number)
    if column in ("deploymentStart", "deploymentEnd"):
        return parse_time(column, value, zone)
    if column == "baitUse":
        return _boolean(value)
    text = value or ""
    model_field = Deployment._meta.get_field(name)
    limit = model_field.max_length if isinstance(model_field, models.Field) else None
    if limit and len(text) > limit:
        raise ValueError(f"{column} is longer than {limit} characters")
    return text


def _number(column: str, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a number") from None
    low, high = RANGES.get(column, (None, None))
    if (low is not None and number < low) or (high is not None and number > high):
        span = f"{low}…{high}" if high is not None else f"at least {low}"
        raise ValueError(f"{column} {value} is outside {span}".replace("-", "−"))
    return number


def parse_time(column: str, value: str | None, zone: ZoneInfo) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = parse_datetime(value.replace(" ", "T", 1))
        if parsed is None:
            parsed = dt.datetime.combine(dt.date.fromisoformat(value), dt.time.min)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"{column} {value!r} is not a date and time (YYYY-MM-DDThh:mm:ss±hh:mm)")
    # Without an offset, times are the cameras' local time, as for EXIF times.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _boolean(value: str | None) -> bool | None:
    if value is None:
        return None
    lowered = value.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError(f"baitUse {value!r} is not true or false")
