"""Fit the calibration that ships with the app (worker/pipeline/default_calibration.json).

    .venv/bin/python benchmarks/pipeline_fit_default_calibration.py \
        [--data /work/shared/data/lion] [--pseudo-queries 200] [--cache-dir benchmarks/out/cache]

Fitted on the lion data's gallery (train) images only, each used as a pseudo-query against the
others, with the default configuration: never on nyala-dev, which is the evaluation target.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script

from worker.pipeline.calibration import (  # noqa: E402
    DEFAULT_CALIBRATION_FILE,
    IsotonicCalibration,
    calibration_hash,
    calibrations_to_dict,
)
from worker.pipeline.config import PipelineConfig  # noqa: E402
from worker.pipeline.data import load_dataset  # noqa: E402
from worker.pipeline.evaluation_steps import extract_all, fit_on_gallery  # noqa: E402
from worker.pipeline.features import get_extractor  # noqa: E402
from worker.pipeline.fusion import WildFusion  # noqa: E402
from worker.pipeline.gallery import Gallery  # noqa: E402
from worker.pipeline.openset import DEFAULT_THRESHOLD  # noqa: E402

# Only the starting point of the fit (and the fallback for a matcher that gets no pairs).
BOOTSTRAP = {
    "global": IsotonicCalibration([-1.0, 1.0], [0.0, 1.0]),
    "aliked": IsotonicCalibration([0.0, 200.0], [0.0, 1.0]),
}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", type=Path, default=Path("/work/shared/data/lion"))
    p.add_argument("--pseudo-queries", type=int, default=200)
    p.add_argument("--cache-dir", type=Path, default=Path("benchmarks/out/cache"))
    p.add_argument("--out", type=Path, default=DEFAULT_CALIBRATION_FILE)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    config = PipelineConfig()
    records = [r for r in load_dataset(args.data) if r.split in ("train", "")]
    extractor = get_extractor(config)
    feats, _ = extract_all(extractor, records, args.cache_dir)
    gallery = Gallery(config)
    gallery.add(
        range(len(records)), [r.identity for r in records], [feats[r.image_id] for r in records]
    )
    fusion = WildFusion(config, BOOTSTRAP, model_versions=extractor.model_versions)
    cals, thresholds = fit_on_gallery(fusion, gallery, args.pseudo_queries, 0, DEFAULT_THRESHOLD)
    cals = {name: cals[name] for name in config.matcher_names}
    payload = {
        "fitted_on": f"{args.data.name} (train split, {args.pseudo_queries} pseudo-queries)",
        "config_key": config.config_key(),
        "versions": extractor.model_versions,
        "hash": calibration_hash(cals),
        "tuned_thresholds": thresholds,
        "calibrations": calibrations_to_dict(cals),
    }
    args.out.write_text(json.dumps(payload, indent=1) + "\n")
    print(json.dumps({k: v for k, v in payload.items() if k != "calibrations"}, indent=1))
    for name, cal in cals.items():
        print(name, cal)


if __name__ == "__main__":
    main()
