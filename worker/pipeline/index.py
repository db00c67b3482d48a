"""A faiss vector index that stays exact while small and turns approximate (IVF) when large.

Both shortlists use it: one vector per gallery image for global cosine search, and one vector
per gallery keypoint for LNBNN voting. IVF keeps search cost near O(sqrt N) (nlist ~ 4 sqrt N,
a fixed nprobe), supports removal by id, and is retrained only when the index has doubled
since the last training, so adds stay amortised O(1).
"""

from __future__ import annotations

import math

import faiss
import numpy as np


class VectorIndex:
    def __init__(self, dim: int, metric: str = "ip", exact_max: int = 20_000, nprobe: int = 16):
        if metric not in ("ip", "l2"):
            raise ValueError(metric)
        self.dim = dim
        self.metric = metric
        self.exact_max = exact_max
        self.nprobe = nprobe
        self._ids = np.zeros((0,), np.int64)  # kept so the IVF can be retrained from scratch
        # float16 copy: half the memory, and only used to retrain the IVF
        self._vectors = np.zeros((0, dim), np.float16)
        self._index: faiss.Index = self._flat()
        self._trained_size = 0

    def _flat(self) -> faiss.Index:
        flat = faiss.IndexFlatIP(self.dim) if self.metric == "ip" else faiss.IndexFlatL2(self.dim)
        return faiss.IndexIDMap2(flat)

    @property
    def approximate(self) -> bool:
        return self._trained_size > 0

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if not len(ids):
            return
        self._ids = np.concatenate([self._ids, ids])
        self._vectors = np.concatenate([self._vectors, vectors.astype(np.float16)])
        total = len(self._ids)
        if total > self.exact_max and (not self.approximate or total > 2 * self._trained_size):
            self._rebuild()
        else:
            self._index.add_with_ids(vectors, ids)

    def remove(self, ids: np.ndarray) -> None:
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if not len(ids):
            return
        self._index.remove_ids(faiss.IDSelectorBatch(ids))
        keep = ~np.isin(self._ids, ids)
        self._ids, self._vectors = self._ids[keep], self._vectors[keep]

    def _rebuild(self) -> None:
        total = len(self._ids)
        if total <= self.exact_max:
            self._index, self._trained_size = self._flat(), 0
        else:
            nlist = int(min(65536, max(16, 4 * math.sqrt(total))))
            metric = faiss.METRIC_INNER_PRODUCT if self.metric == "ip" else faiss.METRIC_L2
            quantizer = (
                faiss.IndexFlatIP(self.dim) if self.metric == "ip" else faiss.IndexFlatL2(self.dim)
            )
            # fp16 scalar quantiser: half the memory of IVFFlat, no visible loss for unit vectors
            index = faiss.IndexIVFScalarQuantizer(
                quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_fp16, metric
            )
            # 40 points per centroid is what faiss asks for; more only slows training.
            sample = min(total, nlist * 40)
            rng = np.random.default_rng(0)
            rows = rng.choice(total, sample, replace=False) if sample < total else slice(None)
            index.train(self._vectors[rows].astype(np.float32))
            index.nprobe = self.nprobe
            self._index, self._trained_size = index, total
        for start in range(0, total, 1 << 18):  # chunks: no full float32 copy at once
            chunk = slice(start, start + (1 << 18))
            self._index.add_with_ids(self._vectors[chunk].astype(np.float32), self._ids[chunk])

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores or squared distances [Q, k], ids [Q, k]); missing neighbours have id -1."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = max(1, min(k, len(self)))
        if not len(self):
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        return self._index.search(queries, k)
