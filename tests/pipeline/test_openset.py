import math

from worker.pipeline.openset import NEW, baks_baus, predict, tune_threshold


def test_baks_baus_are_balanced_over_individuals():
    truths = ["a", "a", "a", "b", "x", "y"]
    preds = ["a", "a", "a", "a", NEW, "a"]
    baks, baus = baks_baus(truths, preds, known={"a", "b"})
    assert math.isclose(baks, 0.5)  # a: 3/3, b: 0/1 -> balanced 0.5, not 3/4
    assert math.isclose(baus, 0.5)  # x found new, y not


def test_tune_threshold_separates_known_from_unknown():
    labels = ["a", "b", "a", "c"]
    scores = [0.9, 0.8, 0.3, 0.2]
    truths = ["a", "b", "new1", "new2"]
    t = tune_threshold(labels, scores, truths, known={"a", "b", "c"})
    assert 0.3 < t <= 0.8
    assert predict(labels, scores, t) == ["a", "b", NEW, NEW]


def test_tune_threshold_defaults_without_unknowns():
    assert tune_threshold(["a"], [0.1], ["a"], known={"a"}, default=0.42) == 0.42
