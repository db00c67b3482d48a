"""`evaluate --finetune` applies the app's deployment rule: a tuned model that does not rank
the gallery's held-out images better is not used, and the untouched model is evaluated."""

import json

from tests.pipeline.conftest import SMALL
from tests.pipeline.test_evaluate import dataset  # noqa: F401 - the shared tiny dataset
from worker.pipeline import evaluate


def _run(data, out, cache, *extra: str) -> dict:
    evaluate.main([
        "--data", str(data), "--protocol", "closed", "--out", str(out),
        "--config", json.dumps(SMALL), "--cache-dir", str(cache),
        "--calibration-queries", "4", "--device", "cpu", *extra,
    ])  # fmt: skip
    return json.loads(out.read_text())


def test_a_tuned_model_without_held_out_proof_is_not_used(dataset, tmp_path):  # noqa: F811
    cache = tmp_path / "cache"
    untouched = _run(dataset, tmp_path / "a.json", cache)
    # Two gallery images per individual: none can be held out, so nothing proves the tuned
    # model better, however its one epoch went.
    tuned = _run(dataset, tmp_path / "b.json", cache, "--finetune", "--finetune-minutes", "0")

    assert tuned["meta"]["finetune"]["deployed"] is False
    assert tuned["meta"]["finetune"]["val_images"] == 0
    assert tuned["meta"]["finetune"]["epochs"] == 1
    assert tuned["global"] == untouched["global"]
    assert tuned["fused"]["top1"] == untouched["fused"]["top1"]
