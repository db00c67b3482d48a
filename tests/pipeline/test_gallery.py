import numpy as np

from worker.pipeline.config import PipelineConfig
from worker.pipeline.features import Features
from worker.pipeline.gallery import Gallery


def _unit(rng, n, d):
    v = rng.normal(size=(n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _features(emb, desc):
    n = len(desc)
    return Features(
        globals={"global": emb},
        keypoints=np.zeros((n, 2), np.float16),
        descriptors=desc.astype(np.float16),
        scores=np.linspace(1, 0, n).astype(np.float16),
        image_size=(100, 100),
    )


def _gallery(config, n_items=30, n_kp=32, seed=0):
    rng = np.random.default_rng(seed)
    embs, feats = _unit(rng, n_items, 16), []
    for i in range(n_items):
        feats.append(_features(embs[i], _unit(rng, n_kp, 128)))
    gallery = Gallery(config)
    gallery.add(range(n_items), [f"ind{i // 2}" for i in range(n_items)], feats)
    return gallery, feats, rng


def test_shortlist_is_the_union_of_global_and_keypoint_sources():
    config = PipelineConfig.from_dict({"shortlist_global_k": 1, "shortlist_keypoint_k": 1})
    gallery, feats, rng = _gallery(config)
    # The query looks globally like item 3 but shares its keypoints with item 17.
    query = _features(feats[3].globals["global"], feats[17].descriptors.astype(np.float32))
    assert list(gallery.global_shortlist(query, 1)) == [3]
    assert list(gallery.keypoint_votes(query, 1)) == [17]
    assert set(gallery.shortlist(query)) == {3, 17}


def test_remove_takes_items_out_of_both_indices():
    config = PipelineConfig.from_dict({"shortlist_global_k": 1, "shortlist_keypoint_k": 1})
    gallery, feats, _ = _gallery(config)
    query = _features(feats[3].globals["global"], feats[17].descriptors.astype(np.float32))
    gallery.remove([3, 17])
    assert len(gallery) == 28
    assert not {3, 17} & set(gallery.shortlist(query))


def test_approximate_indices_still_find_near_duplicates():
    # Tiny exact limits force the IVF path that large galleries use.
    config = PipelineConfig.from_dict(
        {"exact_index_max": 50, "exact_keypoint_index_max": 500, "vote_gallery_keypoints": 16}
    )
    gallery, feats, rng = _gallery(config, n_items=200, n_kp=16)
    assert gallery._global["global"].approximate and gallery._keypoints.approximate
    for target in (5, 120, 199):
        noisy = feats[target].globals["global"] + 0.05 * _unit(rng, 1, 16)[0]
        query = _features(noisy / np.linalg.norm(noisy), feats[target].descriptors.astype(float))
        assert next(iter(gallery.global_shortlist(query, 3))) == target
        assert next(iter(gallery.keypoint_votes(query, 3))) == target
    gallery.remove([120])
    assert 120 not in gallery.shortlist(query) and len(gallery) == 199


def test_adding_an_existing_id_replaces_it():
    config = PipelineConfig()
    gallery, feats, _ = _gallery(config, n_items=4)
    gallery.add([2], ["someone"], [feats[0]])
    assert len(gallery) == 4 and gallery.label(2) == "someone"
