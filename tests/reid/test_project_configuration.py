import pytest

from worker.pipeline.config import PipelineConfig
from worker.reid import store

pytestmark = pytest.mark.django_db


def test_site_model_setting_and_project_overrides_reach_the_pipeline(project, settings, tmp_path):
    weights = tmp_path / "megadescriptor.pth"
    weights.write_bytes(b"not read here")
    settings.REIDSITE_GLOBAL_MODEL = "hf-hub:BVRA/MegaDescriptor-L-384"
    settings.REIDSITE_GLOBAL_CHECKPOINT = str(weights)
    project.reid_config = {"shortlist_global_k": 40, "aliked_max_keypoints": 512}
    project.save()

    config = store.project_config(project)

    assert config.global_models[0].model_name == "hf-hub:BVRA/MegaDescriptor-L-384"
    assert config.global_models[0].checkpoint == str(weights)
    assert config.shortlist_global_k == 40 and config.aliked_max_keypoints == 512
    assert config.config_key() != PipelineConfig().config_key()


def test_without_settings_the_offline_default_is_used(project):
    config = store.project_config(project)
    assert config.config_key() == PipelineConfig().config_key()


def test_a_typo_in_a_project_setting_is_an_error_not_a_silent_default(project):
    project.reid_config = {"shortlist_k": 40}
    with pytest.raises(ValueError, match="shortlist_k"):
        store.project_config(project)
