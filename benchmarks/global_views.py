"""The global descriptor alone under each test-time view and input size: rank each query's
individual by its nearest gallery image, for the untouched model and a tuned checkpoint.

    .venv/bin/python benchmarks/global_views.py --data ../shared/data/nyala-dev \
        [--checkpoint benchmarks/out/cache/finetuned/<digest>.pth] [--tta none,flip] \
        [--sizes 224,256,288] [--out benchmarks/out/global_views.json]

A tuned model is trained on unmirrored images of flank-patterned animals, so averaging its
embedding with the mirrored image's (flip TTA) may undo part of what it learned; and a model
trained on random crops may rank better at a slightly larger test size. Run it alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.finetune_global import _ranks  # noqa: E402
from worker.pipeline.config import GlobalModelConfig  # noqa: E402
from worker.pipeline.data import load_dataset  # noqa: E402
from worker.pipeline.evaluate import split  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--checkpoint", action="append", default=[], help="tuned weights (repeat)")
    p.add_argument("--tta", default="none,flip")
    p.add_argument("--sizes", default="224")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    torch.set_num_threads(2)
    gallery, queries, _ = split(load_dataset(args.data), "closed", args.seed)
    models = {"untouched": GlobalModelConfig()}
    for path in args.checkpoint:
        models[Path(path).stem] = dataclasses.replace(GlobalModelConfig(), checkpoint=path)
    rows = []
    print(f"{'model':16}{'tta':>6}{'size':>6}{'top-1':>8}{'top-5':>8}{'s':>6}")
    for name, model in models.items():
        for tta in args.tta.split(","):
            for size in map(int, args.sizes.split(",")):
                started = time.monotonic()
                r = _ranks(dataclasses.replace(model, tta=tta, image_size=size), gallery, queries)
                row = {"model": name, "tta": tta, "size": size, **r,
                       "seconds": round(time.monotonic() - started, 1)}  # fmt: skip
                rows.append(row)
                print(f"{name:16}{tta:>6}{size:>6}{r['top1'] * 100:8.1f}{r['top5'] * 100:8.1f}"
                      f"{row['seconds']:6.0f}", flush=True)  # fmt: skip
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        meta = {"data": Path(args.data).name, "gallery": len(gallery), "queries": len(queries)}
        args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
