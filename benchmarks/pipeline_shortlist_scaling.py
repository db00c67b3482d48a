"""How the two shortlists scale with gallery size, on synthetic unit descriptors.

    .venv/bin/python benchmarks/pipeline_shortlist_scaling.py [--sizes 1000 10000 100000]
        [--keypoints 64] [--queries 20]

Builds galleries of N images (one 1280-d global embedding and `--keypoints` 128-d keypoint
descriptors each, as the offline default stores), then times the global and keypoint-voting
shortlists per query. Writes benchmarks/out/pipeline_shortlist_scaling.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from worker.pipeline.config import PipelineConfig  # noqa: E402
from worker.pipeline.features import Features  # noqa: E402
from worker.pipeline.gallery import Gallery  # noqa: E402


def _unit(rng, shape):
    v = rng.standard_normal(shape, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _feats(emb, desc):
    n = len(desc)
    return Features(
        {"global": emb},
        np.zeros((n, 2), np.float16),
        desc.astype(np.float16),
        np.linspace(1, 0, n).astype(np.float16),
        (512, 512),
    )


def run(size: int, keypoints: int, queries: int, dim: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    config = PipelineConfig.from_dict(
        {"vote_gallery_keypoints": keypoints, "vote_query_keypoints": keypoints}
    )
    gallery = Gallery(config)
    start = time.perf_counter()
    step = 5000
    for lo in range(0, size, step):
        n = min(step, size - lo)
        embs, descs = _unit(rng, (n, dim)), _unit(rng, (n, keypoints, 128))
        gallery.add(
            range(lo, lo + n),
            [str(i // 4) for i in range(lo, lo + n)],
            [_feats(embs[i], descs[i]) for i in range(n)],
        )
    build = time.perf_counter() - start
    # Queries are noisy copies of gallery images, so recall of the source is measurable.
    targets = rng.choice(size, queries, replace=False)
    t_global = t_vote = 0.0
    hit_global = hit_vote = 0
    for target in targets:
        src = gallery.features(int(target))
        emb = src.globals["global"] + 0.3 * _unit(rng, (dim,)) / np.sqrt(2)
        desc = src.descriptors.astype(np.float32) + 0.3 * _unit(rng, (keypoints, 128))
        query = _feats(emb / np.linalg.norm(emb), desc / np.linalg.norm(desc, axis=1)[:, None])
        t0 = time.perf_counter()
        hit_global += int(target) in gallery.global_shortlist(query, config.shortlist_global_k)
        t1 = time.perf_counter()
        hit_vote += int(target) in gallery.keypoint_votes(query, config.shortlist_keypoint_k)
        t_vote += time.perf_counter() - t1
        t_global += t1 - t0
    return {
        "gallery_images": size,
        "keypoint_vectors": size * keypoints,
        "build_s": build,
        "global_ms_per_query": 1000 * t_global / queries,
        "vote_ms_per_query": 1000 * t_vote / queries,
        "global_recall": hit_global / queries,
        "vote_recall": hit_vote / queries,
        "global_index": "IVF" if gallery._global["global"].approximate else "exact",
        "keypoint_index": "IVF"
        if gallery._keypoints is not None and gallery._keypoints.approximate
        else "exact",
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    p.add_argument("--keypoints", type=int, default=64)
    p.add_argument("--queries", type=int, default=20)
    p.add_argument("--dim", type=int, default=1280)
    p.add_argument(
        "--out", type=Path, default=Path("benchmarks/out/pipeline_shortlist_scaling.json")
    )
    args = p.parse_args()
    torch.set_num_threads(2)
    rows = []
    print(
        f"{'images':>8} {'kp vectors':>11} {'build s':>8} {'global ms':>10} {'vote ms':>8} "
        f"{'g recall':>8} {'v recall':>8} index"
    )
    for size in args.sizes:
        r = run(size, args.keypoints, args.queries, args.dim)
        rows.append(r)
        print(
            f"{size:>8} {r['keypoint_vectors']:>11} {r['build_s']:>8.1f} "
            f"{r['global_ms_per_query']:>10.2f} {r['vote_ms_per_query']:>8.1f} "
            f"{r['global_recall']:>8.2f} {r['vote_recall']:>8.2f} "
            f"{r['global_index']}/{r['keypoint_index']}",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
