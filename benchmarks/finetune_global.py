"""Fine-tuning trade-offs, global descriptor alone: train on a dataset's gallery (as the app
does), then rank each query's individual by its nearest gallery image, before and after.

    .venv/bin/python benchmarks/finetune_global.py --data ../shared/data/nyala-dev \
        [--loss triplet|arcface] [--size 224] [--frozen 0.0] [--minutes 18] [--lr 1e-3]
        [--epochs 30] [--patience 8] [--out docs/benchmark-results/finetune_global.json]

Faster than `evaluate --finetune` (no keypoints, no LightGlue), so training settings can be
compared in minutes; the whole pipeline's figures come from evaluate. Run it alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from worker.pipeline import finetune  # noqa: E402
from worker.pipeline.config import GlobalModelConfig  # noqa: E402
from worker.pipeline.data import Record, load_dataset  # noqa: E402
from worker.pipeline.evaluate import split  # noqa: E402
from worker.pipeline.features import GlobalEmbedder  # noqa: E402


def _ranks(model: GlobalModelConfig, gallery: list[Record], queries: list[Record]) -> dict:
    embedder = GlobalEmbedder([model], "cpu")
    g = embedder.embed([r.open() for r in gallery])[model.name]
    q = embedder.embed([r.open() for r in queries])[model.name]
    sims = q @ g.T
    names = sorted({r.identity for r in gallery})
    column = {n: [j for j, r in enumerate(gallery) if r.identity == n] for n in names}
    best = np.stack([sims[:, column[n]].max(axis=1) for n in names], axis=1)
    order = np.argsort(-best, axis=1)
    truth = [names.index(r.identity) if r.identity in column else -1 for r in queries]
    hit1 = [order[i, 0] == t for i, t in enumerate(truth)]
    hit5 = [t in order[i, :5] for i, t in enumerate(truth)]
    return {"top1": float(np.mean(hit1)), "top5": float(np.mean(hit5))}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--loss", default="triplet", choices=["triplet", "arcface"])
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--frozen", type=float, default=0.0)
    p.add_argument("--minutes", type=float, default=18.0)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--patience", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    torch.set_num_threads(2)
    gallery, queries, _ = split(load_dataset(args.data), "closed", args.seed)
    base = GlobalModelConfig()
    cfg = finetune.TrainConfig(
        loss=args.loss, image_size=args.size, frozen_fraction=args.frozen, lr=args.lr,
        max_epochs=args.epochs, patience=args.patience, max_seconds=args.minutes * 60,
        seed=args.seed,
    )  # fmt: skip
    examples = [finetune.Example(r.open(), r.identity, r.event or r.image_id) for r in gallery]
    started = time.monotonic()
    result = finetune.train(base, examples, cfg, "cpu")
    seconds = time.monotonic() - started
    before = _ranks(base, gallery, queries)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tuned.pth"
        finetune.save(result, str(path))
        after = _ranks(dataclasses.replace(base, checkpoint=str(path), image_size=args.size),
                       gallery, queries)  # fmt: skip
    val = [round(result.val_top1_before, 4), round(result.val_top1_after, 4)]
    row: dict[str, object] = {
        "data": Path(args.data).name, "gallery": len(gallery), "queries": len(queries),
        "train_config": dataclasses.asdict(cfg), "minutes": round(seconds / 60, 2),
        "epochs": result.epochs, "best_epoch": result.best_epoch,
        "val_top1": val,
        "before": before, "after": after,
    }  # fmt: skip
    print(f"{'':24}{'top-1':>8}{'top-5':>8}")
    for name, r in (("untouched", before), ("fine-tuned", after)):
        print(f"{name:24}{r['top1'] * 100:8.1f}{r['top5'] * 100:8.1f}")
    print(f"training {row['minutes']} min, {result.epochs} epochs (best {result.best_epoch}), "
          f"validation top-1 {val[0]:.3f} -> {val[1]:.3f}")  # fmt: skip
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
