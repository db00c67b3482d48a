"""The gallery: known sightings (id, individual label, Features) and the two shortlists.

Global shortlist: cosine nearest neighbours of the query embedding (one index per global
model). Keypoint shortlist: every gallery keypoint sits in one index; each query keypoint votes
for the images of its k nearest keypoints with HotSpotter's LNBNN weight, the distance to the
(k+1)-th neighbour minus the distance to that neighbour, so distinctive matches count and
repetitive texture (close to many images alike) does not. The shortlist is the union, since the
global model alone often misses the right individual.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from worker.pipeline.config import PipelineConfig
from worker.pipeline.features import Features
from worker.pipeline.index import VectorIndex

_KP_BITS = 12  # keypoint vector id = item id << 12 | keypoint index


class Gallery:
    def __init__(self, config: PipelineConfig | None = None):
        self.config = config or PipelineConfig()
        self.items: dict[int, tuple[str, Features]] = {}
        self._global: dict[str, VectorIndex] = {}
        self._keypoints: VectorIndex | None = None
        self._kp_ids: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, item_id: int) -> bool:
        return item_id in self.items

    def label(self, item_id: int) -> str:
        return self.items[item_id][0]

    def features(self, item_id: int) -> Features:
        return self.items[item_id][1]

    def add(self, ids: Iterable[int], labels: Iterable[str], features: Iterable[Features]) -> None:
        ids, labels, features = list(ids), list(labels), list(features)
        if not (len(ids) == len(labels) == len(features)):
            raise ValueError("ids, labels and features must have the same length")
        replaced = [i for i in ids if i in self.items]
        if replaced:
            self.remove(replaced)
        cfg = self.config
        for name in {n for f in features for n in f.globals}:
            have = [(i, f.globals[name]) for i, f in zip(ids, features, strict=True)]
            have = [(i, v) for i, v in have if v is not None]
            if name not in self._global:
                dim = len(have[0][1])
                self._global[name] = VectorIndex(dim, "ip", exact_max=cfg.exact_index_max)
            self._global[name].add(np.array([i for i, _ in have]), np.stack([v for _, v in have]))
        kp_ids, kp_vecs = [], []
        for item_id, feats in zip(ids, features, strict=True):
            if not 0 <= item_id < (1 << (62 - _KP_BITS)):
                raise ValueError(f"gallery ids must be non-negative and < 2**50, got {item_id}")
            n = min(len(feats.descriptors), cfg.vote_gallery_keypoints, 1 << _KP_BITS)
            item_kp = (item_id << _KP_BITS) + np.arange(n, dtype=np.int64)
            self._kp_ids[item_id] = item_kp
            kp_ids.append(item_kp)
            kp_vecs.append(feats.descriptors[:n].astype(np.float32))
        for item_id, label, feats in zip(ids, labels, features, strict=True):
            self.items[item_id] = (str(label), feats)
        if kp_ids and sum(len(k) for k in kp_ids):
            if self._keypoints is None:
                dim = next(v.shape[1] for v in kp_vecs if len(v))
                self._keypoints = VectorIndex(dim, "l2", exact_max=cfg.exact_keypoint_index_max)
            self._keypoints.add(np.concatenate(kp_ids), np.concatenate(kp_vecs))

    def remove(self, ids: Iterable[int]) -> None:
        ids = [i for i in ids if i in self.items]
        if not ids:
            return
        for index in self._global.values():
            index.remove(np.array(ids))
        if self._keypoints is not None:
            self._keypoints.remove(np.concatenate([self._kp_ids.pop(i) for i in ids]))
        for i in ids:
            del self.items[i]

    def global_shortlist(self, query: Features, k: int) -> dict[int, float]:
        """Best cosine similarity per gallery id over the global models, top-k per model."""
        found: dict[int, float] = {}
        for name, index in self._global.items():
            if name not in query.globals or not len(index):
                continue
            sims, ids = index.search(query.globals[name][None], k)
            for sim, item_id in zip(sims[0], ids[0], strict=True):
                if item_id >= 0:
                    found[int(item_id)] = max(found.get(int(item_id), -1.0), float(sim))
        return found

    def keypoint_votes(self, query: Features, k: int | None = None) -> dict[int, float]:
        """LNBNN vote total per gallery id (only ids that got a vote), best first."""
        if self._keypoints is None or not len(self._keypoints) or not len(query.descriptors):
            return {}
        nn = self.config.vote_neighbors
        desc = query.descriptors[: self.config.vote_query_keypoints].astype(np.float32)
        dist2, kp_ids = self._keypoints.search(desc, nn + 1)
        if kp_ids.shape[1] < 2:
            return {}
        dist = np.sqrt(np.maximum(dist2, 0.0))
        # Vectorised over all query keypoints: the (k+1)-th valid neighbour of each row is its
        # normaliser; each of the k nearer ones votes norm - distance for its image, at most
        # once per (query keypoint, image), so one image's repeated texture counts once.
        valid = kp_ids >= 0
        n_valid = valid.sum(1)
        rows = np.flatnonzero(n_valid >= 2)
        if not len(rows):
            return {}
        norm = dist[rows, n_valid[rows] - 1]
        cols = np.arange(kp_ids.shape[1])[None, :]
        voter = cols < (n_valid[rows] - 1)[:, None]  # the valid neighbours before the normaliser
        r_idx = np.broadcast_to(np.arange(len(rows))[:, None], voter.shape)[voter]
        images = (kp_ids[rows] >> _KP_BITS)[voter]
        weights = (norm[:, None] - dist[rows])[voter]
        pairs, inverse = np.unique(np.stack([r_idx, images], 1), axis=0, return_inverse=True)
        best = np.zeros(len(pairs))
        np.maximum.at(best, inverse.ravel(), weights)
        image_ids, per_image = np.unique(pairs[:, 1], return_inverse=True)
        totals = np.zeros(len(image_ids))
        np.add.at(totals, per_image.ravel(), best)
        votes = {int(i): float(v) for i, v in zip(image_ids, totals, strict=True)}
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        if k is not None:
            ranked = ranked[:k]
        return dict(ranked)

    def shortlist(self, query: Features, k: int | None = None) -> list[int]:
        """Union of the global top-k and the keypoint-voting top-k gallery ids."""
        k_global = k or self.config.shortlist_global_k
        k_vote = k or self.config.shortlist_keypoint_k
        ranked_global = sorted(self.global_shortlist(query, k_global).items(), key=lambda x: -x[1])
        ids = [i for i, _ in ranked_global]
        seen = set(ids)
        return ids + [i for i in self.keypoint_votes(query, k_vote) if i not in seen]
