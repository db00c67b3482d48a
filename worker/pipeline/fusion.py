"""WildFusion: calibrated global and local similarities, averaged, best image per individual.

`WildFusion(config, calibrations).rank(query, gallery)` shortlists (global + keypoint voting),
re-scores the shortlist with every matcher (LightGlue only the images with the most mutual
descriptor matches; the others count 0 LightGlue matches), maps each raw score through its
calibration to P(same individual), fuses by the mean, and reports the top individuals with P(new) =
1 - best fused score. `score_images` scores a query against given gallery images only, and
`merge_candidates` folds such scores into stored candidates (best over images per individual).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from worker.pipeline.calibration import (
    IsotonicCalibration,
    calibration_hash,
    default_calibrations,
    fuse,
)
from worker.pipeline.config import LOCAL_MATCHER, PipelineConfig
from worker.pipeline.features import Features
from worker.pipeline.gallery import Gallery
from worker.pipeline.matching import PairMatch, get_matcher, mutual_matches

log = logging.getLogger(__name__)


@dataclass
class ImageScore:
    """A query scored against one gallery image."""

    gallery_id: int
    label: str
    score: float  # fused probability, mean of the calibrated matcher probabilities
    scores: dict[str, dict[str, float]]  # matcher -> {"raw": float, "calibrated": float}
    correspondences: list[list[float]] = field(default_factory=list)


@dataclass
class IndividualScore:
    """An individual's candidacy: its best gallery image's fused score and evidence."""

    label: str
    score: float
    gallery_id: int | None  # None: a stored candidate whose gallery image was deleted
    scores: dict[str, dict[str, float]]
    correspondences: list[list[float]] = field(default_factory=list)


@dataclass
class RankResult:
    candidates: list[IndividualScore]
    p_new: float  # 1 - the best individual's fused P(same); the project's threshold decides
    versions: dict[str, str]


def merge_candidates(
    existing: Iterable[IndividualScore], new_image_scores: Iterable[ImageScore | IndividualScore]
) -> list[IndividualScore]:
    """Best score per individual over old candidates and new image scores, best first.

    An individual keeps the evidence (gallery image, matcher scores, correspondences) of
    whichever image scored highest.
    """
    best: dict[str, IndividualScore] = {}
    for item in [*existing, *new_image_scores]:
        candidate = IndividualScore(
            label=item.label,
            score=float(item.score),
            gallery_id=item.gallery_id,
            scores=item.scores,
            correspondences=item.correspondences,
        )
        current = best.get(candidate.label)
        if current is None or candidate.score > current.score:
            best[candidate.label] = candidate
    return sorted(best.values(), key=lambda c: (-c.score, c.label))


class WildFusion:
    """Calibrated fusion of the configured global models and the ALIKED+LightGlue matcher."""

    def __init__(
        self,
        config: PipelineConfig | None = None,
        calibrations: Mapping[str, IsotonicCalibration] | None = None,
        device: str | None = None,
        model_versions: Mapping[str, str] | None = None,
    ):
        self.config = config or PipelineConfig()
        self.device = device
        cals = dict(default_calibrations() if calibrations is None else calibrations)
        for name in self.config.matcher_names:
            if name not in cals:
                # A newly configured global model has no calibration until the project refits
                # from its pairs; the offline model's cosine calibration is a rough stand-in.
                fallback = cals.get("global") or default_calibrations()["global"]
                log.warning("no calibration for matcher %r: using the default global one", name)
                cals[name] = fallback
        self.calibrations = cals
        if model_versions is None:
            # The worker has these models loaded already (the extractor is cached per process).
            from worker.pipeline.features import get_extractor

            model_versions = get_extractor(self.config, device).model_versions
        self.versions = dict(model_versions)
        self.versions.setdefault("lightglue", "aliked_lightglue")
        self.versions.setdefault("aliked", self.config.aliked_model)
        self.versions["calibration"] = calibration_hash(
            {n: cals[n] for n in self.config.matcher_names}
        )

    def raw_scores(
        self, query: Features, gallery_items: Sequence[tuple[int, str, Features]]
    ) -> list[tuple[dict[str, float], list[list[float]]]]:
        """Uncalibrated score of every matcher, plus LightGlue correspondences, per image."""
        out: list[tuple[dict[str, float], list[list[float]]]] = [({}, []) for _ in gallery_items]
        for model in self.config.global_models:
            q = query.globals.get(model.name)
            for (_, _, feats), (raw, _) in zip(gallery_items, out, strict=True):
                g = feats.globals.get(model.name)
                if q is not None and g is not None:
                    raw[model.name] = float(np.dot(q.astype(np.float32), g.astype(np.float32)))
        feats_list = [feats for _, _, feats in gallery_items]
        chosen = self.lightglue_choice(query, feats_list, out)
        found = get_matcher(self.config, self.device).match(query, [feats_list[i] for i in chosen])
        matched = dict(zip(chosen, found, strict=True))
        for i, (raw, corr) in enumerate(out):
            pair = matched.get(i, PairMatch(0.0, []))
            raw[LOCAL_MATCHER] = pair.score
            corr.extend(pair.correspondences)
        return out

    def lightglue_choice(
        self,
        query: Features,
        feats: list[Features],
        raws: list[tuple[dict[str, float], list[list[float]]]],
    ) -> list[int]:
        """Indices of the images LightGlue re-ranks: the `lightglue_k` with the most mutual
        ratio-test matches (ties: the first global model's similarity)."""
        k = self.config.lightglue_k
        if len(feats) <= k:
            return list(range(len(feats)))
        counts = mutual_matches(
            query, feats, self.config.lightglue_max_keypoints, self.config.prerank_ratio
        )
        first = self.config.global_models[0].name if self.config.global_models else None
        ties = [raw.get(first, 0.0) if first is not None else 0.0 for raw, _ in raws]
        order = sorted(range(len(feats)), key=lambda i: (-counts[i], -ties[i], i))
        return sorted(order[:k])

    def calibrate(self, raw: Mapping[str, float]) -> tuple[float, dict[str, dict[str, float]]]:
        """(fused probability, per-matcher raw and calibrated scores)."""
        return fuse(self.calibrations, raw)

    def score_images(
        self, query: Features, gallery_items: Sequence[tuple[int, str, Features]]
    ) -> list[ImageScore]:
        """Score the query against exactly these gallery images (no shortlist), best first."""
        results = []
        for (gid, label, _), (raw, corr) in zip(
            gallery_items, self.raw_scores(query, gallery_items), strict=True
        ):
            fused, detail = self.calibrate(raw)
            results.append(ImageScore(int(gid), str(label), fused, detail, corr))
        return sorted(results, key=lambda s: -s.score)

    def rank(self, query: Features, gallery: Gallery, top_n: int = 5) -> RankResult:
        ids = gallery.shortlist(query)
        items = [(i, gallery.label(i), gallery.features(i)) for i in ids]
        candidates = merge_candidates([], self.score_images(query, items))
        best = candidates[0].score if candidates else 0.0
        p_new = 1.0 - best
        return RankResult(
            candidates=candidates[:top_n],
            p_new=p_new,
            versions=dict(self.versions),
        )
