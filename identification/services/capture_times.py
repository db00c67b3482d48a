"""Which capture times a project believes: one window for EXIF, imports and deployments.

A camera clock that was never set says 1970 or 2000; a broken or hostile file can say
9999-12-31 23:59:59 -12:00, which PostgreSQL stores as year 10000 and Python can then not
read back, so every page that loads the row fails. Every time that enters a project is
therefore checked against the project's plausible window: from `earliest_capture_date`
(default 1990-01-01) to `latest_capture_date`, or to one day after now when that is empty
(the slack covers camera clocks a few hours ahead and time zones). Images keep an
out-of-window time as "no valid time" with the raw value; the all-or-nothing imports refuse
the row, naming its line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from ..models import Project
from .exports.filters import local_midnight, project_zone

SLACK = dt.timedelta(days=1)
# What the project settings accept as bounds: far enough apart for any survey, and far
# from the ends of Python's and PostgreSQL's date ranges in every time zone.
SETTABLE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))


@dataclass(frozen=True)
class CaptureWindow:
    earliest: dt.datetime  # aware, inclusive
    latest: dt.datetime  # aware, inclusive
    zone: ZoneInfo

    def contains(self, when: dt.datetime) -> bool:
        if timezone.is_naive(when):
            when = when.replace(tzinfo=self.zone)
        # Aware datetimes compare through their UTC offsets without building a new datetime,
        # so even 9999-12-31 -12:00 (year 10000 in UTC) compares without overflowing.
        return self.earliest <= when <= self.latest

    def describe(self) -> str:
        first = self.earliest.astimezone(self.zone).date()
        last = self.latest.astimezone(self.zone).date()
        return f"{first.isoformat()} … {last.isoformat()}"


def capture_window(project: Project, now: dt.datetime | None = None) -> CaptureWindow:
    """The project's plausible capture times at `now` (default: now)."""
    zone = project_zone(project)
    earliest = local_midnight(project.earliest_capture_date or SETTABLE[0], zone)
    if project.latest_capture_date:
        latest = local_midnight(project.latest_capture_date, zone) + dt.timedelta(
            days=1, microseconds=-1
        )
    else:
        latest = (now or timezone.now()) + SLACK
    return CaptureWindow(earliest, latest, zone)


def outside(window: CaptureWindow, what: str, when: dt.datetime | None) -> str | None:
    """A sentence when `when` is outside the window ("deploymentEnd … is outside …"), else None.

    `what` names the value as the user wrote it, e.g. "deploymentEnd 9999-12-31T00:00:00Z".
    """
    if when is None or window.contains(when):
        return None
    return f"{what} is outside {window.describe()}, the project's plausible capture times"
