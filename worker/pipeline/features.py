"""Per-image features: global embeddings plus ALIKED keypoints, extracted once and stored.

`FeatureExtractor(config).extract(images)` takes PIL images already cropped to the animal and
returns one `Features` each; `Features.to_bytes()` is a compact npz (no pickle) for the
database. Models load once per process through `get_extractor(config)`.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image

from worker.pipeline import networks
from worker.pipeline.config import GlobalModelConfig, PipelineConfig

_GLOBAL_PREFIX = "global__"


@dataclass
class Features:
    """What one image contributes to matching. Keypoints are in original-image pixels."""

    globals: dict[str, np.ndarray] = field(default_factory=dict)  # name -> float32 [D], L2=1
    keypoints: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.float16))
    descriptors: np.ndarray = field(default_factory=lambda: np.zeros((0, 128), np.float16))
    scores: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.float16))
    # (width, height) of what keypoints were found in: the image given to extract(), or its
    # focus. LightGlue scales keypoints by it; its attention sees only their relative places,
    # so a focus's keypoints, kept in the image's pixels, match as a crop's do.
    image_size: tuple[int, int] = (0, 0)

    def to_bytes(self) -> bytes:
        arrays: dict[str, np.ndarray] = {
            f"{_GLOBAL_PREFIX}{k}": v.astype(np.float32) for k, v in self.globals.items()
        }
        arrays.update(
            keypoints=self.keypoints.astype(np.float16),
            descriptors=self.descriptors.astype(np.float16),
            scores=self.scores.astype(np.float16),
            image_size=np.asarray(self.image_size, dtype=np.int32),
        )
        out = io.BytesIO()
        np.savez_compressed(out, allow_pickle=False, **arrays)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Features:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            globals_ = {
                k.removeprefix(_GLOBAL_PREFIX): npz[k]
                for k in npz.files
                if k.startswith(_GLOBAL_PREFIX)
            }
            return cls(
                globals=globals_,
                keypoints=npz["keypoints"],
                descriptors=npz["descriptors"],
                scores=npz["scores"],
                image_size=(int(npz["image_size"][0]), int(npz["image_size"][1])),
            )

    def only(self, keep: np.ndarray) -> Features:
        """These features with only the keypoints `keep` marks (the globals unchanged)."""
        return Features(
            globals=self.globals,
            keypoints=self.keypoints[keep],
            descriptors=self.descriptors[keep],
            scores=self.scores[keep],
            image_size=self.image_size,
        )


class GlobalEmbedder:
    """The configured global models, loaded once: L2-normalised embeddings per model name
    (mean over the test-time views). Alone, it re-embeds images after a model changed
    without running the keypoint extractor again."""

    def __init__(
        self, models: Sequence[GlobalModelConfig], device: str | torch.device | None = None
    ):
        self.device = networks.pick_device(device)
        self._models: list[tuple[GlobalModelConfig, torch.nn.Module, list[networks.Transform]]]
        self._models = []
        self.versions: dict[str, str] = {}
        for cfg in models:
            model, version = networks.create_global_model(cfg)
            model = model.to(self.device)
            self._models.append((cfg, model, networks.global_transforms(model, cfg)))
            self.versions[cfg.name] = version

    def embed(self, images: list[Image.Image]) -> dict[str, np.ndarray]:
        images = [im.convert("RGB") for im in images]
        return {
            cfg.name: embed_images(model, views, images, self.device, cfg.batch_size)
            for cfg, model, views in self._models
        }


@torch.inference_mode()
def embed_images(
    model: torch.nn.Module,
    views: Sequence[networks.Transform],
    images: Sequence[Image.Image],
    device: torch.device,
    batch_size: int,
) -> np.ndarray:
    """[N, D] float32 L2-normalised embeddings: the mean of each view's normalised embedding
    (test-time augmentation), then normalised again. The model runs as it is (eval mode is
    the caller's)."""
    out = []
    for start in range(0, len(images), batch_size):
        chunk = images[start : start + batch_size]
        total = None
        for view in views:
            batch = torch.stack([view(im) for im in chunk]).to(device)
            with networks.autocast(device):
                emb = model(batch).float()
            emb = torch.nn.functional.normalize(emb, dim=1)
            total = emb if total is None else total + emb
        assert total is not None, "a global model has at least one view"
        out.append(torch.nn.functional.normalize(total, dim=1).cpu().numpy())
    return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 0), np.float32)


class FeatureExtractor:
    """Loads the configured models once; `extract` is batched for the global models."""

    def __init__(self, config: PipelineConfig, device: str | torch.device | None = None):
        self.config = config
        self.device = networks.pick_device(device)
        self.globals = GlobalEmbedder(config.global_models, self.device)
        self.model_versions: dict[str, str] = dict(self.globals.versions)
        self._aliked = networks.create_aliked(
            config.aliked_model, config.aliked_max_keypoints, config.aliked_detection_threshold
        ).to(self.device)
        self.model_versions["aliked"] = config.aliked_model
        self.model_versions["lightglue"] = "aliked_lightglue"

    @torch.inference_mode()
    def _local(self, image: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        width, height = image.size
        scale = self.config.aliked_image_size / max(width, height)
        size = (max(8, round(width * scale)), max(8, round(height * scale)))
        resized = image.resize(size, Image.Resampling.BILINEAR)
        array = np.array(resized, dtype=np.float32) / 255.0
        tensor = torch.from_numpy(array).permute(2, 0, 1)[None].to(self.device)
        with networks.autocast(self.device):
            out = self._aliked({"image": tensor})
        kpts = out["keypoints"][0].float().cpu().numpy()
        desc = out["descriptors"][0].float().cpu().numpy()
        kscore = out["keypoint_scores"][0].float().cpu().numpy()
        order = np.argsort(-kscore, kind="stable")  # strongest first: caps are prefix slices
        kpts = kpts[order] * np.array([width / size[0], height / size[1]], dtype=np.float32)
        return kpts, desc[order], kscore[order]

    def extract(
        self,
        images: list[Image.Image],
        focus: Sequence[tuple[int, int, int, int] | None] | None = None,
    ) -> list[Features]:
        """Features of each image; where `focus` gives a box (left, top, right, bottom) for an
        image (a whole frame's focus, detection/scene.py), of that part of it only, its
        keypoints still in the image's pixels."""
        images = [im.convert("RGB") for im in images]
        boxes = list(focus) if focus is not None else [None] * len(images)
        views = [im if box is None else im.crop(box) for im, box in zip(images, boxes, strict=True)]
        embeddings = self.globals.embed(views)
        result = []
        for i, (view, box) in enumerate(zip(views, boxes, strict=True)):
            kpts, desc, kscore = self._local(view)
            if box is not None:
                kpts = kpts + np.array(box[:2], dtype=np.float32)
            result.append(
                Features(
                    globals={name: emb[i] for name, emb in embeddings.items()},
                    keypoints=kpts.astype(np.float16),
                    descriptors=desc.astype(np.float16),
                    scores=kscore.astype(np.float16),
                    image_size=view.size,
                )
            )
        return result


# Each project's fine-tuned global model is its own extraction setting: the least recently
# used extractors go, so a worker serving many projects does not keep every model loaded.
MAX_EXTRACTORS = 6
_cache: OrderedDict[tuple[str, str], FeatureExtractor] = OrderedDict()
_lock = threading.Lock()


def get_extractor(config: PipelineConfig, device: str | None = None) -> FeatureExtractor:
    """A process-wide extractor per (extraction settings, device): models load only once."""
    key = (config.config_key(), str(networks.pick_device(device)))
    with _lock:
        if key not in _cache:
            _cache[key] = FeatureExtractor(config, device)
            while len(_cache) > MAX_EXTRACTORS:
                _cache.popitem(last=False)
        _cache.move_to_end(key)
        return _cache[key]
