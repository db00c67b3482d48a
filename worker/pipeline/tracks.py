"""Tracks: one animal over the consecutive frames of an event, matched as one query.

Linking: frames of one event in time order; a box in a frame continues the track of the box
in the previous frame it overlaps most (IoU at least `min_iou`), each previous box taken at
most once, so two animals side by side in a burst stay two tracks. A frame without boxes
(a whole-frame sighting) overlaps every other whole frame fully. An animal that leaves the
frame for one shot ends its track: the link is to the previous frame only.

Appearance: a linked box whose global descriptor is unlike the rest of its track (cosine
below `min_cosine` to every other member) is not the same animal (two animals crossing);
`outliers` names those, and the app takes them out of the track.

Scoring: each frame is ranked against the gallery as usual and `combine` folds the frames'
rankings into one per individual, either the best frame's score (`max`) or the mean over
frames, a frame that did not rank the individual counting 0 (`mean`). Which is better is
measured by `python -m worker.pipeline.evaluate --track-queries`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, TypeVar

import numpy as np

if TYPE_CHECKING:  # the web process links tracks too, and must not import torch for it
    from worker.pipeline.fusion import IndividualScore

K = TypeVar("K", bound=Hashable)
Box = tuple[float, float, float, float]  # x, y, w, h, relative to the frame
How = Literal["max", "mean"]
WHOLE_FRAME: Box = (0.0, 0.0, 1.0, 1.0)


def iou(a: Box, b: Box) -> float:
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    w = max(0.0, min(ax2, bx2) - max(a[0], b[0]))
    h = max(0.0, min(ay2, by2) - max(a[1], b[1]))
    inter = w * h
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def link(frames: Sequence[Sequence[tuple[K, Box | None]]], min_iou: float = 0.3) -> list[list[K]]:
    """Group the boxes of consecutive frames into tracks; `frames` in time order.

    Returns every box's track, singletons included, each in time order.
    """
    tracks: list[list[K]] = []
    previous: list[tuple[int, Box]] = []  # (track index, box) of the last frame
    for frame in frames:
        pairs = sorted(
            (
                (iou(prev_box, box or WHOLE_FRAME), t, i)
                for t, prev_box in previous
                for i, (_, box) in enumerate(frame)
            ),
            reverse=True,
        )
        joined: dict[int, int] = {}  # box index -> track index
        used: set[int] = set()
        for overlap, t, i in pairs:
            if overlap < min_iou:
                break
            if i not in joined and t not in used:
                joined[i] = t
                used.add(t)
        current: list[tuple[int, Box]] = []
        for i, (key, box) in enumerate(frame):
            if i in joined:
                t = joined[i]
                tracks[t].append(key)
            else:
                t = len(tracks)
                tracks.append([key])
            current.append((t, box or WHOLE_FRAME))
        previous = current
    return tracks


def outliers(embeddings: dict[K, np.ndarray], min_cosine: float) -> list[K]:
    """Members whose L2-normalised global descriptor is below `min_cosine` to all others."""
    keys = list(embeddings)
    if len(keys) < 2:
        return []
    matrix = np.stack([embeddings[k] for k in keys]).astype(np.float32)
    sims = matrix @ matrix.T
    np.fill_diagonal(sims, -1.0)
    return [k for k, row in zip(keys, sims, strict=True) if float(row.max()) < min_cosine]


@dataclass(frozen=True)
class TrackScore:
    """An individual's score for a whole track, and how each frame scored it."""

    label: str
    score: float
    per_frame: tuple[float, ...]  # in the order of the frames given to `combine`
    best_frame: int


def combine(frames: Sequence[Sequence[IndividualScore]], how: How = "max") -> list[TrackScore]:
    """One ranking for the track from its frames' rankings, best first.

    Calibrated probabilities tie often (isotonic calibration is a step function), so ties
    are broken by the other aggregate (the mean under `max`, the best frame under `mean`),
    then by the best place any frame ranked the individual: a one-frame track keeps its
    frame's order exactly, and a tie is never settled by the individuals' names.
    """
    if how not in ("max", "mean"):
        raise ValueError(f"unknown track scoring {how!r}: use max or mean")
    per_label: dict[str, list[float]] = {}
    best_place: dict[str, int] = {}
    for f, ranking in enumerate(frames):
        for place, candidate in enumerate(ranking):
            scores = per_label.setdefault(candidate.label, [0.0] * len(frames))
            scores[f] = max(scores[f], float(candidate.score))
            best_place[candidate.label] = min(best_place.get(candidate.label, place), place)
    order = []
    for label, scores in per_label.items():
        best, mean = max(scores), sum(scores) / len(scores)
        value, other = (best, mean) if how == "max" else (mean, best)
        track_score = TrackScore(label, value, tuple(scores), int(np.argmax(scores)))
        order.append(((-value, -other, best_place[label], label), track_score))
    return [track_score for _, track_score in sorted(order, key=lambda item: item[0])]


def for_frame(
    combined: Sequence[TrackScore],
    frames: Sequence[Sequence[IndividualScore]],
    frame: int,
    how: How,
    limit: int,
) -> list[IndividualScore]:
    """The track's ranking as candidates of one of its frames.

    Each individual keeps this frame's own evidence (gallery image, keypoint lines drawn on
    this frame) when this frame ranked it, otherwise the best frame's without its lines,
    which belong to another image. Scores carry the track's per-frame figures.
    """
    own = {c.label: c for c in frames[frame]}
    out = []
    for track_score in combined[:limit]:
        source = own.get(track_score.label)
        if source is None:
            best = next(c for c in frames[track_score.best_frame] if c.label == track_score.label)
            source = replace(best, correspondences=[])
        scores = {
            **source.scores,
            "track": {"frames": float(len(frames)), "best_frame": float(track_score.best_frame)},
        }
        scores["track"].update({f"frame_{i}": p for i, p in enumerate(track_score.per_frame)})
        out.append(replace(source, score=track_score.score, scores=scores))
    return out


def p_new(combined: Sequence[TrackScore]) -> float:
    return 1.0 - combined[0].score if combined else 1.0


__all__ = ["How", "TrackScore", "combine", "for_frame", "iou", "link", "outliers", "p_new"]
