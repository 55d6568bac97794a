"""One small subgraph around each centre node: random walk with restart or k-hop."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import Tensor
from torch_geometric.utils import is_undirected

from graphkit.errors import DatasetError
from graphkit.loader.subgraph_set import SubgraphSet, subgraph_rwse

METHODS = ("rwr", "khop")


class SubgraphSampler:
    """Samples a subgraph per centre node, with node and edge caps (GraphCLIP's
    random-walk-with-restart subgraphs, https://arxiv.org/abs/2410.10329, or plain k-hop).

    The centre is always node 0 of its subgraph. ``rwr`` keeps the ``max_nodes - 1``
    nodes most visited by walks that restart at the centre with probability
    ``restart_prob`` (ties: first visit); ``khop`` adds hop after hop, sampling a hop
    uniformly when it would exceed the cap. Edges are the induced ones; above
    ``max_edges`` (undirected) edges touching the centre are kept first, the rest at
    random. Deterministic for a given ``seed``.

    Args:
        method: ``rwr`` (default) or ``khop``.
        num_hops: hops for ``khop`` (default 2).
        max_nodes: node cap including the centre (default 16).
        max_edges: undirected edge cap (default 48).
        walks: number of walks for ``rwr`` (default 8).
        walk_length: steps per walk (default 8).
        restart_prob: restart probability per step (default 0.3).
        rwse_steps: random-walk PE steps computed within each subgraph (default 8).
        seed: sampling seed (default 0).
    """

    def __init__(self, method: str = "rwr", num_hops: int = 2, max_nodes: int = 16,
                 max_edges: int = 48, walks: int = 8, walk_length: int = 8,
                 restart_prob: float = 0.3, rwse_steps: int = 8, seed: int = 0):
        if method not in METHODS:
            raise ValueError(f"subgraph method must be one of {METHODS}, got {method!r}")
        if max_nodes < 1 or max_edges < 0 or num_hops < 0:
            raise ValueError("max_nodes >= 1, max_edges >= 0 and num_hops >= 0 required")
        self.method, self.num_hops = method, num_hops
        self.max_nodes, self.max_edges = max_nodes, max_edges
        self.walks, self.walk_length, self.restart_prob = walks, walk_length, restart_prob
        self.rwse_steps, self.seed = rwse_steps, seed
        self._checked: set[tuple[int, int, int]] = set()  # edge lists known to be undirected

    def options(self) -> dict:
        """Everything that changes the output (cache keys)."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def sample(self, edge_index: Tensor, num_nodes: int, centres: Sequence[int] | Tensor) -> SubgraphSet:
        """Subgraphs around ``centres`` of the (undirected) graph ``edge_index``.

        Raises:
            DatasetError: ``edge_index`` is directed (walks and hops would follow one
                direction only); load the graph with ``data.directed: false``.
        """
        key = (edge_index.data_ptr(), edge_index.numel(), num_nodes)
        if key not in self._checked:
            if not is_undirected(edge_index, num_nodes=num_nodes):
                raise DatasetError("subgraph sampling needs an undirected graph (walks and hops follow edges "
                                   "both ways) but this edge list is directed; load it with data.directed: false")
            self._checked.add(key)
        centres = torch.as_tensor(centres, dtype=torch.long).view(-1)
        order = np.argsort(edge_index[0].numpy(), kind="stable")
        col = edge_index[1].numpy()[order]
        rowptr = np.zeros(num_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(edge_index[0].numpy(), minlength=num_nodes), out=rowptr[1:])
        rng = np.random.default_rng(self.seed)
        nodes_out, node_ptr, edges_out, edge_ptr = [], [0], [], [0]
        for c in centres.tolist():
            nodes = self._rwr(c, rowptr, col, rng) if self.method == "rwr" else self._khop(c, rowptr, col, rng)
            edges = self._induced(nodes, rowptr, col, rng)
            nodes_out.append(nodes)
            edges_out.append(edges)
            node_ptr.append(node_ptr[-1] + len(nodes))
            edge_ptr.append(edge_ptr[-1] + edges.shape[1])
        nodes_t = torch.from_numpy(np.concatenate(nodes_out)).long()
        edge_index_local = torch.from_numpy(np.concatenate(edges_out, axis=1)).long()
        node_ptr_t, edge_ptr_t = torch.tensor(node_ptr), torch.tensor(edge_ptr)
        rwse = subgraph_rwse(node_ptr_t, edge_index_local, edge_ptr_t, self.rwse_steps)
        return SubgraphSet(centres=centres, nodes=nodes_t, node_ptr=node_ptr_t,
                           edge_index=edge_index_local, edge_ptr=edge_ptr_t, rwse=rwse)

    def _khop(self, c: int, rowptr: np.ndarray, col: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        chosen, seen, frontier = [c], {c}, [c]
        for _ in range(self.num_hops):
            if len(chosen) >= self.max_nodes:
                break
            nxt = []
            for u in frontier:
                for v in col[rowptr[u]:rowptr[u + 1]].tolist():
                    if v not in seen:
                        seen.add(v)
                        nxt.append(v)
            room = self.max_nodes - len(chosen)
            if len(nxt) > room:
                nxt = rng.choice(np.array(nxt), size=room, replace=False).tolist()
            chosen += nxt
            frontier = nxt
        return np.array(chosen, dtype=np.int64)

    def _rwr(self, c: int, rowptr: np.ndarray, col: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        counts: dict[int, int] = {}
        first: dict[int, int] = {}
        step = 0
        for _ in range(self.walks):
            u = c
            for _ in range(self.walk_length):
                lo, hi = rowptr[u], rowptr[u + 1]
                if hi == lo or rng.random() < self.restart_prob:
                    u = c
                    continue
                u = int(col[lo + rng.integers(hi - lo)])
                step += 1
                if u != c:
                    counts[u] = counts.get(u, 0) + 1
                    first.setdefault(u, step)
        ranked = sorted(counts, key=lambda v: (-counts[v], first[v]))[: self.max_nodes - 1]
        return np.array([c] + ranked, dtype=np.int64)

    def _induced(self, nodes: np.ndarray, rowptr: np.ndarray, col: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
        local = {int(v): i for i, v in enumerate(nodes.tolist())}
        pairs = []
        for i, u in enumerate(nodes.tolist()):
            for v in col[rowptr[u]:rowptr[u + 1]].tolist():
                j = local.get(v)
                if j is not None and i < j:
                    pairs.append((i, j))
        if len(pairs) > self.max_edges:
            central = [p for p in pairs if p[0] == 0]
            rest = [p for p in pairs if p[0] != 0]
            rest = [rest[k] for k in rng.permutation(len(rest))]
            pairs = (central + rest)[: self.max_edges]
        if not pairs:
            return np.zeros((2, 0), dtype=np.int64)
        e = np.array(pairs, dtype=np.int64).T
        return np.concatenate([e, e[::-1]], axis=1)
