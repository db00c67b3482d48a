"""The same examples and seed give the same fine-tuned weights (on a CPU), and another seed
does not: a project's model can be trained again and compared."""

import pytest
import torch

from identification.services.synthetic import pattern_image
from worker.pipeline import finetune
from worker.pipeline.config import GlobalModelConfig

pytestmark = pytest.mark.reid


def _train(seed: int) -> dict[str, torch.Tensor]:
    examples = [
        finetune.Example(pattern_image(a, v, size=48), str(a), f"{v}")
        for a in range(6)
        for v in range(4)
    ]
    config = finetune.TrainConfig(image_size=48, max_epochs=2, patience=2, seed=seed)
    # A best epoch is kept only when it beats the untouched model: compare the last weights.
    result = finetune.train(GlobalModelConfig(image_size=48, tta="none"), examples, config, "cpu",
                            keep_last=True)  # fmt: skip
    return result.state_dict


def test_the_same_seed_gives_the_same_weights_and_another_seed_others():
    first, again, other = _train(3), _train(3), _train(4)
    assert first.keys() == again.keys()
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert any(not torch.equal(first[k], other[k]) for k in first)
