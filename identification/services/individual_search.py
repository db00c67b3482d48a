"""Finding an individual by code or name: the catalogue's search box and the review screen's.

Codes are what experts type ("NY-012", or a code that was merged away and now lives on in its
survivor), so a merged code finds the individual it became, and an exact code ranks first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Value, When

from ..models import Individual, Project, Sighting

CONFIRMED = Q(sightings__status=Sighting.Status.CONFIRMED)


def search(project: Project, q: str) -> QuerySet[Individual]:
    """Current individuals matching a code or name, their own or one merged into them."""
    qs = Individual.objects.filter(project=project, merged_into__isnull=True)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(name__icontains=q)
            | Q(merged_from__code__icontains=q)
            | Q(merged_from__name__icontains=q)
        ).distinct()
    return qs.annotate(
        n_sightings=Count("sightings", filter=CONFIRMED, distinct=True),
        first_seen=Min("sightings__media__taken_at", filter=CONFIRMED),
        last_seen=Max("sightings__media__taken_at", filter=CONFIRMED),
        thumb=Max("sightings__media", filter=CONFIRMED),
    )


@dataclass(frozen=True)
class Match:
    """One search result: the individual and, when only a merged code matched, that code."""

    individual: Individual
    via_merged: str = ""


def best_matches(project: Project, q: str, limit: int = 8) -> list[Match]:
    """The `limit` individuals an expert most likely means by `q`, best first.

    Exact code, then code prefix, then code containing it, then name, then a merged code
    or name; within a rank, the individual seen most often first (the likelier one).
    """
    q = q.strip()
    if not q:
        return []
    rank = Case(
        When(code__iexact=q, then=Value(0)),
        When(code__istartswith=q, then=Value(1)),
        When(code__icontains=q, then=Value(2)),
        When(name__icontains=q, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    found = list(
        search(project, q)
        .annotate(match_rank=rank)
        .order_by("match_rank", "-n_sightings", "code")[:limit]  # type: ignore[misc]
    )
    merged = _merged_codes_matching(
        [i.pk for i in found if i.match_rank == 4],
        q,
    )
    return [Match(i, merged.get(i.pk, "")) for i in found]


def _merged_codes_matching(ids: list[int], q: str) -> dict[int, str]:
    if not ids:
        return {}
    rows = (
        Individual.objects.filter(merged_into_id__in=ids)
        .filter(Q(code__icontains=q) | Q(name__icontains=q))
        .values_list("merged_into_id", "code")
        .order_by("code")
    )
    found: dict[int, str] = {}
    for survivor, code in rows:
        found.setdefault(survivor, code)
    return found
