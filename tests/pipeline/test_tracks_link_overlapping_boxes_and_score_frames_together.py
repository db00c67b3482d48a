"""worker.pipeline.tracks: linking boxes over frames, and one ranking from many frames."""

import numpy as np
import pytest

from worker.pipeline import tracks
from worker.pipeline.fusion import IndividualScore


def _s(label, p, lines=None):
    return IndividualScore(label, p, 1, {"global": {"raw": p, "calibrated": p}}, lines or [])


def test_two_animals_side_by_side_over_a_burst_are_two_tracks():
    left, right = (0.05, 0.3, 0.3, 0.4), (0.6, 0.3, 0.3, 0.4)
    frames = [
        [("a1", left), ("b1", right)],
        [("b2", (0.62, 0.31, 0.3, 0.4)), ("a2", (0.07, 0.3, 0.3, 0.4))],
        [("a3", (0.1, 0.32, 0.3, 0.4))],
    ]
    assert sorted(tracks.link(frames)) == [["a1", "a2", "a3"], ["b1", "b2"]]


def test_an_animal_elsewhere_in_the_next_frame_starts_a_new_track():
    frames = [[("a", (0.0, 0.0, 0.2, 0.2))], [("b", (0.7, 0.7, 0.2, 0.2))]]
    assert tracks.link(frames) == [["a"], ["b"]]


def test_whole_frame_sightings_of_a_burst_are_one_track():
    assert tracks.link([[("a", None)], [("b", None)], [("c", None)]]) == [["a", "b", "c"]]


def test_max_takes_the_best_frame_and_mean_counts_a_missing_frame_as_zero():
    frames = [[_s("A", 0.9), _s("B", 0.5)], [_s("B", 0.7)]]
    best = tracks.combine(frames, "max")
    assert [(c.label, c.score) for c in best] == [("A", 0.9), ("B", 0.7)]
    mean = tracks.combine(frames, "mean")
    assert [(c.label, pytest.approx(c.score)) for c in mean] == [("B", 0.6), ("A", 0.45)]
    assert mean[0].per_frame == (0.5, 0.7) and mean[0].best_frame == 1
    with pytest.raises(ValueError):
        tracks.combine(frames, "median")


def test_tied_probabilities_keep_the_frames_order_not_the_names_order():
    one_frame = [[_s("Z", 0.3), _s("M", 0.3), _s("A", 0.3)]]
    assert [c.label for c in tracks.combine(one_frame, "max")] == ["Z", "M", "A"]
    assert [c.label for c in tracks.combine(one_frame, "mean")] == ["Z", "M", "A"]
    # Tied at the best frame: the one the other frame also scores higher goes first.
    frames = [[_s("X", 0.5), _s("Y", 0.5)], [_s("Y", 0.4), _s("X", 0.1)]]
    assert [c.label for c in tracks.combine(frames, "max")] == ["Y", "X"]


def test_a_frame_keeps_its_own_lines_and_drops_another_frames():
    frames = [[_s("A", 0.9, [[1, 1, 2, 2, 0.9]])], [_s("B", 0.8, [[5, 5, 6, 6, 0.8]])]]
    combined = tracks.combine(frames, "max")
    second = tracks.for_frame(combined, frames, 1, "max", limit=5)
    assert [c.label for c in second] == ["A", "B"]
    assert second[0].correspondences == []  # A's lines are drawn on frame 0
    assert second[1].correspondences == [[5, 5, 6, 6, 0.8]]
    assert second[0].scores["track"]["frames"] == 2.0
    assert second[0].scores["track"]["frame_0"] == 0.9


def test_a_frame_unlike_the_rest_of_its_track_is_an_outlier():
    a = np.array([1.0, 0.0, 0.0])
    near = np.array([0.9, 0.1, 0.0]) / np.linalg.norm([0.9, 0.1, 0.0])
    other = np.array([0.0, 0.0, 1.0])
    assert tracks.outliers({"a": a, "b": near, "c": other}, min_cosine=0.5) == ["c"]
    assert tracks.outliers({"a": a}, min_cosine=0.5) == []
