"""Capture histories for capture–recapture: secr's capture and trap files, MARK's .inp.

Time is cut into occasions of `days` local calendar days (project time zone) from `start`
to `end` inclusive; the last occasion is shorter when the span is not a whole number of
occasions. Effort is counted in days: a camera operates on a day if it was deployed for any
part of it (from its start to its end, widened to cover its first and last image, since a
camera that took a picture was working), and on every day it recorded a detection. An
occasion counts as operating if any of its days does; usage is either 0/1 or the fraction
operating days / `days`. docs/exports.md gives the reasoning and how to read the files in R.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Max, Min
from django.db.models.functions import Coalesce
from django.utils import timezone

from ...models import Deployment, Media, Project, Sighting
from .filters import local_midnight, project_zone
from .streaming import number

FORMATS = {"secr": "secr (captures.txt + traps.txt)", "mark": "MARK (.inp)"}
DETECTORS = {"proximity": "proximity (0/1 per occasion)", "count": "count (independent events)"}
USAGES = {"binary": "0/1 (operating any day of the occasion)", "fraction": "fraction of days"}
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
MAX_DAYS = 3660


@dataclass(frozen=True)
class HistoryOptions:
    start: dt.date
    end: dt.date
    days: int = 1
    format: str = "secr"
    detector: str = "proximity"
    usage: str = "binary"


@dataclass
class Occasion:
    number: int
    first_day: dt.date
    last_day: dt.date


@dataclass
class Station:
    pk: int
    code: str
    label: str
    latitude: float | None
    longitude: float | None
    days: set[dt.date] = field(default_factory=set)
    usage: list[float] = field(default_factory=list)

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass
class CaptureHistory:
    project: Project
    options: HistoryOptions
    occasions: list[Occasion]
    stations: list[Station]
    # (individual code, occasion index, deployment pk or None) -> independent detections
    detections: dict[tuple[str, int, int | None], int]
    individuals: list[str]

    def operating(self, index: int, located_only: bool = False) -> bool:
        """Whether any camera (with coordinates, if `located_only`) operated on occasion `index`."""
        return any(s.usage[index] > 0 for s in self.stations if s.located or not located_only)


def survey_span(project: Project) -> dict[str, dt.date | int]:
    """First and last day with a deployment or an image (local dates); {} if there is none."""
    zone = project_zone(project)
    deployed = project.deployments.aggregate(first=Min("start"), last=Max("end"))
    taken = project.media.aggregate(first=Min("taken_at"), last=Max("taken_at"))
    firsts = [t for t in (deployed["first"], taken["first"]) if t]
    lasts = [t for t in (deployed["last"], taken["last"]) if t]
    if not firsts or not lasts:
        return {}
    start, end = min(firsts).astimezone(zone).date(), max(lasts).astimezone(zone).date()
    return {"start": start, "end": end, "days": default_occasion_days((end - start).days + 1)}


def default_occasion_days(span_days: int) -> int:
    """The occasion length the form offers first: days for a survey of up to two months,
    weeks up to a year, 30 days beyond (not 1,628 one-day occasions for a 4½-year survey)."""
    if span_days <= 60:
        return 1
    return 7 if span_days <= 366 else 30


def occasions_of(options: HistoryOptions) -> list[Occasion]:
    total = (options.end - options.start).days + 1
    if not 1 <= total <= MAX_DAYS:
        # The form refuses such spans; this keeps a direct caller from a years-long loop too.
        raise ValueError(f"A capture history spans 1 to {MAX_DAYS} days, not {total}.")
    out = []
    for k in range(math.ceil(total / options.days)):
        first = options.start + dt.timedelta(days=k * options.days)
        last = min(first + dt.timedelta(days=options.days - 1), options.end)
        out.append(Occasion(k + 1, first, last))
    return out


def label(text: str) -> str:
    # secr identifiers may not hold blanks, commas or (for detectors) underscores.
    return re.sub(r"[\s,_/#;]+", "-", text.strip()) or "-"


def _stations(project: Project, options: HistoryOptions) -> dict[int, Station]:
    zone = project_zone(project)
    bounds = {
        row["deployment"]: row
        for row in Media.objects.filter(project=project, deployment__isnull=False)
        .values("deployment")
        .annotate(first=Min("taken_at"), last=Max("taken_at"))
    }
    stations: dict[int, Station] = {}
    labels: set[str] = set()
    for d in Deployment.objects.filter(project=project).order_by("code", "pk"):
        name = label(d.code)
        if name in labels:  # two codes equal once cleaned up
            name = f"{name}-{d.pk}"
        labels.add(name)
        station = Station(d.pk, d.code, name, d.latitude, d.longitude)
        seen: Mapping[str, Any] = bounds.get(d.pk, {})
        starts = [t for t in (d.start, seen.get("first")) if t is not None]
        ends = [t for t in (d.end, seen.get("last")) if t is not None]
        if starts and ends:
            first, last = min(starts), max(ends)
            if last > first:
                # A deployment ending at midnight did not work on the day that starts then.
                last -= dt.timedelta(microseconds=1)
            # Only the days of the history count: a deployment (or a stray image) reaching
            # far beyond it must not make this loop run over its whole span.
            day = max(first.astimezone(zone).date(), options.start)
            last_day = min(last.astimezone(zone).date(), options.end)
            while day <= last_day:
                station.days.add(day)
                day += dt.timedelta(days=1)
        stations[d.pk] = station
    return stations


def build_history(project: Project, options: HistoryOptions) -> CaptureHistory:
    """Detections of confirmed sightings and camera effort, per occasion and deployment."""
    zone = project_zone(project)
    occasions = occasions_of(options)
    stations = _stations(project, options)
    events: dict[tuple[str, int, int | None], set[tuple[str, int | None]]] = defaultdict(set)
    rows = (
        Sighting.objects.filter(
            project=project,
            status=Sighting.Status.CONFIRMED,
            individual__isnull=False,
            media__taken_at__gte=local_midnight(options.start, zone),
            media__taken_at__lt=local_midnight(options.end + dt.timedelta(days=1), zone),
        )
        .annotate(code=Coalesce("individual__merged_into__code", "individual__code"))
        .values_list(
            "code", "media__deployment_id", "media__taken_at", "media__event_id", "media_id"
        )
        .iterator(chunk_size=2000)
    )
    for code, deployment, taken_at, event, media in rows:
        assert taken_at is not None  # the filter's time range leaves out images without one
        day = taken_at.astimezone(zone).date()
        index = (day - options.start).days // options.days
        # One burst is one independent detection, however many frames show the animal.
        events[(code, index, deployment)].add(("e", event) if event else ("m", media))
        if deployment in stations:
            stations[deployment].days.add(day)
    for station in stations.values():
        for occasion in occasions:
            n = (occasion.last_day - occasion.first_day).days + 1
            operated = sum(
                1 for k in range(n) if occasion.first_day + dt.timedelta(days=k) in station.days
            )
            station.usage.append(operated / options.days)
    return CaptureHistory(
        project=project,
        options=options,
        occasions=occasions,
        stations=[s for s in stations.values() if any(s.usage)],
        detections={key: len(found) for key, found in events.items()},
        individuals=sorted({code for code, _, _ in events}),
    )


# Both take located stations only: their coordinates are not None.
def _projection(stations: list[Station]) -> tuple[float, float]:
    lat0 = sum(cast(float, s.latitude) for s in stations) / len(stations)
    lon0 = sum(cast(float, s.longitude) for s in stations) / len(stations)
    return lat0, lon0


def _xy(station: Station, lat0: float, lon0: float) -> tuple[str, str]:
    lat, lon = cast(float, station.latitude), cast(float, station.longitude)
    x = EARTH_RADIUS_M * math.radians(lon - lon0) * math.cos(math.radians(lat0))
    y = EARTH_RADIUS_M * math.radians(lat - lat0)
    # `or 0.0` turns a rounded -0.0 into 0.0
    return f"{round(x, 1) or 0.0:.1f}", f"{round(y, 1) or 0.0:.1f}"


def _title(history: CaptureHistory) -> str:
    o = history.options
    return (
        f"reidsite capture history of {history.project.slug}: {len(history.occasions)} "
        f"occasions of {o.days} day(s) from {o.start.isoformat()} to {o.end.isoformat()}"
    )


def secr_files(history: CaptureHistory) -> dict[str, str]:
    """captures.txt and traps.txt in secr's (DENSITY's) text formats."""
    o = history.options
    located = [s for s in history.stations if s.located]
    by_pk: dict[int | None, Station] = {s.pk: s for s in located}
    session = label(history.project.slug)
    captures = [f"# {_title(history)}", "# Session ID Occasion Detector"]
    for (code, index, deployment), count in sorted(
        history.detections.items(),
        key=lambda item: (
            item[0][0],
            item[0][1],
            by_pk[item[0][2]].label if item[0][2] in by_pk else "",
        ),
    ):
        station = by_pk.get(deployment)
        if station is None:
            continue
        line = f"{session} {label(code)} {history.occasions[index].number} {station.label}"
        captures.extend([line] * (count if o.detector == "count" else 1))
    traps = [f"# {_title(history)}"]
    if located:
        lat0, lon0 = _projection(located)
        traps.append(
            f"# X, Y: metres east and north of latitude {lat0:.6f}, longitude {lon0:.6f} "
            "(equirectangular)"
        )
    traps.append("# Detector X Y Usage")
    for station in located:
        x, y = _xy(station, lat0, lon0)
        if o.usage == "fraction":
            usage = " ".join(number(u) for u in station.usage)
        else:
            usage = "".join("1" if u > 0 else "0" for u in station.usage)
        traps.append(f"{station.label} {x} {y} {usage}")
    return {"captures.txt": "\n".join(captures) + "\n", "traps.txt": "\n".join(traps) + "\n"}


def mark_inp(history: CaptureHistory) -> str:
    """One line per individual: 1 detected, 0 not detected, . no camera operating."""
    detected: dict[str, set[int]] = defaultdict(set)
    for code, index, _ in history.detections:
        detected[code].add(index)
    operating = [history.operating(i) for i in range(len(history.occasions))]
    lines = [f"/* {_title(history)}. A dot means no camera operated on that occasion. */"]
    for code in history.individuals:
        chars = [
            "1" if i in detected[code] else ("0" if operating[i] else ".")
            for i in range(len(history.occasions))
        ]
        lines.append(f"/* {code} */ {''.join(chars)} 1;")
    return "\n".join(lines) + "\n"


def occasions_csv(history: CaptureHistory) -> str:
    lines = ["occasion,first_day,last_day,days,cameras_operating"]
    for i, o in enumerate(history.occasions):
        cameras = sum(1 for s in history.stations if s.usage[i] > 0)
        days = (o.last_day - o.first_day).days + 1
        lines.append(f"{o.number},{o.first_day},{o.last_day},{days},{cameras}")
    return "\r\n".join(lines) + "\r\n"


def _secr_notes(history: CaptureHistory) -> list[str]:
    """What a secr analysis should know is missing from the files."""
    notes = []
    idle = [o.number for i, o in enumerate(history.occasions) if not history.operating(i, True)]
    if idle:
        notes.append(
            f"No located camera operated on occasion(s) {', '.join(map(str, idle))}. secr "
            "needs at least one detector in use per occasion: drop them, e.g. "
            "subset(ch, occasions = -c(...)), or choose other dates."
        )
    unlocated = {s.pk: s.code for s in history.stations if not s.located}
    if unlocated:
        notes.append(
            "Deployments without coordinates are not in traps.txt, nor their detections: "
            + ", ".join(unlocated.values())
        )
    dropped = sum(n for (_, _, d), n in history.detections.items() if d is None or d in unlocated)
    if dropped:
        notes.append(f"{dropped} detection(s) at no located deployment are left out.")
    return notes


def readme(history: CaptureHistory) -> str:
    o = history.options
    lines = [
        _title(history),
        f"Project: {history.project.name} ({history.project.slug}), "
        f"species: {history.project.species or 'not set'}",
        f"Time zone of days and occasions: {history.project.time_zone}",
        "",
        "Detections: confirmed sightings only; one burst (event) is one independent detection.",
        "Effort: a camera operates on a day if it was deployed (deployment start to end, "
        "widened to its first and last image) for any part of it, or recorded a detection.",
        f"Individuals: {len(history.individuals)}, deployments operating: "
        f"{len(history.stations)}, occasions: {len(history.occasions)} (occasions.csv).",
        "",
    ]
    if o.format == "secr":
        lines += [
            f"Detector type: {o.detector}. Usage: {USAGES[o.usage]}.",
            "X, Y: metres on a local equirectangular projection around the mean position of "
            "the deployments (see the header of traps.txt).",
            "",
            "In R:",
            "  library(secr)",
            f'  ch <- read.capthist("captures.txt", "traps.txt", detector = "{o.detector}"'
            + (", binary.usage = FALSE)" if o.usage == "fraction" else ")"),
        ]
    else:
        lines += [
            "history.inp: one line per individual, 1 = detected, 0 = not detected while at "
            "least one camera operated, . = no camera operated (missing).",
            "",
            "In R:",
            "  library(RMark)",
            '  ch <- convert.inp("history.inp", use.comments = TRUE)',
        ]
    notes = _secr_notes(history) if o.format == "secr" else []
    if notes:
        lines += ["", "Left out or to check:"] + [f"- {n}" for n in notes]
    return "\r\n".join(lines) + "\r\n"


def history_files(history: CaptureHistory) -> dict[str, str]:
    files = (
        secr_files(history)
        if history.options.format == "secr"
        else {"history.inp": mark_inp(history)}
    )
    return {**files, "occasions.csv": occasions_csv(history), "README.txt": readme(history)}


def history_zip(project: Project, options: HistoryOptions) -> bytes:
    """The zip of the chosen format's files, occasions.csv and README.txt."""
    files = history_files(build_history(project, options))
    buffer = io.BytesIO()
    stamp = timezone.localtime(timezone.now(), project_zone(project)).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(
                zipfile.ZipInfo(name, stamp), text.encode("utf-8"), zipfile.ZIP_DEFLATED
            )
    return buffer.getvalue()


def zip_name(project: Project, options: HistoryOptions) -> str:
    return f"{project.slug}-capture-history-{options.format}.zip"
