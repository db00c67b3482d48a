import numpy as np
import pytest

from worker.pipeline.calibration import default_calibrations, fit_calibrations
from worker.pipeline.fusion import ImageScore, IndividualScore, WildFusion, merge_candidates
from worker.pipeline.gallery import Gallery


@pytest.fixture(scope="module")
def gallery(synthetic, small_config):
    g = Gallery(small_config)
    g.add(synthetic["gallery_ids"], synthetic["gallery_labels"], synthetic["gallery_features"])
    return g


@pytest.fixture(scope="module")
def fitted(synthetic, small_config, gallery):
    """Calibration fitted on the synthetic gallery: every gallery image against the others."""
    fusion = WildFusion(small_config, default_calibrations(), device="cpu")
    items = synthetic["gallery_items"]
    pairs = []
    for gid, label, feats in items:
        others = [it for it in items if it[0] != gid]
        for (_, olabel, _), (raw, _) in zip(others, fusion.raw_scores(feats, others), strict=True):
            pairs.append((raw, olabel == label))
    return WildFusion(small_config, fit_calibrations(pairs), device="cpu")


def test_local_matcher_ranks_the_same_individual_first(synthetic, fitted, gallery):
    items = [(i, gallery.label(i), gallery.features(i)) for i in sorted(gallery.items)]
    for label, query in zip(synthetic["query_labels"], synthetic["query_features"], strict=True):
        raws = fitted.raw_scores(query, items)
        best = max(range(len(items)), key=lambda k: raws[k][0]["aliked"])
        assert items[best][1] == label


def test_fusion_ranks_the_same_individual_first(synthetic, fitted, gallery):
    for label, query in zip(synthetic["query_labels"], synthetic["query_features"], strict=True):
        result = fitted.rank(query, gallery, top_n=3)
        assert result.candidates[0].label == label
        assert len(result.candidates) <= 3
        assert 0.0 <= result.p_new <= 1.0
        assert result.p_new == pytest.approx(1.0 - result.candidates[0].score)
        best = result.candidates[0]
        assert set(best.scores) == {"global", "aliked"}
        assert all(0.0 <= s["calibrated"] <= 1.0 for s in best.scores.values())
        assert best.score == pytest.approx(np.mean([s["calibrated"] for s in best.scores.values()]))
        assert set(result.versions) >= {"global", "aliked", "lightglue", "calibration"}


def test_correspondences_are_in_original_pixels(synthetic, fitted, gallery):
    best = fitted.rank(synthetic["query_features"][0], gallery).candidates[0]
    assert 0 < len(best.correspondences) <= fitted.config.max_correspondences
    corr = np.array(best.correspondences)
    assert corr.shape[1] == 5
    assert corr[:, :4].min() >= -1 and corr[:, :4].max() <= 193  # images are 192 px
    assert np.all(np.diff(corr[:, 4]) <= 1e-6)  # most confident first


def test_unseen_pattern_gets_high_p_new(synthetic, fitted, gallery):
    unseen = fitted.rank(synthetic["unseen_features"], gallery)
    seen = [fitted.rank(q, gallery).p_new for q in synthetic["query_features"]]
    assert unseen.p_new > 0.5
    assert unseen.p_new > max(seen)


def test_score_images_scores_only_the_given_images(synthetic, fitted, gallery):
    items = [(i, gallery.label(i), gallery.features(i)) for i in (0, 1, 6)]
    scores = fitted.score_images(synthetic["query_features"][0], items)
    assert sorted(s.gallery_id for s in scores) == [0, 1, 6]
    assert [s.score for s in scores] == sorted((s.score for s in scores), reverse=True)


def _ind(label, score, gid):
    return IndividualScore(label, score, gid, {"global": {"raw": score, "calibrated": score}})


def test_merge_candidates_keeps_best_per_individual():
    existing = [_ind("a", 0.7, 1), _ind("b", 0.4, 2)]
    new = [
        ImageScore(5, "b", 0.9, {}, [[1, 2, 3, 4, 0.9]]),
        ImageScore(6, "b", 0.2, {}),
        ImageScore(7, "a", 0.1, {}),
        ImageScore(8, "c", 0.3, {}),
    ]
    merged = merge_candidates(existing, new)
    assert [(c.label, c.gallery_id, c.score) for c in merged] == [
        ("b", 5, 0.9),
        ("a", 1, 0.7),
        ("c", 8, 0.3),
    ]
    assert merged[0].correspondences == [[1, 2, 3, 4, 0.9]]
