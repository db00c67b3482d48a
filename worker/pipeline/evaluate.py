"""Evaluate the pipeline on a labelled folder: closed- or open-set re-identification.

    python -m worker.pipeline.evaluate --data DIR [--protocol closed|open] [--out results.json]
        [--limit-queries N] [--device cpu] [--config JSON] [--cache-dir DIR]
        [--ignore-bbox] [--detector none|motion|megadetector [--detector-weights FILE]]
        [--track-queries [--track-size N]] [--finetune [--finetune-loss arcface|triplet]]

A `bbox` column in metadata.csv (`[x, y, w, h]` pixels) makes each image its crop;
`--ignore-bbox` evaluates the whole frames instead, and `--detector` finds the animal in each
whole frame first (after cutting each camera's data strips), so quality on camera-trap frames
as they come off the card is one command.

`train` images form the gallery, `test` images are the queries. The open protocol also removes
a fixed 25 % of identities (chosen by a seeded hash of their names) from the gallery, so their
queries should come out as new. Calibrations and open-set thresholds are fitted on the gallery
alone (gallery images as pseudo-queries against the rest), never on the queries.

`--finetune` first fine-tunes the global model on the gallery (worker/pipeline/finetune.py,
as the app does). As in the app, the tuned model is used only if it ranks the gallery's
held-out images better than the untouched one (model_choice.is_better); it then re-embeds
every image's global descriptor (keypoints stay), and calibration uses only the gallery
images it held out from training. Otherwise the untouched model is evaluated.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import sys
import time
from pathlib import Path
from typing import IO, Any

import torch

from worker.pipeline import finetune_evaluation, track_evaluation
from worker.pipeline.calibration import calibrations_to_dict, default_calibrations
from worker.pipeline.config import PipelineConfig
from worker.pipeline.data import Record, load_dataset
from worker.pipeline.detection.frames import crop_records
from worker.pipeline.evaluation_steps import (
    extract_all,
    fit_on_gallery,
    method_names,
    query_rankings,
    summarise,
)
from worker.pipeline.features import get_extractor
from worker.pipeline.finetune import TrainConfig
from worker.pipeline.fusion import WildFusion
from worker.pipeline.gallery import Gallery
from worker.pipeline.model_choice import is_better
from worker.pipeline.openset import DEFAULT_THRESHOLD


def _hash(text: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{text}".encode()).hexdigest()


def held_out_identities(identities: set[str], share: float = 0.25, seed: int = 0) -> set[str]:
    """A fixed share of identities, by seeded hash of the names: the same on every run."""
    ordered = sorted(identities, key=lambda name: _hash(name, seed))
    return set(ordered[: int(round(share * len(ordered)))])


def split(
    records: list[Record], protocol: str, seed: int
) -> tuple[list[Record], list[Record], set[str]]:
    gallery = [r for r in records if r.split == "train"]
    queries = [r for r in records if r.split == "test"]
    if not gallery or not queries:
        raise SystemExit("metadata.csv needs split=train (gallery) and split=test (query) rows")
    held: set[str] = set()
    if protocol == "open":
        held = held_out_identities({r.identity for r in records}, 0.25, seed)
        gallery = [r for r in gallery if r.identity not in held]
    return gallery, queries, held


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m worker.pipeline.evaluate", description=__doc__)
    p.add_argument("--data", required=True, type=Path, help="folder with metadata.csv + images")
    p.add_argument("--protocol", choices=["closed", "open"], default="closed")
    p.add_argument("--out", type=Path, default=None, help="results JSON path")
    p.add_argument("--limit-queries", type=int, default=None)
    p.add_argument(
        "--calibration-queries",
        type=int,
        default=80,
        help="gallery images used as pseudo-queries to fit calibration/threshold",
    )
    p.add_argument("--device", default=None)
    p.add_argument("--config", default=None, help="JSON overrides, inline or a file path")
    p.add_argument("--cache-dir", type=Path, default=None, help="cache of extracted features")
    p.add_argument("--calibration", choices=["gallery", "default"], default="gallery")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument(
        "--ignore-bbox",
        action="store_true",
        help="evaluate whole frames even where metadata.csv has a bbox column",
    )
    p.add_argument(
        "--detector",
        choices=["none", "motion", "megadetector"],
        default=None,
        help="find the animal in each whole frame first (none: the frame without its data "
        "strips); replaces any bbox column",
    )
    p.add_argument("--detector-weights", default=None, help="MegaDetector weights file")
    p.add_argument("--detection-threshold", type=float, default=0.2)
    p.add_argument(
        "--track-queries",
        action="store_true",
        help="also score the test images of one animal in one event as one track query",
    )
    p.add_argument("--track-size", type=int, default=3, help="track length without events")
    p.add_argument(
        "--finetune",
        action="store_true",
        help="fine-tune the global model on the gallery first, as the app does",
    )
    p.add_argument("--finetune-loss", choices=["arcface", "triplet"], default="triplet")
    p.add_argument("--finetune-minutes", type=float, default=18.0, help="training time budget")
    p.add_argument("--finetune-size", type=int, default=224, help="training image size")
    p.add_argument("--finetune-frozen", type=float, default=0.0, help="frozen share of layers")
    p.add_argument("--finetune-schedule", choices=["constant", "cosine"], default="constant")
    p.add_argument(
        "--save-raw",
        type=Path,
        default=None,
        help="write every query's raw per-image scores (for analysis)",
    )
    return p.parse_args(argv)


def _load_config(arg: str | None) -> PipelineConfig:
    if not arg:
        return PipelineConfig()
    text = Path(arg).read_text() if not arg.lstrip().startswith("{") else arg
    return PipelineConfig.from_dict(json.loads(text))


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "   -  "
    return f"{100 * value:6.1f}"


def print_table(results: dict[str, dict[str, Any]], out: IO[str] | None = None) -> None:
    out = out or sys.stdout  # looked up per call, so redirected stdout is honoured
    cols = ["top1", "top5", "mAP", "BAKS", "BAUS", "score"]
    head = "".join(f"{c:>8}" for c in cols)
    print(f"{'method':<10}{head}{'thresh':>8}{'ECE':>8}{'Brier':>8}{'P(ok)':>8}", file=out)
    for name, row in results.items():
        if name in ("throughput", "meta", "tracks"):
            continue
        line = "".join(f"{_fmt(row.get(c)):>8}" for c in cols)
        quality = "".join(
            f"{_fmt(row.get(c)):>8}" for c in ("ece", "brier", "median_p_correct_top1")
        )
        print(f"{name:<10}{line}{row.get('threshold', 0):8.3f}{quality}", file=out)
    print(
        "ECE, Brier: of the first 5 candidates' probabilities (x100); "
        "P(ok): median probability of correct top-1 candidates",
        file=out,
    )
    t = results["throughput"]
    print(
        f"extraction {t['extract_images_per_s']:.2f} img/s, "
        f"queries {t['queries_per_s']:.2f} /s ({t['seconds_per_query']:.2f} s/query)",
        file=out,
    )


def main(argv: list[str] | None = None) -> dict[str, dict[str, Any]]:
    args = _parse(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    config = _load_config(args.config)
    records = load_dataset(args.data)
    gallery_recs, query_recs, held = split(records, args.protocol, args.seed)
    if args.limit_queries:
        query_recs = sorted(query_recs, key=lambda r: _hash(r.image_id, args.seed))
        query_recs = query_recs[: args.limit_queries]
    crop = "bbox" if any(r.bbox for r in records) else "whole"
    detection_stats: dict[str, int] = {}
    if args.ignore_bbox or args.detector:
        gallery_recs = [dataclasses.replace(r, bbox=None) for r in gallery_recs]
        query_recs = [dataclasses.replace(r, bbox=None) for r in query_recs]
        crop = "whole"
    if args.detector:
        both, detection_stats = crop_records(
            gallery_recs + query_recs,
            args.detector,
            args.detection_threshold,
            args.detector_weights,
        )
        gallery_recs, query_recs = both[: len(gallery_recs)], both[len(gallery_recs) :]
        crop = f"detector:{args.detector}"
    extractor = get_extractor(config, args.device)
    needed = gallery_recs + query_recs
    feats, extract_rate = extract_all(extractor, needed, args.cache_dir)
    versions = dict(extractor.model_versions)
    untrained: list[int] | None = None  # gallery ids a fine-tuned model did not train on
    tuned: dict[str, Any] | None = None
    if args.finetune:
        train_cfg = TrainConfig(
            loss=args.finetune_loss, image_size=args.finetune_size, seed=args.seed,
            frozen_fraction=args.finetune_frozen, max_seconds=args.finetune_minutes * 60,
            schedule=args.finetune_schedule,
        )  # fmt: skip
        tuned_config, result, path = finetune_evaluation.tune(
            config, gallery_recs, train_cfg, args.cache_dir, args.device
        )
        # The app's rule: the tuned model is used only if it ranks the held-out images better.
        deployed = is_better(result.val_top1_before, result.val_top1_after)
        if deployed:
            config = tuned_config
            feats, new_versions = finetune_evaluation.reembed(config, needed, feats, args.device)
            versions.update(new_versions)
            trained = set(result.trained_on)
            untrained = [i for i in range(len(gallery_recs)) if i not in trained]
        tuned = {**finetune_evaluation.summary(result, path, train_cfg), "deployed": deployed}
        print(
            f"fine-tuned ({result.loss}) in {result.seconds / 60:.1f} min, {result.epochs} "
            f"epochs (best {result.best_epoch}): validation top-1 "
            f"{result.val_top1_before:.3f} -> {result.val_top1_after:.3f}, "
            + ("used" if deployed else "not better: the untouched model is evaluated")
        )

    gallery = Gallery(config)
    gallery.add(
        range(len(gallery_recs)),
        [r.identity for r in gallery_recs],
        [feats[r.image_id] for r in gallery_recs],
    )
    fusion = WildFusion(config, default_calibrations(), args.device, versions)
    thresholds = {name: DEFAULT_THRESHOLD for name in method_names(config)}
    if args.calibration == "gallery":
        events = {i: r.event for i, r in enumerate(gallery_recs) if r.event}
        # A tuned model knows its training images too well: calibrate on the others only.
        cals, thresholds = fit_on_gallery(
            fusion, gallery, args.calibration_queries, args.seed, DEFAULT_THRESHOLD, events,
            only=untrained,
        )  # fmt: skip
        fusion = WildFusion(config, cals, args.device, versions)

    start = time.perf_counter()
    rankings, raw = query_rankings(fusion, gallery, [feats[r.image_id] for r in query_recs])
    elapsed = time.perf_counter() - start
    known = {r.identity for r in gallery_recs}
    results: dict[str, dict[str, Any]] = summarise(
        rankings, [r.identity for r in query_recs], known, thresholds
    )
    results["throughput"] = {
        "extract_images_per_s": extract_rate,
        "queries_per_s": len(query_recs) / elapsed if elapsed else 0.0,
        "seconds_per_query": elapsed / max(1, len(query_recs)),
        "torch_threads": torch.get_num_threads(),
    }
    results["meta"] = {
        "data": str(args.data),
        "protocol": args.protocol,
        "queries": len(query_recs),
        "gallery_images": len(gallery_recs),
        "held_out_identities": len(held),
        "config_key": config.config_key(),
        "config": config.to_dict(),
        "versions": fusion.versions,
        "calibration": args.calibration,
        "crop": crop,
        "detection": detection_stats,
        "calibrations": calibrations_to_dict(fusion.calibrations),
        "finetune": tuned,
    }
    print_table(results)
    if args.track_queries:
        results["tracks"] = track_evaluation.evaluate(
            rankings, query_recs, known, args.track_size, args.seed
        )
        track_evaluation.print_tracks(results["tracks"])
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
    if args.save_raw:
        rows = [{"identity": r.identity, "images": q} for r, q in zip(query_recs, raw, strict=True)]
        gal = [{"id": i, "identity": r.identity} for i, r in enumerate(gallery_recs)]
        args.save_raw.write_text(json.dumps({"gallery": gal, "queries": rows}))
    return results


if __name__ == "__main__":
    main()
