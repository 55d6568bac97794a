"""DeepWalk: uniform random walks fed to gensim's skip-gram, the baseline FastRP compares against."""

from __future__ import annotations

import numbers
import zlib
from typing import Any, Iterator, Optional

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from graphkit.embed.adjacency import as_adjacency
from graphkit.errors import ConfigError


class DeepWalk(BaseEstimator):
    """DeepWalk node embeddings (Perozzi et al., KDD 2014).

    Paper: https://arxiv.org/abs/1403.6652

    ``walks_per_node`` uniform random walks of ``walk_length`` nodes start at every node
    (edge weights are ignored; directed graphs follow out-edges; a walk stops at a node
    without out-edges) and train a skip-gram model with hierarchical softmax, as the
    authors' code does, through :class:`gensim.models.Word2Vec`. Walks are drawn for all
    starts at once with NumPy, one step at a time.

    Args:
        n_components: embedding dimension (default 128, the paper's BlogCatalog setting,
            as are the next three).
        walk_length: nodes per walk (default 40).
        walks_per_node: walks started at each node (default 80).
        window: skip-gram context window (default 10).
        epochs: passes of skip-gram over the walks (default 1).
        workers: gensim worker threads (default 1; more is faster but not reproducible).
        random_state: seed of the walks and of gensim (default None).

    Attributes:
        embedding_: ``[N, d]`` float32 array, row ``i`` embeds node ``i``.
    """

    def __init__(
        self,
        n_components: int = 128,
        *,
        walk_length: int = 40,
        walks_per_node: int = 80,
        window: int = 10,
        epochs: int = 1,
        workers: int = 1,
        random_state: Any = None,
    ) -> None:
        self.n_components = n_components
        self.walk_length = walk_length
        self.walks_per_node = walks_per_node
        self.window = window
        self.epochs = epochs
        self.workers = workers
        self.random_state = random_state

    def fit(self, graph: Any, y: Any = None, *, num_nodes: Optional[int] = None) -> "DeepWalk":
        """Walks ``graph`` (anything :func:`~graphkit.embed.adjacency.as_adjacency` reads) and
        trains the skip-gram model; ``y`` is ignored."""
        from gensim.models import Word2Vec

        for name in ("n_components", "walk_length", "walks_per_node", "window", "epochs", "workers"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        adjacency = as_adjacency(graph, num_nodes)
        n = adjacency.shape[0]
        if n == 0:
            raise ConfigError("graph has no nodes")
        rng = np.random.default_rng(self.random_state)
        walks = random_walks(adjacency, self.walk_length, self.walks_per_node, rng)
        seed = int(rng.integers(2**31 - 1))
        model = Word2Vec(
            sentences=_Sentences(walks),
            vector_size=self.n_components,
            window=self.window,
            min_count=0,
            sg=1,
            hs=1,
            negative=0,
            workers=self.workers,
            epochs=self.epochs,
            seed=seed,
            hashfxn=_stable_hash,
        )
        vectors = model.wv
        self.embedding_ = np.stack([vectors[str(i)] for i in range(n)]).astype(np.float32)  # [N, d]
        return self

    def fit_transform(self, graph: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        """``fit(graph)`` and return ``embedding_`` ``[N, d]``."""
        return self.fit(graph, y, **fit_params).embedding_


def random_walks(adjacency: sp.csr_matrix, walk_length: int, walks_per_node: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform random walks: ``[walks_per_node * N, walk_length]`` node ids, -1 after a dead end.

    Every round starts one walk at each node, in a fresh random order (as DeepWalk does).
    """
    csr = sp.csr_matrix(adjacency)
    n = csr.shape[0]
    indptr = csr.indptr.astype(np.int64)
    indices = csr.indices.astype(np.int32)
    degree = np.diff(indptr)
    starts = np.concatenate([rng.permutation(n) for _ in range(walks_per_node)]).astype(np.int32)
    walks = np.full((starts.size, walk_length), -1, dtype=np.int32)
    walks[:, 0] = starts
    current = starts
    for step in range(1, walk_length):
        alive = current >= 0
        alive[alive] = degree[current[alive]] > 0
        if not alive.any():
            break
        at = current[alive]
        offset = (rng.random(at.size) * degree[at]).astype(np.int64)
        following = np.full_like(current, -1)
        following[alive] = indices[indptr[at] + offset]
        walks[:, step] = following
        current = following
    return walks


class _Sentences:
    """Re-iterable corpus of walks as token lists, made row by row to keep memory flat."""

    def __init__(self, walks: np.ndarray) -> None:
        self.walks = walks
        self.names = np.array([str(i) for i in range(int(walks.max()) + 1)], dtype=object)

    def __iter__(self) -> Iterator[list[str]]:
        for row in self.walks:
            yield self.names[row[row >= 0]].tolist()


def _stable_hash(text: str) -> int:
    # gensim seeds each word vector from hash(word); Python's str hash changes per process.
    return zlib.crc32(text.encode())
