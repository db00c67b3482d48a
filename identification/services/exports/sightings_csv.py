"""The sightings table: one CSV row per sighting, streamed from one query.

Everything a row needs comes from a single `values()` query with joins and correlated
subqueries (the chosen candidate's probability and model versions), read with
`.iterator(chunk_size=2000)`, so memory and the number of queries stay flat however many
sightings a project has. docs/exports.md describes every column.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import (
    Case,
    Field,
    FloatField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.urls import reverse

from ...models import Candidate, Project, Sighting
from .filters import export_status, project_zone
from .streaming import csv_chunks, number, spreadsheet_safe

COLUMNS = [
    "project",
    "sighting_id",
    "event_id",
    "media_id",
    "media_file",
    "media_path",
    "media_url",
    "timestamp",
    "deployment",
    "latitude",
    "longitude",
    "side",
    "bbox_x",
    "bbox_y",
    "bbox_width",
    "bbox_height",
    "individual_code",
    "individual_name",
    "status",
    "p_new",
    "fused_probability",
    "decided_by",
    "decided_at",
    "model_versions",
    "batch_id",
]
CHUNK_SIZE = 2000
# Columns holding text a user chose (file, deployment, individual and user names) or that
# could start like one: a cell starting with = + - @ tab or CR gets a leading ' so that a
# spreadsheet shows it instead of running it. Numbers, ids, times and URLs are left alone.
TEXT_COLUMNS = [
    "project", "media_file", "media_path", "deployment", "side", "individual_code",
    "individual_name", "status", "decided_by", "model_versions",
]  # fmt: skip
_TEXT_INDEXES = [COLUMNS.index(name) for name in TEXT_COLUMNS]


def _chosen_candidate(field: str, output_field: Field[Any, Any]) -> Case:
    """`field` of the candidate the row's identity rests on.

    Confirmed: the candidate of the confirmed individual (or of one merged into it), if the
    matcher proposed it at all. Pending: the top candidate not rejected, i.e. what the
    review screen proposes. Rejected sightings have none.
    """
    of_sighting = Candidate.objects.filter(sighting=OuterRef("pk")).order_by("-fused", "rank")
    confirmed = of_sighting.filter(
        Q(individual=OuterRef("individual")) | Q(individual__merged_into=OuterRef("individual"))
    )
    proposed = of_sighting.filter(rejected=False)
    return Case(
        When(
            status=Sighting.Status.CONFIRMED,
            then=Subquery(confirmed.values(field)[:1], output_field=output_field),
        ),
        When(
            status=Sighting.Status.PENDING,
            then=Subquery(proposed.values(field)[:1], output_field=output_field),
        ),
        default=None,
        output_field=output_field,
    )


def _rows_query(
    project: Project, sightings: QuerySet[Sighting]
) -> QuerySet[Sighting, tuple[Any, ...]]:
    return sightings.annotate(
        export_status=export_status(project),
        chosen_fused=_chosen_candidate("fused", FloatField()),
        chosen_versions=_chosen_candidate("model_versions", JSONField()),
    ).values_list(
        "pk",
        "media__event_id",
        "media_id",
        "media__original_name",
        "media__file",
        "media__taken_at",
        "media__deployment__code",
        "media__deployment__latitude",
        "media__deployment__longitude",
        "media__latitude",
        "media__longitude",
        "side",
        "bbox_x",
        "bbox_y",
        "bbox_width",
        "bbox_height",
        "individual__code",
        "individual__name",
        "individual__merged_into__code",
        "individual__merged_into__name",
        "export_status",
        "p_new",
        "chosen_fused",
        "chosen_versions",
        "features__model_versions",
        "decided_by__username",
        "decided_at",
        "media__batch_id",
    )


def _url_template(project: Project, base_url: str) -> str:
    # reverse() per row would cost more than the rest of the row; the pk is the only change.
    marker = 987654321
    path = reverse("media_file", args=[project.slug, marker])
    return base_url.rstrip("/") + path.replace(str(marker), "{}")


def sighting_rows(
    project: Project, sightings: QuerySet[Sighting], base_url: str = ""
) -> Iterator[list[str]]:
    """The CSV rows (without header) of `sightings`, in COLUMNS order."""
    zone = project_zone(project)
    url = _url_template(project, base_url)
    for row in _rows_query(project, sightings).iterator(chunk_size=CHUNK_SIZE):
        (pk, event_id, media_id, name, path, taken_at, dep_code, dep_lat, dep_lon, lat, lon,
         side, bx, by, bw, bh, code, ind_name, survivor_code, survivor_name, status, p_new,
         fused, versions, feature_versions, decided_by, decided_at, batch_id) = row  # fmt: skip
        if survivor_code:  # merged after the decision: report the individual it now is
            code, ind_name = survivor_code, survivor_name
        # The station's position is the survey's; an image's own GPS is the fallback.
        if dep_lat is not None and dep_lon is not None:
            lat, lon = dep_lat, dep_lon
        versions = versions or feature_versions
        cells = [
            project.slug,
            pk,
            event_id or "",
            media_id,
            name,
            path,
            url.format(media_id),
            taken_at.astimezone(zone).isoformat() if taken_at else "",
            dep_code or "",
            "" if lat is None else repr(lat),
            "" if lon is None else repr(lon),
            side,
            number(bx),
            number(by),
            number(bw),
            number(bh),
            code or "",
            ind_name or "",
            status,
            number(p_new),
            number(fused),
            decided_by or "",
            decided_at.astimezone(zone).isoformat(timespec="seconds") if decided_at else "",
            json.dumps(versions, sort_keys=True) if versions else "",
            batch_id or "",
        ]
        for index in _TEXT_INDEXES:
            cells[index] = spreadsheet_safe(cells[index])
        yield cells


def stream_sightings_csv(
    project: Project, sightings: QuerySet[Sighting], base_url: str = ""
) -> Iterator[bytes]:
    """UTF-8 CSV bytes with a header row; `base_url` makes media_url absolute."""
    return csv_chunks(COLUMNS, sighting_rows(project, sightings, base_url))
