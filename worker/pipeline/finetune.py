"""Fine-tuning a global descriptor on a project's confirmed individuals (metric learning).

The backbone is the project's timm model (the offline EfficientNet-Lite0 by default), all of
it trained or its input-side layers frozen (`frozen_fraction`); the loss is triplet with
batch-hard mining (the default, measured better) or ArcFace (its class centres start at each
individual's mean embedding, so the first steps refine rather than scramble the features),
on batches of P individuals × K images. Each individual's latest images (by the given
order: capture time, then id) are held out for validation; training stops early when their
mean reciprocal rank among the training individuals stops improving, or at the time
budget, and keeps the best epoch. The result is a plain timm state dict (no head), loadable as a
`GlobalModelConfig.checkpoint`. Deterministic under a seed on a CPU.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PIL import Image
from timm.data import resolve_data_config
from torch import nn
from torchvision import transforms as T

from worker.pipeline import networks
from worker.pipeline.config import GlobalModelConfig
from worker.pipeline.features import embed_images

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    # Measured on nyala-dev (docs/benchmarks.md): triplet batch-hard lifted the global top-1,
    # ArcFace from class-mean centres did not beat the untouched model within the budget.
    loss: str = "triplet"  # "triplet" | "arcface"
    image_size: int = 224
    # Fraction of the backbone's parameter tensors, from the input side, kept frozen.
    frozen_fraction: float = 0.0
    max_epochs: int = 30
    patience: int = 8  # epochs without a better validation MRR before stopping
    max_seconds: float = 18 * 60
    individuals_per_batch: int = 8  # P
    images_per_individual: int = 4  # K
    lr: float = 1e-3
    head_lr: float = 5e-3
    # "constant": the learning rate throughout (the default: on nyala-dev the cosine schedule
    # did not measurably beat it, docs/benchmarks.md); "cosine": a one-epoch linear warm-up,
    # then a cosine decay to 5 % over `max_epochs` (by epochs, not the clock, so a seed gives
    # the same weights on any machine).
    schedule: str = "constant"
    weight_decay: float = 1e-4
    arcface_scale: float = 30.0
    arcface_margin: float = 0.3
    triplet_margin: float = 0.2
    # Flank patterns differ left and right: a mirrored image is another pattern. Only a
    # project whose animals' sides look alike should allow it.
    symmetric: bool = False
    val_fraction: float = 0.2
    seed: int = 0


@dataclass(frozen=True)
class Example:
    image: Image.Image  # the crop of the animal
    label: str
    order: str = ""  # sorts an individual's images in time; the latest are validated on


@dataclass
class TrainResult:
    state_dict: dict[str, torch.Tensor]
    image_size: int
    loss: str
    val_top1_before: float
    val_top1_after: float
    epochs: int
    best_epoch: int
    seconds: float
    train_images: int
    val_images: int
    individuals: int
    # Indices (into the examples given) of the images trained on: calibration must not use them.
    trained_on: list[int] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.pop("state_dict")
        data.pop("trained_on")
        return data


def split_for_validation(
    examples: Sequence[Example], fraction: float
) -> tuple[list[int], list[int]]:
    """(train, validation) indices: each individual with 3+ images gives its latest
    ~`fraction` (at least one, leaving two to train on) to validation."""
    by_label: dict[str, list[int]] = {}
    for i, ex in enumerate(examples):
        by_label.setdefault(ex.label, []).append(i)
    train, val = [], []
    for members in by_label.values():
        members.sort(key=lambda i: (examples[i].order, i))
        n_val = min(len(members) - 2, max(1, round(len(members) * fraction)))
        n_val = max(0, n_val)
        cut = len(members) - n_val
        train += members[:cut]
        val += members[cut:]
    return sorted(train), sorted(val)


class ArcFace(nn.Module):
    """Additive angular margin: logits s·cos(θ + m) for the true class, s·cos θ otherwise."""

    def __init__(self, centres: torch.Tensor, scale: float, margin: float):
        super().__init__()
        self.weight = nn.Parameter(nn.functional.normalize(centres.clone(), dim=1))
        self.scale, self.margin = scale, margin

    def forward(self, embeddings: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        cos = (
            nn.functional.normalize(embeddings, dim=1)
            @ nn.functional.normalize(self.weight, dim=1).T
        )
        cos = cos.clamp(-1 + 1e-6, 1 - 1e-6)
        target = torch.cos(torch.acos(cos.gather(1, labels[:, None])) + self.margin)
        logits = cos.scatter(1, labels[:, None], target) * self.scale
        return nn.functional.cross_entropy(logits, labels)


def triplet_batch_hard(
    embeddings: torch.Tensor, labels: torch.Tensor, margin: float
) -> torch.Tensor:
    """Each anchor's farthest positive against its closest negative, in cosine distance."""
    emb = nn.functional.normalize(embeddings, dim=1)
    dist = 1 - emb @ emb.T
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool, device=labels.device)
    hardest_pos = dist.masked_fill(~same | eye, -1).max(dim=1).values
    hardest_neg = dist.masked_fill(same, 4).min(dim=1).values
    valid = (hardest_pos >= 0) & (hardest_neg < 4)
    if not valid.any():
        return emb.sum() * 0
    return nn.functional.relu(hardest_pos - hardest_neg + margin)[valid].mean()


def lr_factor(step: int, steps_per_epoch: int, cfg: TrainConfig) -> float:
    """The learning rate's multiplier at an optimiser step (see `TrainConfig.schedule`)."""
    if cfg.schedule == "constant":
        return 1.0
    warmup = max(1, steps_per_epoch)
    if step < warmup:
        return 0.1 + 0.9 * step / warmup
    total = max(warmup + 1, steps_per_epoch * cfg.max_epochs)
    progress = min(1.0, (step - warmup) / (total - warmup))
    return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))


def _freeze(model: nn.Module, fraction: float) -> None:
    params = list(model.parameters())
    frozen = set(map(id, params[: int(len(params) * fraction)]))
    for p in params:
        p.requires_grad = id(p) not in frozen


def _frozen_norms_to_eval(model: nn.Module) -> None:
    # Batch statistics of a frozen layer stay those it was trained with.
    for module in model.modules():
        frozen = not any(p.requires_grad for p in module.parameters())
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and frozen:
            module.eval()


View = Callable[[Image.Image], torch.Tensor]


def _transforms(model: nn.Module, cfg: TrainConfig) -> tuple[View, View]:
    data = resolve_data_config({"input_size": (3, cfg.image_size, cfg.image_size)}, model=model)
    normalise = [T.ToTensor(), T.Normalize(data["mean"], data["std"])]
    size = cfg.image_size
    augment = [
        T.RandomResizedCrop(size, scale=(0.6, 1.0), ratio=(0.75, 1.33)),
        T.RandomApply([T.RandomRotation(10)], p=0.5),
        T.ColorJitter(0.3, 0.3, 0.2, 0.02),
    ]
    if cfg.symmetric:
        augment.append(T.RandomHorizontalFlip())
    test = T.Compose([T.Resize(size), T.CenterCrop(size), *normalise])
    return T.Compose([*augment, *normalise]), test


def _shrunk(image: Image.Image, size: int) -> Image.Image:
    """Decoded once, a little larger than the training size (random crops zoom in)."""
    image = image.convert("RGB")
    scale = size * 1.15 / min(image.size)
    if scale < 1:
        image = image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
            Image.Resampling.BILINEAR,
        )
    return image


def _embed(model: nn.Module, images: Sequence[Image.Image], view: View, device: torch.device,
           batch: int = 32) -> torch.Tensor:  # fmt: skip
    """Test-view embeddings with the model in eval mode, put back in the mode it was in."""
    was_training = model.training
    model.eval()
    try:
        return torch.from_numpy(embed_images(model, [view], images, device, batch))
    finally:
        model.train(was_training)


def _validation(train_emb: torch.Tensor, train_labels: list[str], val_emb: torch.Tensor,
                val_labels: list[str]) -> tuple[float, float]:  # fmt: skip
    """(top-1, mean reciprocal rank) of the held-out images' individuals, each individual
    scored by its most similar training image, as the matcher ranks them. NaN without any.

    Early stopping follows the mean reciprocal rank: on a hundred held-out images top-1 moves
    by whole images, and one image more or less decided when training stopped."""
    if not len(val_labels):
        return float("nan"), float("nan")
    sims = val_emb @ train_emb.T
    names = sorted(set(train_labels))
    columns = [[j for j, n in enumerate(train_labels) if n == name] for name in names]
    best = torch.stack([sims[:, c].max(dim=1).values for c in columns], dim=1)
    order = torch.argsort(-best, dim=1).tolist()
    hits, reciprocal = [], []
    for ranked, label in zip(order, val_labels, strict=True):
        names_ranked = [names[k] for k in ranked]
        rank = names_ranked.index(label) + 1 if label in names_ranked else None
        hits.append(rank == 1)
        reciprocal.append(1 / rank if rank else 0.0)
    return float(np.mean(hits)), float(np.mean(reciprocal))


def _batches(labels: list[int], cfg: TrainConfig, rng: random.Random) -> list[list[int]]:
    """One epoch of P×K batches covering every training image about once."""
    by_label: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    pools = {k: rng.sample(v, len(v)) for k, v in by_label.items()}
    batches = []
    steps = max(1, math.ceil(len(labels) / (cfg.individuals_per_batch * cfg.images_per_individual)))
    classes = list(by_label)
    for _ in range(steps):
        batch = []
        for label in rng.sample(classes, min(cfg.individuals_per_batch, len(classes))):
            pool = pools[label]
            for _ in range(cfg.images_per_individual):
                if not pool:
                    pool.extend(rng.sample(by_label[label], len(by_label[label])))
                batch.append(pool.pop())
        batches.append(batch)
    return batches


def train(
    base: GlobalModelConfig,
    examples: Sequence[Example],
    cfg: TrainConfig | None = None,
    device: str | torch.device | None = None,
    progress: Callable[[dict[str, float]], None] | None = None,
    keep_last: bool = False,
) -> TrainResult:
    """Fine-tune `base` on the examples; see the module docstring. `keep_last` returns the
    last epoch's weights instead of the best one's (tests of determinism)."""
    cfg = cfg or TrainConfig()
    if cfg.loss not in ("arcface", "triplet"):
        raise ValueError(f"unknown loss {cfg.loss!r}: use arcface or triplet")
    if cfg.schedule not in ("cosine", "constant"):
        raise ValueError(f"unknown schedule {cfg.schedule!r}: use cosine or constant")
    started = time.monotonic()
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    dev = networks.pick_device(device)
    model, _ = networks.create_global_model(base)
    model = model.to(dev)
    train_idx, val_idx = split_for_validation(examples, cfg.val_fraction)
    names = sorted({examples[i].label for i in train_idx})
    if len(names) < 2:
        raise ValueError("training needs at least two individuals")
    index = {name: k for k, name in enumerate(names)}
    images = [_shrunk(ex.image, cfg.image_size) for ex in examples]
    train_images = [images[i] for i in train_idx]
    train_names = [examples[i].label for i in train_idx]
    val_images = [images[i] for i in val_idx]
    val_names = [examples[i].label for i in val_idx]
    labels = [index[n] for n in train_names]
    augment, test_view = _transforms(model, cfg)

    def validate() -> tuple[float, float]:
        return _validation(
            _embed(model, train_images, test_view, dev), train_names,
            _embed(model, val_images, test_view, dev), val_names,
        )  # fmt: skip

    train_emb = _embed(model, train_images, test_view, dev)
    before, before_mrr = _validation(
        train_emb, train_names, _embed(model, val_images, test_view, dev), val_names
    )
    head: nn.Module | None = None
    if cfg.loss == "arcface":
        centres = torch.zeros((len(names), train_emb.shape[1]))
        centres.index_add_(0, torch.tensor(labels), train_emb)
        head = ArcFace(centres, cfg.arcface_scale, cfg.arcface_margin).to(dev)
    _freeze(model, cfg.frozen_fraction)
    groups: list[dict[str, Any]] = [
        {"params": [p for p in model.parameters() if p.requires_grad], "lr": cfg.lr}
    ]
    if head is not None:
        groups.append({"params": list(head.parameters()), "lr": cfg.head_lr})
    optimiser = torch.optim.AdamW(groups, weight_decay=cfg.weight_decay)
    steps_per_epoch = len(_batches(labels, cfg, random.Random(0)))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: lr_factor(step, steps_per_epoch, cfg)
    )
    scaler = torch.amp.GradScaler("cuda", enabled=dev.type == "cuda")
    best, best_mrr, best_epoch = before, before_mrr, 0
    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    history: list[dict[str, float]] = []
    epoch = 0
    for epoch in range(1, cfg.max_epochs + 1):
        model.train()
        _frozen_norms_to_eval(model)
        losses = []
        for batch in _batches(labels, cfg, rng):
            x = torch.stack([augment(train_images[i]) for i in batch]).to(dev)
            y = torch.tensor([labels[i] for i in batch], device=dev)
            with networks.autocast(dev):
                emb = model(x).float()
            loss = (
                head(emb, y) if head is not None else triplet_batch_hard(emb, y, cfg.triplet_margin)
            )
            optimiser.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimiser)
            scaler.update()
            scheduler.step()
            losses.append(float(loss.detach()))
        top1, mrr = validate()
        row = {"epoch": epoch, "loss": float(np.mean(losses)), "val_top1": top1,
               "val_mrr": mrr, "seconds": time.monotonic() - started}  # fmt: skip
        history.append(row)
        log.info("fine-tune epoch %d: loss %.3f, val top-1 %.3f, MRR %.3f", epoch, row["loss"],
                 top1, mrr)  # fmt: skip
        if progress:
            progress(row)
        if mrr > best_mrr or keep_last:
            best, best_mrr, best_epoch = top1, mrr, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        per_epoch = (time.monotonic() - started) / (epoch + 1)
        if epoch - best_epoch >= cfg.patience:
            break
        if time.monotonic() - started + per_epoch > cfg.max_seconds:
            break
    return TrainResult(
        state_dict={k: v.cpu() for k, v in best_state.items()},
        image_size=cfg.image_size,
        loss=cfg.loss,
        val_top1_before=before,
        val_top1_after=best,
        epochs=epoch,
        best_epoch=best_epoch,
        seconds=time.monotonic() - started,
        train_images=len(train_idx),
        val_images=len(val_idx),
        individuals=len(names),
        trained_on=train_idx,
        history=history,
    )


def save(result: TrainResult, path: str) -> None:
    torch.save(result.state_dict, path)
