"""A worker keeps each project's gallery in memory: after confirmations, an un-confirmation, a
merge and a re-extraction it equals a gallery built afresh, having read only the features of
images that are new or were extracted again."""

import numpy as np
import pytest

from identification.models import Individual, Sighting
from identification.services import decisions, pipeline_results
from tests.factories import add_sighting, curator
from worker.pipeline.features import Features
from worker.reid import store

pytestmark = pytest.mark.django_db


def _features(seed: int) -> Features:
    rng = np.random.default_rng(seed)
    vector = rng.normal(size=32).astype(np.float32)
    return Features(
        globals={"global": vector / np.linalg.norm(vector)},
        keypoints=rng.uniform(0, 300, (20, 2)).astype(np.float16),
        descriptors=rng.normal(size=(20, 128)).astype(np.float16),
        scores=rng.uniform(0, 1, 20).astype(np.float16),
        image_size=(320, 240),
    )


def _extracted(sighting: Sighting, seed: int, key: str) -> Sighting:
    pipeline_results.store_features(sighting.pk, _features(seed).to_bytes(), {}, key)
    return sighting


def _contents(cached) -> dict[int, str]:
    return {i: cached.gallery.label(i) for i in cached.gallery.items}


def test_the_gallery_in_memory_equals_a_fresh_one_after_changes(project, monkeypatch):
    config = store.project_config(project)
    key = config.config_key()
    a, b, c = (Individual.objects.create(project=project, code=code) for code in "ABC")
    gallery = [
        _extracted(add_sighting(project, individual=ind), seed, key)
        for seed, ind in enumerate([a, a, b, b, c])
    ]
    reads = []
    original = Features.from_bytes
    monkeypatch.setattr(
        Features, "from_bytes", classmethod(lambda cls, d: reads.append(1) or original(d))
    )
    store._galleries.clear()
    cached = store.gallery_for(project, config)
    assert len(cached.gallery) == 5 and len(reads) == 5

    reads.clear()
    assert store.gallery_for(project, config) is cached and reads == [], "nothing changed"

    newcomer = _extracted(add_sighting(project), 10, key)
    decisions.confirm(newcomer, c, by=curator(project))
    decisions.discard(gallery[0], by=curator(project))  # it was no animal after all
    decisions.merge(b, a, by=curator(project))
    _extracted(gallery[4], 11, key)  # a redrawn box: new features for a gallery image
    reads.clear()
    cached = store.gallery_for(project, config)

    assert len(reads) == 2, "only the new image and the re-extracted one were read"
    assert gallery[0].pk not in cached.gallery
    assert cached.gallery.label(gallery[2].pk) == str(a.pk), "the merged image is relabelled"
    assert np.allclose(
        cached.gallery.features(gallery[4].pk).globals["global"],
        _features(11).globals["global"],
    )
    store._galleries.clear()
    fresh = store.gallery_for(project, config)
    assert _contents(cached) == _contents(fresh)
    query = _features(3)
    assert cached.gallery.shortlist(query, 4) == fresh.gallery.shortlist(query, 4)
