"""Local matcher: LightGlue on stored ALIKED keypoints of a query and a list of gallery images.

The raw score of a pair is the number of LightGlue matches above `match_confidence`. Pairs whose
keypoint counts are equal (the default top-k extraction makes them so) can run batched, but
point pruning (the default) runs them one at a time. `mutual_matches` is the cheap count that
picks which shortlisted images LightGlue looks at.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import torch

from worker.pipeline import networks
from worker.pipeline.config import PipelineConfig
from worker.pipeline.features import Features


@dataclass
class PairMatch:
    score: float  # matches above match_confidence
    correspondences: list[list[float]]  # [xq, yq, xg, yg, conf], original pixels, best first


def mutual_matches(
    query: Features, gallery: list[Features], max_keypoints: int = 512, ratio: float = 0.8
) -> np.ndarray:
    """Mutual nearest-neighbour descriptor matches passing Lowe's ratio test, per gallery image.

    A plain matrix product per pair (~1-2 ms for 512 x 512 keypoints): cheap enough for every
    shortlisted image, and on re-ID data a better guide to which images deserve LightGlue than
    either shortlist's own order.
    """
    counts = np.zeros(len(gallery), dtype=np.float64)
    q = query.descriptors[:max_keypoints].astype(np.float32)
    if len(q) < 2:
        return counts
    q_sq = (q * q).sum(1)
    for k, feats in enumerate(gallery):
        g = feats.descriptors[:max_keypoints].astype(np.float32)
        if len(g) < 2:
            continue
        dist2 = q_sq[:, None] + (g * g).sum(1)[None, :] - 2.0 * (q @ g.T)
        nearest = dist2.argmin(1)
        mutual = dist2.argmin(0)[nearest] == np.arange(len(q))
        two = np.partition(dist2, 1, axis=1)[:, :2]
        d = np.sqrt(np.maximum(two, 0.0))
        passes = d[:, 0] < ratio * np.maximum(d[:, 1], 1e-9)
        counts[k] = float((mutual & passes).sum())
    return counts


class LightGlueMatcher:
    def __init__(self, config: PipelineConfig, device: str | torch.device | None = None):
        self.config = config
        self.device = networks.pick_device(device)
        self.model = networks.create_lightglue(
            config.lightglue_filter_threshold,
            config.lightglue_depth_confidence,
            config.lightglue_width_confidence,
        ).to(self.device)

    def _side(self, feats: list[Features]) -> dict[str, torch.Tensor]:
        n = self.config.lightglue_max_keypoints
        kpts = np.stack([f.keypoints[:n].astype(np.float32) for f in feats])
        desc = np.stack([f.descriptors[:n].astype(np.float32) for f in feats])
        size = np.array([f.image_size for f in feats], dtype=np.float32)
        return {
            "keypoints": torch.from_numpy(kpts).to(self.device),
            "descriptors": torch.from_numpy(desc).to(self.device),
            "image_size": torch.from_numpy(size).to(self.device),
        }

    @torch.inference_mode()
    def _run(self, query: Features, gallery: list[Features]) -> list[PairMatch]:
        data0 = self._side([query] * len(gallery))
        data1 = self._side(gallery)
        with networks.autocast(self.device):
            out = self.model({"image0": data0, "image1": data1})
        results = []
        qk = data0["keypoints"][0].cpu().numpy()
        for b in range(len(gallery)):
            matches = out["matches"][b].cpu().numpy()
            conf = out["scores"][b].float().cpu().numpy()
            order = np.argsort(-conf, kind="stable")
            matches, conf = matches[order], conf[order]
            gk = data1["keypoints"][b].cpu().numpy()
            score = float((conf >= self.config.match_confidence).sum())
            top = self.config.max_correspondences
            corr = [
                [*map(float, qk[i]), *map(float, gk[j]), float(c)]
                for (i, j), c in zip(matches[:top], conf[:top], strict=True)
            ]
            results.append(PairMatch(score, corr))
        return results

    def match(self, query: Features, gallery: list[Features]) -> list[PairMatch]:
        """One PairMatch per gallery image, in order."""
        n = self.config.lightglue_max_keypoints
        results: list[PairMatch | None] = [None] * len(gallery)
        if len(query.keypoints) == 0:
            return [PairMatch(0.0, []) for _ in gallery]
        groups: dict[int, list[int]] = {}
        for i, feats in enumerate(gallery):
            count = min(len(feats.keypoints), n)
            if count == 0:
                results[i] = PairMatch(0.0, [])
            else:
                groups.setdefault(count, []).append(i)
        batch = max(1, self.config.lightglue_batch_size)
        for members in groups.values():
            for start in range(0, len(members), batch):
                chunk = members[start : start + batch]
                found = self._run(query, [gallery[i] for i in chunk])
                for i, res in zip(chunk, found, strict=True):
                    results[i] = res
        return results  # type: ignore[return-value]


_cache: dict[tuple[object, ...], LightGlueMatcher] = {}
_lock = threading.Lock()


def get_matcher(config: PipelineConfig, device: str | None = None) -> LightGlueMatcher:
    """Process-wide LightGlue per (matching settings, device)."""
    key = (
        config.lightglue_max_keypoints,
        config.lightglue_filter_threshold,
        config.match_confidence,
        config.lightglue_depth_confidence,
        config.lightglue_width_confidence,
        config.lightglue_batch_size,
        config.max_correspondences,
        str(networks.pick_device(device)),
    )
    with _lock:
        if key not in _cache:
            _cache[key] = LightGlueMatcher(config, device)
        return _cache[key]
