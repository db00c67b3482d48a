"""Raw matcher scores -> P(same individual), by isotonic regression on labelled pairs.

Each matcher speaks its own units (cosine similarity, LightGlue match counts); calibrating them
to probabilities is what makes their mean a meaningful fused score. `IsotonicCalibration`
mirrors wildlife-tools' calibration (fit / predict) and serialises to a JSON-able dict.
A default calibration, fitted on the lion data by `benchmarks/pipeline_fit_default_calibration.py`,
ships as `default_calibration.json`; projects refit from their confirmed/rejected pairs with
`fit_calibrations`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression

DEFAULT_CALIBRATION_FILE = Path(__file__).with_name("default_calibration.json")
_MIN_PAIRS = 4  # fewer labelled pairs (or a single class) cannot say anything


class IsotonicCalibration:
    """Monotone map from a raw score to a probability in [0, 1]; clipped outside the fit range."""

    def __init__(
        self, x: Iterable[float] = (), y: Iterable[float] = (), meta: dict[str, Any] | None = None
    ):
        self.x = np.asarray(list(x), dtype=np.float64)
        self.y = np.asarray(list(y), dtype=np.float64)
        self.meta = dict(meta or {})

    @property
    def fitted(self) -> bool:
        return len(self.x) > 0

    def fit(self, scores: Iterable[float], labels: Iterable[bool | int]) -> IsotonicCalibration:
        scores = np.asarray(list(scores), dtype=np.float64)
        labels = np.asarray(list(labels), dtype=np.float64)
        if len(scores) != len(labels):
            raise ValueError("scores and labels differ in length")
        if len(scores) < _MIN_PAIRS or len(np.unique(labels)) < 2:
            raise ValueError("calibration needs both same and different pairs")
        if len(np.unique(scores)) < 2:
            raise ValueError("calibration needs scores that vary")
        model = IsotonicRegression(out_of_bounds="clip", increasing=True, y_min=0.0, y_max=1.0)
        model.fit(scores, labels)
        self.x = np.asarray(model.X_thresholds_, dtype=np.float64)
        self.y = np.asarray(model.y_thresholds_, dtype=np.float64)
        self.meta.update(pairs=int(len(scores)), positives=int(labels.sum()))
        return self

    def predict(self, scores: Iterable[float] | float) -> np.ndarray:
        scores = np.atleast_1d(np.asarray(scores, dtype=np.float64))
        if not self.fitted:
            raise ValueError("calibration is not fitted")
        if len(self.x) == 1:
            return np.full(scores.shape, self.y[0])
        # Same as IsotonicRegression.predict with out_of_bounds="clip": linear interpolation
        # between thresholds, constant beyond them.
        return np.clip(np.interp(scores, self.x, self.y), 0.0, 1.0)

    def to_dict(self) -> dict[str, Any]:
        return {"x": self.x.tolist(), "y": self.y.tolist(), "meta": self.meta}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IsotonicCalibration:
        return cls(data["x"], data["y"], data.get("meta"))

    def __repr__(self) -> str:
        return f"IsotonicCalibration({len(self.x)} thresholds, {self.meta})"


def calibrations_to_dict(calibrations: Mapping[str, IsotonicCalibration]) -> dict[str, Any]:
    return {name: cal.to_dict() for name, cal in sorted(calibrations.items())}


def calibrations_from_dict(data: Mapping[str, Any]) -> dict[str, IsotonicCalibration]:
    return {name: IsotonicCalibration.from_dict(d) for name, d in data.items()}


def calibration_hash(calibrations: Mapping[str, IsotonicCalibration]) -> str:
    """Short stable hash recorded with every score, so a score says which calibration made it."""
    data = {
        n: {"x": c.x.round(6).tolist(), "y": c.y.round(6).tolist()}
        for n, c in sorted(calibrations.items())
    }
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:8]


def fuse(
    calibrations: Mapping[str, IsotonicCalibration], raw: Mapping[str, float]
) -> tuple[float, dict[str, dict[str, float]]]:
    """(fused probability: the mean of the matchers' calibrated probabilities, and per matcher
    {"raw", "calibrated"}). A matcher without a calibration of its own uses the global one."""
    detail = {}
    for name, value in raw.items():
        cal = calibrations.get(name) or calibrations["global"]
        detail[name] = {"raw": float(value), "calibrated": float(cal.predict(value)[0])}
    fused = float(np.mean([d["calibrated"] for d in detail.values()])) if detail else 0.0
    return fused, detail


def default_calibrations() -> dict[str, IsotonicCalibration]:
    """The shipped calibrations (fitted on lion data for the offline default models)."""
    data = json.loads(DEFAULT_CALIBRATION_FILE.read_text())
    return calibrations_from_dict(data["calibrations"])


def fit_calibrations(
    pairs: Iterable[tuple[Mapping[str, float], bool]],
    fallback: Mapping[str, IsotonicCalibration] | None = None,
) -> dict[str, IsotonicCalibration]:
    """One calibration per matcher from (raw scores by matcher name, same individual?) pairs.

    A matcher whose pairs cannot be fitted (too few, or only one class) keeps the `fallback`
    calibration (the defaults when None), so a young project still gets scores.
    """
    fallback = default_calibrations() if fallback is None else dict(fallback)
    scores: dict[str, list[float]] = {}
    labels: dict[str, list[bool]] = {}
    for raw, same in pairs:
        for name, value in raw.items():
            if value is None or not np.isfinite(value):
                continue
            scores.setdefault(name, []).append(float(value))
            labels.setdefault(name, []).append(bool(same))
    result = dict(fallback)
    for name in scores:
        with contextlib.suppress(ValueError):  # unfittable: keep the fallback
            result[name] = IsotonicCalibration().fit(scores[name], labels[name])
    return result
