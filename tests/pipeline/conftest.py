"""Shared pipeline fixtures: one small configuration, models loaded once per session, and
features of synthetic patterned individuals (no shared data, no network, no database)."""

from __future__ import annotations

import pytest
import torch

from tests.pipeline.patterns import view as pattern_image
from worker.pipeline.config import PipelineConfig
from worker.pipeline.features import get_extractor

INDIVIDUALS = 5
GALLERY_VIEWS = (0, 1)
QUERY_VIEW = 3
UNSEEN = 99  # a pattern that never enters the gallery

# Small images and few keypoints keep the suite fast on two CPU cores.
SMALL = {
    "global_models": [{"name": "global", "tta": "none", "image_size": 128}],
    "aliked_image_size": 256,
    "aliked_max_keypoints": 256,
    "lightglue_max_keypoints": 128,
    "vote_query_keypoints": 128,
    "vote_gallery_keypoints": 128,
    "shortlist_global_k": 4,
    "shortlist_keypoint_k": 4,
}


@pytest.fixture(scope="session")
def small_config() -> PipelineConfig:
    return PipelineConfig.from_dict(SMALL)


@pytest.fixture(scope="session")
def extractor(small_config):
    torch.set_num_threads(2)
    return get_extractor(small_config, "cpu")


@pytest.fixture(scope="session")
def synthetic(extractor):
    """Features of gallery views, one query view per individual, and an unseen individual."""
    gallery_images, gallery_labels = [], []
    for ind in range(INDIVIDUALS):
        for view in GALLERY_VIEWS:
            gallery_images.append(pattern_image(ind, view, size=192))
            gallery_labels.append(f"ind{ind}")
    queries = [pattern_image(ind, QUERY_VIEW, size=192) for ind in range(INDIVIDUALS)]
    unseen = pattern_image(UNSEEN, QUERY_VIEW, size=192)
    feats = extractor.extract(gallery_images + queries + [unseen])
    n = len(gallery_images)
    return {
        "gallery_ids": list(range(n)),
        "gallery_labels": gallery_labels,
        "gallery_features": feats[:n],
        # (id, label, features) per gallery image: the shape WildFusion.raw_scores takes.
        "gallery_items": list(zip(range(n), gallery_labels, feats[:n], strict=True)),
        "query_labels": [f"ind{ind}" for ind in range(INDIVIDUALS)],
        "query_features": feats[n : n + INDIVIDUALS],
        "unseen_features": feats[-1],
    }
