import json

import numpy as np
import pytest

from worker.pipeline.calibration import (
    IsotonicCalibration,
    calibration_hash,
    default_calibrations,
    fit_calibrations,
)


def _noisy_pairs(seed=0, n=300):
    rng = np.random.default_rng(seed)
    same = rng.random(n) < 0.3
    scores = np.where(same, rng.normal(0.7, 0.15, n), rng.normal(0.3, 0.15, n))
    return scores, same


def test_isotonic_calibration_is_monotone_and_bounded():
    scores, same = _noisy_pairs()
    cal = IsotonicCalibration().fit(scores, same)
    grid = np.linspace(-2, 3, 500)  # far beyond the fitted range: clipped
    probs = cal.predict(grid)
    assert np.all(np.diff(probs) >= -1e-12)
    assert probs.min() >= 0.0 and probs.max() <= 1.0
    assert probs[-1] > 0.8 and probs[0] < 0.2


def test_calibration_serialises_to_json_and_back():
    scores, same = _noisy_pairs(1)
    cal = IsotonicCalibration().fit(scores, same)
    again = IsotonicCalibration.from_dict(json.loads(json.dumps(cal.to_dict())))
    grid = np.linspace(0, 1, 50)
    np.testing.assert_allclose(again.predict(grid), cal.predict(grid))
    assert calibration_hash({"a": again}) == calibration_hash({"a": cal})


def test_one_class_pairs_cannot_be_fitted():
    with pytest.raises(ValueError):
        IsotonicCalibration().fit([0.1, 0.2, 0.3, 0.4], [True] * 4)


def test_fit_calibrations_keeps_fallback_for_unfittable_matchers():
    scores, same = _noisy_pairs(2)
    pairs = [
        ({"global": float(s), "aliked": 5.0}, bool(y)) for s, y in zip(scores, same, strict=True)
    ]
    fallback = {"aliked": IsotonicCalibration([0, 10], [0.1, 0.9])}
    fitted = fit_calibrations(pairs, fallback=fallback)
    assert fitted["global"].meta["pairs"] == len(pairs)
    assert fitted["aliked"] is fallback["aliked"]  # a constant score says nothing


def test_default_calibrations_ship_for_every_default_matcher():
    cals = default_calibrations()
    assert {"global", "aliked"} <= set(cals)
    for cal in cals.values():
        probs = cal.predict(np.linspace(-1, 500, 200))
        assert np.all(np.diff(probs) >= -1e-12) and 0 <= probs.min() <= probs.max() <= 1
