"""Seconds per query for both shortlists + the LightGlue re-rank, by matching setting.

    .venv/bin/python benchmarks/pipeline_query_speed.py --data /work/shared/data/lion \
        [--queries 20] [--threads 2] [--cache-dir benchmarks/out/cache]

The gallery is the folder's `train` images, the queries a fixed sample of its `test` images
(features extracted once with the default extraction settings and cached). Each variant
changes only matching settings (shortlist K, how many images LightGlue re-ranks, LightGlue
keypoints, batching, point pruning), so the stored features stay valid. Besides the time it
reports, over the sampled queries, how often the right individual is in the shortlist and how
often the LightGlue count puts it first among the shortlisted images: a faster setting must
not lose the matches. Writes benchmarks/out/pipeline_query_speed.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from worker.pipeline.calibration import default_calibrations  # noqa: E402
from worker.pipeline.config import LOCAL_MATCHER, PipelineConfig  # noqa: E402
from worker.pipeline.data import load_dataset  # noqa: E402
from worker.pipeline.evaluation_steps import extract_all  # noqa: E402
from worker.pipeline.features import get_extractor  # noqa: E402
from worker.pipeline.fusion import WildFusion  # noqa: E402
from worker.pipeline.gallery import Gallery  # noqa: E402

VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "LightGlue on 12 pre-ranked images": {"lightglue_k": 12},
    "LightGlue on the whole shortlist": {"lightglue_k": 10_000},
    "before pre-ranking: K 20+20, all pairs, batches of 8, no pruning": {
        "shortlist_global_k": 20,
        "shortlist_keypoint_k": 20,
        "lightglue_k": 10_000,
        "lightglue_batch_size": 8,
        "lightglue_width_confidence": -1.0,
    },
    "256 kpts": {"lightglue_max_keypoints": 256},
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--queries", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--cache-dir", type=Path, default=Path("benchmarks/out/cache"))
    p.add_argument("--out", type=Path, default=Path("benchmarks/out/pipeline_query_speed.json"))
    p.add_argument("--variants", nargs="*", default=list(VARIANTS))
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    base = PipelineConfig()
    records = load_dataset(args.data)
    gallery_recs = [r for r in records if r.split == "train"]
    queries = sorted(
        (r for r in records if r.split == "test"),
        key=lambda r: hashlib.sha256(r.image_id.encode()).hexdigest(),
    )[: args.queries]
    extractor = get_extractor(base)
    feats, _ = extract_all(extractor, gallery_recs + queries, args.cache_dir)
    gallery = Gallery(base)
    gallery.add(
        range(len(gallery_recs)),
        [r.identity for r in gallery_recs],
        [feats[r.image_id] for r in gallery_recs],
    )
    rows = []
    for name in args.variants:
        config = dataclasses.replace(base, **VARIANTS[name])
        gallery.config = config
        fusion = WildFusion(config, default_calibrations(), None, extractor.model_versions)
        fusion.raw_scores(feats[queries[0].image_id], [])  # load LightGlue before timing
        shortlist_s = match_s = 0.0
        pairs = lightglue_pairs = in_shortlist = local_first = 0
        for rec in queries:
            query = feats[rec.image_id]
            t0 = time.perf_counter()
            ids = gallery.shortlist(query)
            t1 = time.perf_counter()
            items = [(i, gallery.label(i), gallery.features(i)) for i in ids]
            raws = fusion.raw_scores(query, items)
            match_s += time.perf_counter() - t1
            shortlist_s += t1 - t0
            pairs += len(ids)
            lightglue_pairs += min(len(ids), config.lightglue_k)
            labels = [label for _, label, _ in items]
            in_shortlist += rec.identity in labels
            if raws:
                best = max(range(len(raws)), key=lambda i: raws[i][0][LOCAL_MATCHER])
                local_first += labels[best] == rec.identity
        n = len(queries)
        row = {
            "variant": name,
            "settings": VARIANTS[name],
            "seconds_per_query": (shortlist_s + match_s) / n,
            "shortlist_ms": 1000 * shortlist_s / n,
            "rescore_ms": 1000 * match_s / n,
            "lightglue_ms_per_pair": 1000 * match_s / max(lightglue_pairs, 1),
            "pairs_per_query": pairs / n,
            "lightglue_pairs_per_query": lightglue_pairs / n,
            "right_individual_in_shortlist": in_shortlist / n,
            "lightglue_puts_it_first": local_first / n,
        }
        rows.append(row)
        print(
            f"{name:<40} {row['seconds_per_query']:6.2f} s/query  "
            f"shortlists {row['shortlist_ms']:6.1f} ms  "
            f"re-score {row['rescore_ms']:6.0f} ms ({row['pairs_per_query']:.1f} images, "
            f"LightGlue on {row['lightglue_pairs_per_query']:.1f}, "
            f"{row['lightglue_ms_per_pair']:.0f} ms each)"
            f"  in shortlist {row['right_individual_in_shortlist']:.2f}"
            f"  LightGlue top-1 {row['lightglue_puts_it_first']:.2f}",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "data": str(args.data),
        "queries": len(queries),
        "gallery_images": len(gallery_recs),
        "threads": torch.get_num_threads(),
        "rows": rows,
    }
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
