"""LightGlue looks only at the shortlisted images with the most mutual descriptor matches."""

import dataclasses

import numpy as np

from worker.pipeline.calibration import default_calibrations
from worker.pipeline.config import LOCAL_MATCHER
from worker.pipeline.features import Features
from worker.pipeline.fusion import WildFusion
from worker.pipeline.matching import mutual_matches


def test_mutual_matches_are_highest_for_the_same_individual(synthetic):
    gallery = synthetic["gallery_features"]
    labels = synthetic["gallery_labels"]
    for label, query in zip(synthetic["query_labels"], synthetic["query_features"], strict=True):
        counts = mutual_matches(query, gallery, max_keypoints=128)
        assert counts.shape == (len(gallery),)
        assert labels[int(np.argmax(counts))] == label
        same = [c for c, lab in zip(counts, labels, strict=True) if lab == label]
        other = [c for c, lab in zip(counts, labels, strict=True) if lab != label]
        assert min(same) > np.median(other)


def test_mutual_matches_of_an_image_without_keypoints_are_zero(synthetic):
    empty = Features()
    query = synthetic["query_features"][0]
    assert mutual_matches(query, [empty]).tolist() == [0.0]
    assert mutual_matches(empty, [query]).tolist() == [0.0]


def test_a_stricter_ratio_test_keeps_fewer_matches(synthetic):
    query = synthetic["query_features"][0]
    gallery = synthetic["gallery_features"]
    loose = mutual_matches(query, gallery, max_keypoints=128, ratio=1.0)
    strict = mutual_matches(query, gallery, max_keypoints=128, ratio=0.7)
    assert (strict <= loose).all()
    assert strict.sum() < loose.sum()


def test_lightglue_scores_only_the_pre_ranked_images(synthetic, small_config):
    config = dataclasses.replace(small_config, lightglue_k=2)
    fusion = WildFusion(config, default_calibrations(), device="cpu")
    items = synthetic["gallery_items"]
    query = synthetic["query_features"][1]
    raws = fusion.raw_scores(query, items)
    counts = mutual_matches(query, [f for _, _, f in items], config.lightglue_max_keypoints)
    chosen = set(np.argsort(-counts, kind="stable")[:2].tolist())
    assert chosen == {k for k, (_, label, _) in enumerate(items) if label == "ind1"}
    for k, (raw, corr) in enumerate(raws):
        if k in chosen:
            assert raw[LOCAL_MATCHER] > 0 and corr
        else:
            assert raw[LOCAL_MATCHER] == 0.0 and corr == []
        assert "global" in raw  # the global matcher still scores every shortlisted image
