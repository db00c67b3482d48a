"""Calibration from a gallery alone: gallery images queried against the rest of the gallery.

A project that imported a catalogue has hundreds of labelled images before any expert
decision. Each chosen image is matched against the gallery without its own **event** (the
images taken with it in one burst, which would otherwise fake easy matches: the same pose,
light and background a second later), and every shortlisted image it was scored against
becomes a labelled pair (same individual or not). A fixed share of the pseudo-queries also
leave out their whole individual, and so does any whose individual has no image outside its
event: those stand for new individuals, which the open-set threshold must learn to reject.

No Django here: the app (worker/reid/calibration.py) and the evaluation both call it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from worker.pipeline.calibration import IsotonicCalibration, fit_calibrations, fuse
from worker.pipeline.openset import tune_threshold

if TYPE_CHECKING:  # fitting from stored pseudo-queries needs neither torch nor the matchers
    from worker.pipeline.fusion import WildFusion
    from worker.pipeline.gallery import Gallery

Raw = dict[str, float]  # one gallery image's raw score per matcher
UNKNOWN = "__unknown__"  # prefix of the truth of a pseudo-query standing for a new individual
UNKNOWN_EVERY = 4  # every 4th pseudo-query leaves out its whole individual


@dataclass
class PseudoQuery:
    gallery_id: int
    truth: str  # its individual's label, or UNKNOWN + id when none of it was left to find
    raw: dict[int, Raw]  # shortlisted gallery id -> raw scores
    labels: dict[int, str]  # shortlisted gallery id -> its individual


def event_of(events: Mapping[int, str], item_id: int) -> str:
    """An image with no known event is an event of its own."""
    return events.get(item_id) or f"image:{item_id}"


def left_out(
    gallery: Gallery, events: Mapping[int, str], item_id: int, whole_individual: bool
) -> set[int]:
    """The gallery images a pseudo-query must not see: its event, or its whole individual."""
    label = gallery.label(item_id)
    if whole_individual:
        return {i for i in gallery.items if gallery.label(i) == label}
    event = event_of(events, item_id)
    return {i for i in gallery.items if event_of(events, i) == event} | {item_id}


def choose(
    gallery: Gallery, n: int, seed: int = 0, only: Collection[int] | None = None
) -> list[tuple[int, bool]]:
    """n gallery ids in a seeded order, each with whether it leaves out its whole individual.

    Spread over individuals first (one image each in turn), so a few well-photographed
    individuals do not make up the whole fit. With `only`, just those ids are drawn (a
    fine-tuned model's: the images it did not train on).
    """

    def key(i: int) -> str:
        return hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()

    by_label: dict[str, list[int]] = {}
    for i in sorted(gallery.items if only is None else set(only) & set(gallery.items), key=key):
        by_label.setdefault(gallery.label(i), []).append(i)
    order: list[int] = []
    lists = sorted(by_label.values(), key=lambda ids: key(ids[0]))
    depth = 0
    while len(order) < n and any(depth < len(ids) for ids in lists):
        order += [ids[depth] for ids in lists if depth < len(ids)]
        depth += 1
    return [(i, k % UNKNOWN_EVERY == UNKNOWN_EVERY - 1) for k, i in enumerate(order[:n])]


def run(
    fusion: WildFusion,
    gallery: Gallery,
    events: Mapping[int, str],
    n: int,
    seed: int = 0,
    score: Callable[[int, set[int]], dict[int, Raw]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    only: Collection[int] | None = None,
) -> list[PseudoQuery]:
    """Match n chosen gallery images against the rest of the gallery, each without its event.

    `score(item_id, excluded)` returns raw scores per shortlisted gallery id; the default
    runs the fusion's shortlist and matchers with the excluded images taken out of the
    gallery for that query (and put back after it, also on error).
    """
    chosen = choose(gallery, n, seed, only)
    queries = []
    for k, (pid, whole) in enumerate(chosen, start=1):
        label = gallery.label(pid)
        excluded = left_out(gallery, events, pid, whole)
        raw = (score or _scorer(fusion, gallery))(pid, excluded)
        labels = {i: gallery.label(i) for i in raw}
        unknown = whole or not any(
            gallery.label(i) == label for i in gallery.items if i not in excluded
        )
        truth = f"{UNKNOWN}{pid}" if unknown else label
        queries.append(PseudoQuery(pid, truth, raw, labels))
        if progress is not None:
            progress(k, len(chosen))
    return queries


def _scorer(fusion: WildFusion, gallery: Gallery) -> Callable[[int, set[int]], dict[int, Raw]]:
    def score(pid: int, excluded: set[int]) -> dict[int, Raw]:
        query = gallery.features(pid)
        removed = [(i, gallery.label(i), gallery.features(i)) for i in excluded]
        gallery.remove(excluded)
        try:
            shortlist = gallery.shortlist(query)
            items = [(i, gallery.label(i), gallery.features(i)) for i in shortlist]
            raws = fusion.raw_scores(query, items) if items else []
        finally:
            gallery.add(*zip(*removed, strict=True))
        return {i: raw for i, (raw, _) in zip(shortlist, raws, strict=True)}

    return score


def pairs_of(queries: Iterable[PseudoQuery]) -> list[tuple[Raw, bool]]:
    """(raw scores, same individual?) for every image every pseudo-query was scored against."""
    return [(raw, q.labels[i] == q.truth) for q in queries for i, raw in q.raw.items()]


def best_fused(
    calibrations: Mapping[str, IsotonicCalibration], query: PseudoQuery
) -> tuple[str, float]:
    """The top individual and its fused probability under these calibrations."""
    best: dict[str, float] = {}
    for i, raw in query.raw.items():
        fused = fuse(calibrations, raw)[0]
        label = query.labels[i]
        best[label] = max(best.get(label, 0.0), fused)
    if not best:
        return "", 0.0
    label = max(best, key=lambda lab: (best[lab], lab))
    return label, best[label]


@dataclass
class Fit:
    calibrations: dict[str, IsotonicCalibration]
    threshold: float
    positives: int
    negatives: int
    queries: int
    unknown_queries: int


def fit(
    fallback: Mapping[str, IsotonicCalibration],
    queries: Sequence[PseudoQuery],
    known: Iterable[str],
    default_threshold: float,
    extra_pairs: Iterable[tuple[Raw, bool]] = (),
) -> Fit:
    """Calibrations from the queries' pairs (plus `extra_pairs`; a matcher that cannot be
    fitted keeps its `fallback`), and the fused open-set threshold tuned on the queries' best
    individuals. Queries may be pseudo-queries or decided sightings alike."""
    pairs = pairs_of(queries) + list(extra_pairs)
    cals = fit_calibrations(pairs, fallback=fallback)
    labels, scores, truths = [], [], []
    for q in queries:
        label, score = best_fused(cals, q)
        labels.append(label)
        scores.append(score)
        truths.append(q.truth)
    threshold = tune_threshold(labels, scores, truths, set(known), default_threshold)
    positives = sum(1 for _, same in pairs if same)
    return Fit(
        calibrations=cals,
        threshold=threshold,
        positives=positives,
        negatives=len(pairs) - positives,
        queries=len(queries),
        unknown_queries=sum(q.truth.startswith(UNKNOWN) for q in queries),
    )


def to_json(queries: Iterable[PseudoQuery]) -> list[dict[str, Any]]:
    return [
        {
            "id": q.gallery_id,
            "truth": q.truth,
            "scores": [[i, q.labels[i], raw] for i, raw in q.raw.items()],
        }
        for q in queries
    ]


def from_json(data: Iterable[Mapping[str, Any]]) -> list[PseudoQuery]:
    queries = []
    for item in data:
        rows = item["scores"]
        queries.append(
            PseudoQuery(
                int(item["id"]),
                str(item["truth"]),
                {int(i): dict(raw) for i, _, raw in rows},
                {int(i): str(label) for i, label, _ in rows},
            )
        )
    return queries
