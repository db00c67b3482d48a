"""Track queries in the evaluation: the test images of one animal in one event as one query.

The grouping is what the app's tracks would be if linking were right: test images of the same
identity in the same event (`event` column). Data without events (most re-ID sets are single
shots) get tracks of `size` images of one identity, in a seeded order: an upper bound for
what correct tracking could give, said so in `results.json`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from worker.pipeline import tracks
from worker.pipeline.data import Record
from worker.pipeline.evaluation_steps import Ranking
from worker.pipeline.fusion import IndividualScore


def group(queries: Sequence[Record], size: int, seed: int) -> tuple[list[list[int]], str]:
    """Indices of the queries forming each track, and how they were grouped."""
    if any(r.event for r in queries):
        by_event: dict[tuple[str, str], list[int]] = {}
        for i, r in enumerate(queries):
            by_event.setdefault((r.event or f"image:{r.image_id}", r.identity), []).append(i)
        return list(by_event.values()), "identity within event (event column)"
    by_identity: dict[str, list[int]] = {}
    order = sorted(
        range(len(queries)),
        key=lambda i: hashlib.sha256(f"{seed}:{queries[i].image_id}".encode()).hexdigest(),
    )
    for i in order:
        by_identity.setdefault(queries[i].identity, []).append(i)
    groups = [
        members[start : start + size]
        for members in by_identity.values()
        for start in range(0, len(members), size)
    ]
    return groups, f"no event column: {size} test images of one identity per track (oracle)"


def combine_rankings(
    per_query: Sequence[Ranking], groups: Sequence[Sequence[int]], how: tracks.How
) -> list[Ranking]:
    out = []
    for members in groups:
        frames = [
            [IndividualScore(label, p, None, {}) for label, p in per_query[i]] for i in members
        ]
        out.append([(c.label, c.score) for c in tracks.combine(frames, how)])
    return out


def evaluate(
    rankings: dict[str, list[Ranking]],
    queries: Sequence[Record],
    known: set[str],
    size: int,
    seed: int,
) -> dict[str, Any]:
    """Top-1 / top-5 per method of single-frame queries and of track queries (max, mean)."""
    groups, how_grouped = group(queries, size, seed)
    truths = [queries[members[0]].identity for members in groups]
    result: dict[str, Any] = {
        "grouping": how_grouped,
        "tracks": len(groups),
        "images": sum(len(m) for m in groups),
        "multi_image_tracks": sum(len(m) > 1 for m in groups),
    }
    singles = [q.identity for q in queries]
    for name, per_query in rankings.items():
        row = {"single": _tops(per_query, singles, known)}
        for how in ("max", "mean"):
            row[how] = _tops(combine_rankings(per_query, groups, how), truths, known)
        result[name] = row
    return result


def _tops(rankings: Sequence[Ranking], truths: Sequence[str], known: set[str]) -> dict[str, float]:
    top1 = top5 = 0
    for truth, ranking in zip(truths, rankings, strict=True):
        order = [label for label, _ in ranking]
        top1 += bool(order) and order[0] == truth
        top5 += truth in order[:5]
    n = max(1, sum(t in known for t in truths))
    return {"top1": top1 / n, "top5": top5 / n}


def print_tracks(result: dict[str, Any]) -> None:
    print(
        f"track queries: {result['tracks']} tracks of {result['images']} images "
        f"({result['multi_image_tracks']} with 2+), grouped by {result['grouping']}"
    )
    print(f"{'method':<10}{'single':>14}{'track max':>14}{'track mean':>14}   (top-1 / top-5)")
    for name, row in result.items():
        if not isinstance(row, dict):
            continue
        cells = "".join(
            f" {100 * row[k]['top1']:6.1f} /{100 * row[k]['top5']:5.1f}"
            for k in ("single", "max", "mean")
        )
        print(f"{name:<10}{cells}")
