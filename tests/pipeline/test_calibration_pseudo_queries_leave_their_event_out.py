"""Gallery pseudo-queries: each image is queried without the images of its own event (a burst
would fake easy matches), and one whose individual is left with nothing to find stands for a
new individual."""

import numpy as np

from worker.pipeline import pseudo_queries
from worker.pipeline.calibration import default_calibrations
from worker.pipeline.features import Features
from worker.pipeline.gallery import Gallery

# id -> (individual, event): "a" has a burst (1, 2) and another visit (3); "b" was only ever
# seen in one burst; "c" and "d" twice each, apart.
IMAGES = {
    1: ("a", "e1"), 2: ("a", "e1"), 3: ("a", "e2"),
    4: ("b", "e3"), 5: ("b", "e3"),
    6: ("c", "e4"), 7: ("c", "e5"),
    8: ("d", "e6"), 9: ("d", "e7"),
}  # fmt: skip


def _gallery() -> Gallery:
    rng = np.random.default_rng(0)
    gallery = Gallery()
    feats = []
    for _ in IMAGES:
        g = rng.normal(size=8).astype(np.float32)
        feats.append(
            Features(
                globals={"global": g / np.linalg.norm(g)},
                descriptors=rng.normal(size=(4, 16)).astype(np.float16),
                keypoints=np.zeros((4, 2), np.float16),
            )
        )
    gallery.add(list(IMAGES), [label for label, _ in IMAGES.values()], feats)
    return gallery


def _spy(gallery: Gallery, calls: dict):
    def score(pid, excluded):
        calls[pid] = set(excluded)
        same = gallery.label(pid)
        return {
            i: {"global": 0.9 if gallery.label(i) == same else 0.1}
            for i in gallery.items
            if i not in excluded
        }

    return score


def test_each_pseudo_query_is_scored_without_its_own_event():
    gallery = _gallery()
    events = {i: event for i, (_, event) in IMAGES.items()}
    calls: dict[int, set[int]] = {}
    queries = pseudo_queries.run(None, gallery, events, len(IMAGES), score=_spy(gallery, calls))

    assert len(queries) == len(IMAGES)
    whole = dict(pseudo_queries.choose(gallery, len(IMAGES)))
    for q in queries:
        label, event = IMAGES[q.gallery_id]
        same_event = {i for i, (_, e) in IMAGES.items() if e == event}
        assert same_event <= calls[q.gallery_id], "its burst partners are never seen"
        assert not set(q.raw) & calls[q.gallery_id]
        if not whole[q.gallery_id]:
            assert calls[q.gallery_id] == same_event, "only its event is left out"
    assert not whole[1], "the seeded order queries image 1 as a known individual"
    burst_query = next(q for q in queries if q.gallery_id == 1)
    assert 2 not in burst_query.raw and 3 in burst_query.raw
    assert burst_query.truth == "a"


def test_an_individual_seen_only_in_one_burst_stands_for_a_new_one():
    gallery = _gallery()
    events = {i: event for i, (_, event) in IMAGES.items()}
    queries = pseudo_queries.run(None, gallery, events, len(IMAGES), score=_spy(gallery, {}))
    for q in queries:
        if IMAGES[q.gallery_id][0] == "b":
            assert q.truth.startswith(pseudo_queries.UNKNOWN)
    assert any(not q.truth.startswith(pseudo_queries.UNKNOWN) for q in queries)


def test_without_events_every_image_is_an_event_of_its_own():
    gallery = _gallery()
    calls: dict[int, set[int]] = {}
    pseudo_queries.run(None, gallery, {}, len(IMAGES), score=_spy(gallery, calls))
    whole = dict(pseudo_queries.choose(gallery, len(IMAGES)))
    for pid, excluded in calls.items():
        if not whole[pid]:
            assert excluded == {pid}


def test_the_fit_separates_same_from_different_and_survives_storage():
    gallery = _gallery()
    events = {i: event for i, (_, event) in IMAGES.items()}
    queries = pseudo_queries.run(None, gallery, events, len(IMAGES), score=_spy(gallery, {}))
    stored = pseudo_queries.from_json(pseudo_queries.to_json(queries))
    assert [(q.gallery_id, q.truth, q.raw, q.labels) for q in stored] == [
        (q.gallery_id, q.truth, q.raw, q.labels) for q in queries
    ]
    fitted = pseudo_queries.fit(default_calibrations(), stored, {"a", "b", "c", "d"}, 0.5)
    cal = fitted.calibrations["global"]
    assert cal.predict(0.9)[0] > 0.8 and cal.predict(0.1)[0] < 0.2
    assert fitted.positives > 0 and fitted.negatives > 0
    assert 0.0 < fitted.threshold <= 1.0 + 1e-6
