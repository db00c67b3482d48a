"""Under the cosine schedule, fine-tuning starts gently (a pretrained backbone's features are
not scrambled by the first batches), runs at the configured rate, and ends low, by epochs
rather than the clock, so a seed gives the same weights on a fast machine and a slow one; the
default keeps the configured rate."""

from worker.pipeline import finetune


def test_the_rate_warms_up_over_one_epoch_then_decays_to_a_twentieth():
    cfg = finetune.TrainConfig(schedule="cosine", max_epochs=10)
    steps = 20
    factors = [finetune.lr_factor(step, steps, cfg) for step in range(steps * 12)]
    assert factors[0] == 0.1
    assert factors[:steps] == sorted(factors[:steps])  # warming up
    assert factors[steps] == 1.0
    after = factors[steps:]
    assert after == sorted(after, reverse=True)  # decaying
    halfway = steps + (steps * 10 - steps) // 2
    assert 0.5 < factors[halfway] < 0.55  # (1 + 0.05) / 2
    assert factors[steps * 10] == factors[-1] == 0.05  # then held at the floor


def test_the_default_schedule_keeps_the_configured_rate():
    cfg = finetune.TrainConfig()
    assert {finetune.lr_factor(step, 7, cfg) for step in range(100)} == {1.0}
