"""Bursts: images of one deployment closer in time than the project's gap form one Event.

Grouping is recomputed for a whole deployment after each batch, so it does not depend on the
order in which workers stored the images or on which batch brought them. Images without a
capture time, or without a deployment, belong to no event: nothing says what they were
taken together with.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ..models import Deployment, Event, Media


def regroup_events(deployment: Deployment) -> int:
    """Rebuild the deployment's events; returns how many there are."""
    gap = dt.timedelta(seconds=deployment.project.event_gap_seconds)
    with transaction.atomic():
        # One regrouping per deployment at a time: two batches may finish together.
        Deployment.objects.select_for_update().filter(pk=deployment.pk).first()
        media = list(
            Media.objects.filter(deployment=deployment, taken_at__isnull=False)
            .order_by("taken_at", "pk")
            .values_list("pk", "taken_at", "event_id")
        )
        groups: list[list[tuple[int, dt.datetime, int | None]]] = []
        for row in media:
            if groups and row[1] - groups[-1][-1][1] <= gap:
                groups[-1].append(row)
            else:
                groups.append([row])
        old_events = list(Event.objects.filter(deployment=deployment).order_by("start", "pk"))
        events: list[Event] = []
        for i, group in enumerate(groups):
            # Keep existing rows (and their ids) where there are enough of them.
            event = (
                old_events[i]
                if i < len(old_events)
                else Event(project_id=deployment.project_id, deployment=deployment)
            )
            event.start, event.end = group[0][1], group[-1][1]
            events.append(event)
        Event.objects.bulk_create([e for e in events if e.pk is None])
        Event.objects.bulk_update([e for e in events if e.pk], ["start", "end"])
        changed: list[Media] = []
        for event, group in zip(events, groups, strict=True):
            changed.extend(
                Media(pk=pk, event_id=event.pk) for pk, _, event_id in group if event_id != event.pk
            )
        Media.objects.bulk_update(changed, ["event"], batch_size=1000)
        Media.objects.filter(deployment=deployment, taken_at__isnull=True).exclude(
            event=None
        ).update(event=None)
        Event.objects.filter(pk__in=[e.pk for e in old_events[len(groups) :]]).delete()
    return len(groups)
