"""Camtrap DP observations of what detection found besides identifiable animals.

A frame with nothing at or above the project's detection threshold is one `blank`
observation; each person or vehicle at or above it is a `human` / `vehicle` observation with
its box. All are `classificationMethod` machine, classified by the detector that ran (an
imported MegaDetector file says which file). Animals are the sightings' observations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from ...models import DetectedObject, Media, Project
from .filters import ExportFilters, local_midnight, project_zone

TYPES: dict[str, str] = {
    DetectedObject.Category.PERSON: "human",
    DetectedObject.Category.VEHICLE: "vehicle",
}


def filtered_frames(project: Project, params: ExportFilters | None = None) -> QuerySet[Media]:
    """Frames with a blank, human or vehicle observation under the export's filters. A status
    filter is about sightings' identities, so a filtered export holds no such frames."""
    params = params or ExportFilters()
    if params.statuses:
        return Media.objects.none()
    others = DetectedObject.objects.filter(
        category__in=list(TYPES), conf__gte=project.detection_threshold
    )
    qs = Media.objects.filter(project=project).filter(
        Q(is_blank=True) | Q(pk__in=others.values("media_id"))
    )
    if params.batch:
        qs = qs.filter(batch_id=params.batch)
    if params.deployment:
        qs = qs.filter(deployment_id=params.deployment)
    zone = project_zone(project)
    if params.date_from:
        qs = qs.filter(taken_at__gte=local_midnight(params.date_from, zone))
    if params.date_to:
        qs = qs.filter(taken_at__lt=local_midnight(params.date_to + dt.timedelta(days=1), zone))
    return qs


def frame_rows(
    project: Project,
    frames: QuerySet[Media],
    tz: ZoneInfo,
    iso: Callable[[datetime | None, ZoneInfo], str],
    number: Callable[..., str],
) -> Iterator[dict[str, Any]]:
    threshold = project.detection_threshold
    rows = frames.select_related("deployment").order_by("deployment__code", "taken_at", "pk")
    for m in rows.iterator(chunk_size=500):
        assert m.deployment is not None  # exportable frames have one (camtrapdp.package)
        base = {
            "deploymentID": m.deployment.code,
            "mediaID": m.pk,
            "eventID": m.event_id or "",
            "eventStart": iso(m.taken_at, tz),
            "eventEnd": iso(m.taken_at, tz),
            "observationLevel": "media",
            "classificationMethod": "machine",
            "classifiedBy": m.detector or "detector",
        }
        if m.is_blank:
            yield base | {"observationID": f"blank-{m.pk}", "observationType": "blank"}
            continue
        objects = m.detected_objects.filter(category__in=list(TYPES), conf__gte=threshold)
        for obj in objects.order_by("-conf", "pk"):
            yield base | {
                "observationID": f"object-{obj.pk}",
                "observationType": TYPES[obj.category],
                "count": 1,
                "classificationProbability": number(obj.conf, 4),
                "bboxX": number(obj.bbox_x),
                "bboxY": number(obj.bbox_y),
                "bboxWidth": number(obj.bbox_width),
                "bboxHeight": number(obj.bbox_height),
            }
