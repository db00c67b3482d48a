import pytest

from worker.pipeline.config import GlobalModelConfig, PipelineConfig


def test_defaults_round_trip_through_dict():
    config = PipelineConfig()
    again = PipelineConfig.from_dict(config.to_dict())
    assert again == config
    assert again.config_key() == config.config_key()


@pytest.mark.parametrize(
    "override",
    [
        {"aliked_image_size": 768},
        {"aliked_max_keypoints": 2048},
        {"aliked_model": "aliked-n32"},
        {"global_models": [{"model_name": "efficientnet_lite0", "tta": "none"}]},
        {"global_models": [{}, {"name": "eva", "model_name": "eva02_tiny_patch14_224"}]},
    ],
)
def test_config_key_changes_with_extraction_settings(override):
    assert PipelineConfig.from_dict(override).config_key() != PipelineConfig().config_key()


@pytest.mark.parametrize(
    "override",
    [{"shortlist_global_k": 50}, {"lightglue_k": 4}, {"match_confidence": 0.2}],
)
def test_config_key_ignores_matching_settings(override):
    assert PipelineConfig.from_dict(override).config_key() == PipelineConfig().config_key()


def test_unknown_settings_are_rejected():
    with pytest.raises(ValueError, match="unknown"):
        PipelineConfig.from_dict({"shortlist_k": 5})
    with pytest.raises(ValueError, match="unknown"):
        PipelineConfig.from_dict({"global_models": [{"modelname": "x"}]})
    with pytest.raises(ValueError):
        GlobalModelConfig(tta="tencrop")


def test_third_descriptor_joins_matchers_by_configuration():
    config = PipelineConfig.from_dict(
        {"global_models": [{}, {"name": "eva", "model_name": "eva02_tiny_patch14_224"}]}
    )
    assert config.matcher_names == ["global", "eva", "aliked"]
