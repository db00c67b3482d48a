"""The pieces of `evaluate`: cached extraction, gallery-only calibration, per-method rankings
and metrics. Methods: each global model alone (full-gallery cosine), the local matcher alone
(LightGlue count over the shortlist) and the fusion."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from worker.pipeline import pseudo_queries
from worker.pipeline.calibration import IsotonicCalibration
from worker.pipeline.config import LOCAL_MATCHER, PipelineConfig
from worker.pipeline.data import Record
from worker.pipeline.detection.scene import focus_in, off_scene
from worker.pipeline.features import FeatureExtractor, Features
from worker.pipeline.fusion import WildFusion
from worker.pipeline.gallery import Gallery
from worker.pipeline.openset import baks_baus, openset_score, predict, tune_threshold

FUSED = "fused"
Ranking = list[tuple[str, float]]  # (individual, probability), best first
Best = list[tuple[str, tuple[float, float]]]  # (individual, (value, tie-break)), best first
Matrices = dict[str, tuple[np.ndarray, np.ndarray]]  # global model -> (gallery ids, vectors)
Raw = dict[str, float]  # one gallery image's raw score per matcher


def method_names(config: PipelineConfig) -> list[str]:
    return [m.name for m in config.global_models] + [LOCAL_MATCHER, FUSED]


def extract_all(
    extractor: FeatureExtractor, records: Sequence[Record], cache_dir: Path | None, batch: int = 16
) -> tuple[dict[str, Features], float]:
    """Features per image_id, read from / written to the cache; returns extraction images/s."""
    folder = Path(cache_dir) / extractor.config.config_key() if cache_dir else None
    if folder:
        folder.mkdir(parents=True, exist_ok=True)
    feats: dict[str, Features] = {}
    todo = []
    for rec in records:
        name = hashlib.sha1(rec.view_key.encode()).hexdigest() + ".npz"
        if folder and (folder / name).exists():
            feats[rec.image_id] = Features.from_bytes((folder / name).read_bytes())
        else:
            todo.append((rec, name))
    start = time.perf_counter()
    for i in range(0, len(todo), batch):
        chunk = todo[i : i + batch]
        images = [r.open() for r, _ in chunk]
        # As the app does for whole-frame sightings: the matcher sees the frame's focus, and
        # keypoints on the camera's scene go.
        changes = [r.scene.changed(r.open_full()) if r.scene else None for r, _ in chunk]
        focus = [
            focus_in(im.size, r.offset, changed, r.scene.frame_size) if r.scene else None
            for (r, _), im, changed in zip(chunk, images, changes, strict=True)
        ]
        for (rec, name), f, changed in zip(
            chunk, extractor.extract(images, focus), changes, strict=True
        ):
            if rec.scene is not None:
                f = f.only(off_scene(changed, rec.scene.frame_size, f.keypoints, rec.offset))
            feats[rec.image_id] = f
            if folder:
                (folder / name).write_bytes(f.to_bytes())
        _progress("feature extraction", i + len(chunk), len(todo), start, every=batch * 8)
    elapsed = time.perf_counter() - start
    rate_file = folder / "rate.json" if folder else None
    if todo:
        rate = len(todo) / elapsed
        if rate_file and len(todo) >= 8:
            rate_file.write_text(json.dumps({"images_per_s": rate, "images": len(todo)}))
    elif rate_file and rate_file.exists():
        rate = json.loads(rate_file.read_text())["images_per_s"]  # measured when cached
    else:
        rate = float("nan")
    return feats, rate


def _best_per_individual(
    labels: Sequence[str], values: Iterable[float], tie: Sequence[float] | None = None
) -> Best:
    best: dict[str, tuple[float, float]] = {}
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        key = (value, tie[i] if tie is not None else 0.0)
        if label not in best or key > best[label]:
            best[label] = key
    return sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))


def rank_one(
    fusion: WildFusion,
    gallery: Gallery,
    query: Features,
    matrices: Matrices,
    exclude: Collection[int] = frozenset(),
) -> tuple[dict[str, Ranking], dict[int, Raw]]:
    """Rankings of individuals by every method for one query, and the raw shortlist scores."""
    cals = fusion.calibrations
    rankings: dict[str, Ranking] = {}
    for name, (ids, mat) in matrices.items():  # global alone: the whole gallery, exact cosine
        keep = np.array([i not in exclude for i in ids])
        sims = mat[keep] @ query.globals[name].astype(np.float32)
        labels = [gallery.label(int(i)) for i in ids[keep]]
        ranked = _best_per_individual(labels, sims)
        probs: Iterable[float] = cals[name].predict([v[0] for _, v in ranked]) if ranked else []
        rankings[name] = [(lab, float(p)) for (lab, _), p in zip(ranked, probs, strict=True)]
    shortlist = [i for i in gallery.shortlist(query) if i not in exclude]
    items = [(i, gallery.label(i), gallery.features(i)) for i in shortlist]
    raws = fusion.raw_scores(query, items)
    labels = [lab for _, lab, _ in items]
    local = [raw[LOCAL_MATCHER] for raw, _ in raws]
    fused = [fusion.calibrate(raw)[0] for raw, _ in raws]
    first_global = fusion.config.global_models[0].name
    glob = [raw.get(first_global, 0.0) for raw, _ in raws]
    ranked = _best_per_individual(labels, local, tie=glob)
    probs = cals[LOCAL_MATCHER].predict([v[0] for _, v in ranked]) if ranked else []
    rankings[LOCAL_MATCHER] = [(lab, float(p)) for (lab, _), p in zip(ranked, probs, strict=True)]
    # Ties in fused probability (isotonic plateaus) are broken by the raw local score.
    ranked = _best_per_individual(labels, fused, tie=local)
    rankings[FUSED] = [(lab, v[0]) for lab, v in ranked]
    return rankings, {i: raw for i, (raw, _) in zip(shortlist, raws, strict=True)}


def global_matrices(gallery: Gallery, config: PipelineConfig) -> Matrices:
    ids = np.array(sorted(gallery.items), dtype=np.int64)
    return {
        m.name: (ids, np.stack([gallery.features(int(i)).globals[m.name] for i in ids]))
        for m in config.global_models
    }


def _progress(what: str, done: int, total: int, start: float, every: int = 10) -> None:
    """A line on stderr every `every` items: long CPU runs should not look hung."""
    if done % every and done != total:
        return
    elapsed = time.perf_counter() - start
    left = elapsed / done * (total - done) if done else 0.0
    print(
        f"  {what}: {done}/{total}, {elapsed / max(done, 1):.1f} s each, ~{left / 60:.0f} min left",
        file=sys.stderr,
        flush=True,
    )


def query_rankings(
    fusion: WildFusion, gallery: Gallery, queries: Sequence[Features]
) -> tuple[dict[str, list[Ranking]], list[dict[str, Raw]]]:
    matrices = global_matrices(gallery, fusion.config)
    rankings: dict[str, list[Ranking]] = {}
    raws: list[dict[str, Raw]] = []
    start = time.perf_counter()
    for k, query in enumerate(queries, start=1):
        ranks, raw = rank_one(fusion, gallery, query, matrices)
        for name, ranking in ranks.items():
            rankings.setdefault(name, []).append(ranking)
        raws.append({str(i): v for i, v in raw.items()})
        _progress("queries", k, len(queries), start)
    return rankings, raws


def fit_on_gallery(
    fusion: WildFusion,
    gallery: Gallery,
    n: int,
    seed: int,
    default_threshold: float,
    events: Mapping[int, str] | None = None,
    only: Collection[int] | None = None,
) -> tuple[dict[str, IsotonicCalibration], dict[str, float]]:
    """Calibrations and thresholds from gallery images used as pseudo-queries, as the app
    fits them (worker/pipeline/pseudo_queries.py): each leaves out its own event (`events`:
    gallery id -> event; none known, its own image), a fixed quarter their whole identity.
    Queries never take part. Thresholds are tuned per method, the app's only for the fusion.
    With `only`, pseudo-queries are drawn from those gallery ids alone."""
    events = events or {}
    start = time.perf_counter()
    queries = pseudo_queries.run(
        fusion, gallery, events, n, seed,
        progress=lambda k, total: _progress("calibration pseudo-queries", k, total, start),
        only=only,
    )  # fmt: skip
    known = {gallery.label(i) for i in gallery.items}
    fitted = pseudo_queries.fit(fusion.calibrations, queries, known, default_threshold)
    refit = WildFusion(fusion.config, fitted.calibrations, fusion.device, fusion.versions)
    matrices = global_matrices(gallery, fusion.config)
    best: dict[str, tuple[list[str], list[float]]] = {}
    chosen = pseudo_queries.choose(gallery, n, seed, only)
    for (pid, whole), q in zip(chosen, queries, strict=True):
        exclude = pseudo_queries.left_out(gallery, events, pid, whole)
        for name, ranking in _rescore(refit, gallery, matrices, q.raw, pid, exclude).items():
            labs, probs = best.setdefault(name, ([], []))
            labs.append(ranking[0][0] if ranking else "")
            probs.append(ranking[0][1] if ranking else 0.0)
    truths = [q.truth for q in queries]
    thresholds = {
        name: tune_threshold(labs, probs, truths, known, default_threshold)
        for name, (labs, probs) in best.items()
    }
    return fitted.calibrations, thresholds


def _top(ranked: Best, cal: IsotonicCalibration | None) -> Ranking:
    if not ranked:
        return []
    label, (value, _) = ranked[0]
    return [(label, float(cal.predict(value)[0]) if cal is not None else float(value))]


def _rescore(
    fusion: WildFusion,
    gallery: Gallery,
    matrices: Matrices,
    raw: dict[int, Raw],
    pid: int,
    exclude: Collection[int],
) -> dict[str, Ranking]:
    """Rankings from already computed raw scores with new calibrations (no LightGlue rerun)."""
    query = gallery.features(pid)
    rankings: dict[str, Ranking] = {}
    for name, (ids, mat) in matrices.items():
        keep = np.array([i not in exclude for i in ids])
        sims = mat[keep] @ query.globals[name].astype(np.float32)
        ranked = _best_per_individual([gallery.label(int(i)) for i in ids[keep]], sims)
        rankings[name] = _top(ranked, fusion.calibrations[name])
    labels = [gallery.label(i) for i in raw]
    local = [r[LOCAL_MATCHER] for r in raw.values()]
    ranked = _best_per_individual(labels, local)
    rankings[LOCAL_MATCHER] = _top(ranked, fusion.calibrations[LOCAL_MATCHER])
    fused = [fusion.calibrate(r)[0] for r in raw.values()]
    rankings[FUSED] = _top(_best_per_individual(labels, fused, tie=local), None)
    return rankings


def summarise(
    rankings: dict[str, list[Ranking]],
    truths: Sequence[str],
    known: set[str],
    thresholds: dict[str, float],
) -> dict[str, dict[str, float | None]]:
    results: dict[str, dict[str, float | None]] = {}
    for name, per_query in rankings.items():
        top1 = top5 = ap = 0.0
        labs: list[str] = []
        probs: list[float] = []
        for truth, ranking in zip(truths, per_query, strict=True):
            order = [lab for lab, _ in ranking]
            rank = order.index(truth) + 1 if truth in order else None
            top1 += rank == 1
            top5 += rank is not None and rank <= 5
            ap += 1.0 / rank if rank else 0.0  # one relevant individual: AP = 1 / its rank
            labs.append(ranking[0][0] if ranking else "")
            probs.append(ranking[0][1] if ranking else 0.0)
        n_known = max(1, sum(t in known for t in truths))
        threshold = thresholds.get(name, 0.5)
        baks, baus = baks_baus(truths, predict(labs, probs, threshold), known)
        ece, brier, median_correct = calibration_quality(per_query, truths)
        results[name] = {
            "top1": top1 / n_known,
            "top5": top5 / n_known,
            "mAP": ap / n_known,
            "BAKS": _clean(baks),
            "BAUS": _clean(baus),
            "score": _clean(openset_score(baks, baus)),
            "threshold": threshold,
            "ece": ece,
            "brier": brier,
            "median_p_correct_top1": median_correct,
        }
    return results


SHOWN = 5  # the candidates the review screen shows: what an expert reads probabilities on


def calibration_quality(
    per_query: Sequence[Ranking], truths: Sequence[str], bins: int = 10
) -> tuple[float | None, float | None, float | None]:
    """(ECE over `bins` equal-width bins, Brier score, median P of correct top-1 candidates)
    of each query's first SHOWN candidates' probabilities against "is it the right
    individual?". Raw-valued rankings (not probabilities) are not scored."""
    probs, hits, correct_top = [], [], []
    for truth, ranking in zip(truths, per_query, strict=True):
        for rank, (label, prob) in enumerate(ranking[:SHOWN]):
            probs.append(prob)
            hits.append(label == truth)
            if rank == 0 and label == truth:
                correct_top.append(prob)
    if not probs or min(probs) < 0.0 or max(probs) > 1.0:
        return None, None, None
    p = np.asarray(probs, dtype=np.float64)
    y = np.asarray(hits, dtype=np.float64)
    which = np.minimum((p * bins).astype(int), bins - 1)
    ece = sum(
        abs(p[which == b].mean() - y[which == b].mean()) * (which == b).sum()
        for b in range(bins)
        if (which == b).any()
    ) / len(p)
    brier = float(((p - y) ** 2).mean())
    median = float(np.median(correct_top)) if correct_top else None
    return float(ece), brier, median


def _clean(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)
