"""`evaluate --finetune`: fine-tune the global model on the gallery as the app does, then
swap the gallery's and queries' global embeddings for the tuned model's (keypoints stay)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from worker.pipeline import finetune
from worker.pipeline.config import PipelineConfig
from worker.pipeline.data import Record
from worker.pipeline.features import Features, GlobalEmbedder


def tune(
    config: PipelineConfig,
    gallery: Sequence[Record],
    train_config: finetune.TrainConfig,
    cache_dir: Path | None,
    device: str | None,
) -> tuple[PipelineConfig, finetune.TrainResult, Path]:
    """Train on the gallery records; the config with the tuned checkpoint, the result and
    where the checkpoint was written (named by its content, so feature caches stay true)."""
    examples = [
        finetune.Example(r.open_global(), r.identity, r.event or r.image_id) for r in gallery
    ]
    result = finetune.train(config.global_models[0], examples, train_config, device, _report)
    buffer = io.BytesIO()
    torch.save(result.state_dict, buffer)
    digest = hashlib.sha256(buffer.getvalue()).hexdigest()[:12]
    folder = (cache_dir or Path(tempfile.gettempdir())) / "finetuned"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.pth"
    path.write_bytes(buffer.getvalue())
    (folder / f"{digest}.json").write_text(json.dumps(result.summary(), indent=2))
    tuned = dataclasses.replace(
        config.global_models[0], checkpoint=str(path), image_size=result.image_size
    )
    return (
        dataclasses.replace(config, global_models=(tuned, *config.global_models[1:])),
        result,
        path,
    )


def _report(row: dict[str, float]) -> None:
    print(
        f"  fine-tune epoch {row['epoch']:.0f}: loss {row['loss']:.3f}, validation top-1 "
        f"{row['val_top1']:.3f}, {row['seconds'] / 60:.1f} min",
        file=sys.stderr,
        flush=True,
    )


def reembed(
    config: PipelineConfig,
    records: Sequence[Record],
    feats: dict[str, Features],
    device: str | None,
    batch: int = 64,
) -> tuple[dict[str, Features], dict[str, str]]:
    """The records' features with global embeddings from `config`'s models; the versions."""
    embedder = GlobalEmbedder(config.global_models, device)
    out = dict(feats)
    for start in range(0, len(records), batch):
        chunk = records[start : start + batch]
        embeddings = embedder.embed([r.open_global() for r in chunk])
        for i, rec in enumerate(chunk):
            old = feats[rec.image_id]
            out[rec.image_id] = dataclasses.replace(
                old, globals={name: emb[i] for name, emb in embeddings.items()}
            )
    return out, embedder.versions


def summary(result: finetune.TrainResult, path: Path, cfg: finetune.TrainConfig) -> dict[str, Any]:
    return {**result.summary(), "checkpoint": str(path), "train_config": dataclasses.asdict(cfg)}
