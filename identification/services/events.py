"""Bursts: images of one deployment closer in time than the project's gap form one Event.

Choice (documented in the batch pages too): events are recomputed for the whole deployment
after each batch, by sorting its images by capture time and starting a new event wherever
two consecutive images are more than `event_gap_seconds` apart (a chain, as camera-trap
tools and Camtrap DP's eventID do). So the grouping depends neither on the order in which
workers stored the images nor on which batch brought them: a second card that fills the
middle of a burst joins it, and one that bridges two bursts merges them.

Images without a capture time, or without a deployment, belong to no event: nothing says
what they were taken together with. Existing Event rows keep their id where their burst is
unchanged or only grew, so links to an event stay valid across batches.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import cast

from django.db import transaction

from ..models import Deployment, Event, Media

Row = tuple[int, dt.datetime, int | None]  # (media pk, taken_at, current event id)


def group_bursts(rows: list[Row], gap: dt.timedelta) -> list[list[Row]]:
    """Split rows sorted by time wherever consecutive times are more than `gap` apart."""
    groups: list[list[Row]] = []
    for row in rows:
        if groups and row[1] - groups[-1][-1][1] <= gap:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def regroup_events(deployment: Deployment) -> int:
    """Rebuild the deployment's events from its images' times; returns how many there are."""
    gap = dt.timedelta(seconds=deployment.project.event_gap_seconds)
    with transaction.atomic():
        # One regrouping per deployment at a time: two batches may finish together.
        Deployment.objects.select_for_update().filter(pk=deployment.pk).first()
        # taken_at__isnull=False: the stubs cannot see that no time is None here.
        rows = cast(
            list[Row],
            list(
                Media.objects.filter(deployment=deployment, taken_at__isnull=False)
                .order_by("taken_at", "pk")
                .values_list("pk", "taken_at", "event_id")
            ),
        )
        groups = group_bursts(rows, gap)
        old = {e.pk: e for e in Event.objects.filter(deployment=deployment)}
        events = _reuse_or_create(deployment, groups, old)
        changed = [
            Media(pk=pk, event_id=event.pk)
            for event, group in zip(events, groups, strict=True)
            for pk, _, event_id in group
            if event_id != event.pk
        ]
        Media.objects.bulk_update(changed, ["event"], batch_size=1000)
        Media.objects.filter(deployment=deployment, taken_at__isnull=True).exclude(
            event=None
        ).update(event=None)
        kept = {e.pk for e in events}
        Event.objects.filter(pk__in=[pk for pk in old if pk not in kept]).delete()
    return len(groups)


def _reuse_or_create(
    deployment: Deployment, groups: list[list[Row]], old: dict[int, Event]
) -> list[Event]:
    """One Event per group: the old event most of its images had, if still free, else new."""
    taken: set[int] = set()
    events: list[Event] = []
    for group in groups:
        votes = Counter(event_id for _, _, event_id in group if event_id in old)
        reuse = next((pk for pk, _ in votes.most_common() if pk not in taken), None)
        if reuse is None:
            event = Event(project_id=deployment.project_id, deployment=deployment)
        else:
            event = old[reuse]
            taken.add(reuse)
        event.start, event.end = group[0][1], group[-1][1]
        events.append(event)
    Event.objects.bulk_create([e for e in events if e.pk is None])
    Event.objects.bulk_update([e for e in events if e.pk is not None], ["start", "end"])
    return events
