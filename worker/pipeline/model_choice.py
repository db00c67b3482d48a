"""Which global model to use after a fine-tuning: one rule for the app (services/global_models)
and the evaluation (`evaluate --finetune`), so the benchmark measures what the app deploys.
Kept apart from finetune.py so the web process can apply it without importing torch."""

from __future__ import annotations

import math


def is_better(top1_current: float | None, top1_trained: float | None) -> bool:
    """Strictly better on the held-out images; no held-out images (None, NaN) prove nothing."""
    if top1_trained is None or top1_current is None:
        return False
    if math.isnan(top1_trained) or math.isnan(top1_current):
        return False
    return top1_trained > top1_current
