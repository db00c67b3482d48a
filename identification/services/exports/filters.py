"""Which sightings an export holds, and what status each one has in it.

The review screen calls a pending sighting "probably a new individual" when P(new) is at or
above the project threshold (templates/review/_pnew.html); exports name that status
`proposed_new`, so the four export statuses partition every sighting of a project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When

from ...models import Project, Sighting

CONFIRMED, PROPOSED_NEW, PENDING, REJECTED = "confirmed", "proposed_new", "pending", "rejected"
STATUSES = {
    CONFIRMED: "Confirmed",
    PROPOSED_NEW: "Proposed new individual",
    PENDING: "Pending",
    REJECTED: "Rejected (no animal)",
}


@dataclass(frozen=True)
class ExportFilters:
    """The review queue's filters; an empty `statuses` means every status."""

    batch: int | None = None
    deployment: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    statuses: tuple[str, ...] = ()


def project_zone(project: Project) -> ZoneInfo:
    try:
        return ZoneInfo(project.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def status_q(project: Project, status: str) -> Q:
    """The sightings whose export status is `status`."""
    threshold = project.new_individual_threshold
    pending = Q(status=Sighting.Status.PENDING)
    return {
        CONFIRMED: Q(status=Sighting.Status.CONFIRMED),
        PROPOSED_NEW: pending & Q(p_new__gte=threshold),
        PENDING: pending & (Q(p_new__isnull=True) | Q(p_new__lt=threshold)),
        REJECTED: Q(status=Sighting.Status.REJECTED),
    }[status]


def export_status(project: Project) -> Case:
    """The export status as an SQL expression, so it can travel in `values()`."""
    return Case(
        *(When(status_q(project, s), then=Value(s)) for s in STATUSES),
        default=Value(""),
        output_field=CharField(),
    )


def filtered_sightings(project: Project, params: ExportFilters | None = None) -> QuerySet[Sighting]:
    """The project's sightings under `params`, in time order (untimed images last).

    Dates are whole days in the project's time zone, the zone the CSV's timestamps are
    written in, so "from 1 May" means from local midnight on 1 May.
    """
    params = params or ExportFilters()
    qs = Sighting.objects.filter(project=project).exclude(status=Sighting.Status.REMOVED)
    if params.batch:
        qs = qs.filter(media__batch_id=params.batch)
    if params.deployment:
        qs = qs.filter(media__deployment_id=params.deployment)
    zone = project_zone(project)
    if params.date_from:
        qs = qs.filter(media__taken_at__gte=local_midnight(params.date_from, zone))
    if params.date_to:
        end = local_midnight(params.date_to + dt.timedelta(days=1), zone)
        qs = qs.filter(media__taken_at__lt=end)
    if params.statuses:
        wanted = Q()
        for status in params.statuses:
            wanted |= status_q(project, status)
        qs = qs.filter(wanted)
    return qs.order_by(F("media__taken_at").asc(nulls_last=True), "pk")
