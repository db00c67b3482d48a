"""Fine-tuning the global model on generated individuals (each a fixed coat, seen through
different crops, rotations and lighting) makes held-out views of them rank their own
individual first more often than the untouched model does, and the saved checkpoint loads
as a global model the way a project's would."""

import dataclasses

import numpy as np
import pytest

from identification.services.synthetic import pattern_image
from worker.pipeline import finetune
from worker.pipeline.config import GlobalModelConfig
from worker.pipeline.features import GlobalEmbedder

pytestmark = pytest.mark.reid

INDIVIDUALS, TRAIN_VIEWS, HELD_OUT_VIEWS, SIZE = 32, 5, 2, 64


def _top1(model: GlobalModelConfig, train, held_out) -> float:
    embedder = GlobalEmbedder([model], "cpu")
    gallery = embedder.embed([image for image, _ in train])["global"]
    queries = embedder.embed([image for image, _ in held_out])["global"]
    nearest = (queries @ gallery.T).argmax(axis=1)
    hits = [train[j][1] == label for j, (_, label) in zip(nearest, held_out, strict=True)]
    return float(np.mean(hits))


def test_fine_tuning_raises_top1_on_views_it_never_saw(tmp_path):
    train = [
        (pattern_image(a, v, size=SIZE), str(a))
        for a in range(INDIVIDUALS)
        for v in range(TRAIN_VIEWS)
    ]
    held_out = [
        (pattern_image(a, v, size=SIZE), str(a))
        for a in range(INDIVIDUALS)
        for v in range(TRAIN_VIEWS, TRAIN_VIEWS + HELD_OUT_VIEWS)
    ]
    base = GlobalModelConfig(image_size=SIZE, tta="none")
    # Tiny images and few steps an epoch: half the layers frozen, twenty short epochs.
    config = finetune.TrainConfig(
        image_size=SIZE, frozen_fraction=0.5, val_fraction=0.4, max_epochs=20, patience=20,
        seed=1,
    )  # fmt: skip
    examples = [
        finetune.Example(image, label, f"{k:03d}") for k, (image, label) in enumerate(train)
    ]

    result = finetune.train(base, examples, config, "cpu")
    path = tmp_path / "tuned.pth"
    finetune.save(result, str(path))
    tuned = dataclasses.replace(base, checkpoint=str(path))

    before, after = _top1(base, train, held_out), _top1(tuned, train, held_out)
    # Views no epoch was chosen on: more of them find their own individual first.
    assert after > before, (before, after, result.history)
    assert result.val_top1_after > result.val_top1_before
    # Each individual's two latest views were kept for validation, the rest trained on.
    latest = {k * TRAIN_VIEWS + TRAIN_VIEWS - v for k in range(INDIVIDUALS) for v in (1, 2)}
    assert set(result.trained_on) == set(range(len(train))) - latest
