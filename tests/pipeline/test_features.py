import numpy as np
import pytest
import timm
import torch
from PIL import Image
from safetensors.torch import save_file

from tests.pipeline.patterns import view as pattern_image
from worker.pipeline import networks
from worker.pipeline.config import GlobalModelConfig
from worker.pipeline.features import Features


def test_features_round_trip_through_bytes(synthetic):
    original = synthetic["gallery_features"][0]
    again = Features.from_bytes(original.to_bytes())
    assert again.image_size == original.image_size
    assert set(again.globals) == set(original.globals)
    for name, emb in original.globals.items():
        np.testing.assert_array_equal(again.globals[name], emb)
    for field in ("keypoints", "descriptors", "scores"):
        np.testing.assert_array_equal(getattr(again, field), getattr(original, field))
        assert getattr(again, field).dtype == np.float16


def test_extracted_features_are_normalised_and_in_image_pixels(synthetic, small_config):
    for feats in synthetic["gallery_features"]:
        emb = feats.globals["global"]
        assert emb.dtype == np.float32
        assert abs(float(np.linalg.norm(emb)) - 1.0) < 1e-4
        assert 0 < len(feats.keypoints) <= small_config.aliked_max_keypoints
        width, height = feats.image_size
        assert (width, height) == (192, 192)
        assert feats.keypoints.min() >= 0
        assert feats.keypoints[:, 0].max() <= width and feats.keypoints[:, 1].max() <= height
        scores = feats.scores.astype(np.float32)
        assert np.all(np.diff(scores) <= 1e-3)  # strongest first, so caps are prefixes


def test_keypoints_are_mapped_back_to_original_pixels(extractor):
    # Both images are resized to the same extraction size, so the same keypoints come out,
    # and in original pixels those of the twice-as-large image are twice as far out.
    image = pattern_image(2, 0, size=128)
    small, large = extractor.extract([image, image.resize((256, 256), Image.Resampling.BICUBIC)])
    assert large.image_size == (256, 256)

    def share_near(a, b):  # share of points of a with a point of b within 3 px
        d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)
        return float((d.min(axis=1) < 3.0).mean())

    kq, kl = small.keypoints.astype(float), large.keypoints.astype(float)
    assert share_near(2 * kq, kl) > 0.5
    assert share_near(2 * kq, kl) > 2 * share_near(kq, kl)


def test_model_versions_name_every_model(extractor):
    versions = extractor.model_versions
    assert versions["global"].startswith("timm/efficientnet_lite0:")
    assert len(versions["global"].split(":")[1]) == 8
    assert versions["aliked"] == "aliked-n16"
    assert versions["lightglue"] == "aliked_lightglue"


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_timm_checkpoint_from_local_file_gives_saved_weights(tmp_path, suffix):
    torch.manual_seed(0)
    trained = timm.create_model("resnet10t", pretrained=False, num_classes=0).eval()
    path = tmp_path / f"weights{suffix}"
    state = {k: v.contiguous() for k, v in trained.state_dict().items()}
    if suffix == ".pth":
        torch.save({"state_dict": state}, path)  # wrapped, as training scripts save them
    else:
        save_file(state, str(path))
    cfg = GlobalModelConfig(name="g", model_name="resnet10t", checkpoint=str(path), tta="none")
    loaded, version = networks.create_global_model(cfg)
    assert version == f"timm/resnet10t:{networks.file_sha8(path)}"
    x = torch.rand(2, 3, 64, 64)
    with torch.inference_mode():
        np.testing.assert_allclose(loaded(x).numpy(), trained(x).numpy(), rtol=1e-5, atol=1e-5)
    # A fresh random model differs, so equality above is not vacuous.
    other = timm.create_model("resnet10t", pretrained=False, num_classes=0).eval()
    with torch.inference_mode():
        assert not np.allclose(other(x).numpy(), trained(x).numpy(), atol=1e-4)


def test_checkpoint_missing_tensors_is_an_error(tmp_path):
    model = timm.create_model("resnet10t", pretrained=False, num_classes=0)
    state = dict(list(model.state_dict().items())[:-4])
    path = tmp_path / "partial.pth"
    torch.save(state, path)
    cfg = GlobalModelConfig(model_name="resnet10t", checkpoint=str(path))
    with pytest.raises(RuntimeError, match="lacks"):
        networks.create_global_model(cfg)


def test_tta_views():
    model = timm.create_model("resnet10t", pretrained=False, num_classes=0)
    assert len(networks.global_transforms(model, GlobalModelConfig(tta="none"))) == 1
    assert len(networks.global_transforms(model, GlobalModelConfig(tta="flip"))) == 2
    views = networks.global_transforms(model, GlobalModelConfig(tta="fivecrop", image_size=96))
    image = Image.new("RGB", (200, 150), (10, 200, 30))
    assert len(views) == 5 and all(v(image).shape == (3, 96, 96) for v in views)
