"""A 2-D map of global embeddings (t-SNE), for the matcher page: images of one individual
should sit together, and fine-tuning should pull them closer."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE


def layout(vectors: np.ndarray, seed: int = 0) -> np.ndarray:
    """[N, 2] positions in 0..1 (cosine geometry: the vectors are L2-normalised first).

    PCA to at most 50 dimensions first (t-SNE's usual preprocessing); fewer than four points
    are placed on a line, where t-SNE has nothing to fit.
    """
    n = len(vectors)
    if n == 0:
        return np.zeros((0, 2), np.float32)
    if n < 4:
        return np.array([[(i + 1) / (n + 1), 0.5] for i in range(n)], np.float32)
    x = vectors.astype(np.float64)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    x = PCA(n_components=min(50, n - 1, x.shape[1]), random_state=seed).fit_transform(x)
    perplexity = float(min(30.0, max(2.0, (n - 1) / 3)))
    points = TSNE(
        n_components=2, perplexity=perplexity, init="pca", random_state=seed, max_iter=750
    ).fit_transform(x)
    low, high = points.min(axis=0), points.max(axis=0)
    scaled: np.ndarray = ((points - low) / np.maximum(high - low, 1e-12)).astype(np.float32)
    return scaled


def separation(vectors: np.ndarray, labels: list[str]) -> float:
    """Mean cosine similarity to the same individual's other images minus the mean to other
    individuals' images (higher: individuals better apart); NaN without a pair."""
    x = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sim = x @ x.T
    same = np.array(labels)[:, None] == np.array(labels)[None, :]
    np.fill_diagonal(same, False)
    other = np.array(labels)[:, None] != np.array(labels)[None, :]
    if not same.any() or not other.any():
        return float("nan")
    return float(sim[same].mean() - sim[other].mean())
