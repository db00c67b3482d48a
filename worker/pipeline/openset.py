"""Open-set decisions: is a query one of the known individuals, or a new one?

Metrics follow AnimalCLEF: BAKS is the accuracy over queries of known individuals, balanced
over those individuals; BAUS is the share of queries of unknown individuals predicted as new,
balanced likewise; the score is their geometric mean. A query is predicted as its best
individual when that individual's fused probability reaches the threshold, else as new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

import numpy as np

NEW = None  # the "new individual" prediction


def _balanced(correct: Sequence[bool], groups: Sequence[str]) -> float:
    per: dict[str, list[bool]] = defaultdict(list)
    for ok, group in zip(correct, groups, strict=True):
        per[group].append(ok)
    return float(np.mean([np.mean(v) for v in per.values()])) if per else float("nan")


def baks_baus(
    true_labels: Sequence[str], predictions: Sequence[str | None], known: Collection[str]
) -> tuple[float, float]:
    """(BAKS, BAUS). `known`: individuals in the gallery; `None` predictions mean "new".

    Either is NaN when the data has no query of that kind.
    """
    known = set(known)
    k_ok, k_grp, u_ok, u_grp = [], [], [], []
    for truth, pred in zip(true_labels, predictions, strict=True):
        if truth in known:
            k_ok.append(pred == truth)
            k_grp.append(truth)
        else:
            u_ok.append(pred is NEW)
            u_grp.append(truth)
    return _balanced(k_ok, k_grp), _balanced(u_ok, u_grp)


# The open-set threshold before any fit. In the app the project owns its threshold
# (Project.new_individual_threshold); the pipeline only reports P(new).
DEFAULT_THRESHOLD = 0.5


def predict(
    best_labels: Sequence[str], best_scores: Sequence[float], threshold: float
) -> list[str | None]:
    return [
        label if score >= threshold else NEW
        for label, score in zip(best_labels, best_scores, strict=True)
    ]


def openset_score(baks: float, baus: float) -> float:
    return float(np.sqrt(baks * baus))


def tune_threshold(
    best_labels: Sequence[str],
    best_scores: Sequence[float],
    true_labels: Sequence[str],
    known: Collection[str],
    default: float = 0.5,
) -> float:
    """The threshold maximising sqrt(BAKS * BAUS) on labelled queries.

    Returns `default` when the data has no known or no unknown query to weigh. Ties go to the
    threshold nearest `default`, so a flat optimum does not drift to an extreme.
    """
    known = set(known)
    if not any(t in known for t in true_labels) or all(t in known for t in true_labels):
        return default
    candidates = np.unique(np.concatenate([np.asarray(best_scores, float), [default]]))
    # Midpoints between observed scores separate them the same way but sit away from any one.
    mids = np.concatenate([candidates, (candidates[1:] + candidates[:-1]) / 2, [1.0 + 1e-9]])
    best_t, best_v = default, -1.0
    for t in sorted(mids, key=lambda v: abs(v - default)):
        baks, baus = baks_baus(true_labels, predict(best_labels, best_scores, t), known)
        value = openset_score(baks, baus)
        if value > best_v + 1e-12:
            best_t, best_v = float(t), value
    return best_t
