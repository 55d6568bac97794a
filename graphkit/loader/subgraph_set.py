"""Many small subgraphs of one big graph, stored flat, batched without per-graph Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
from torch import Tensor
from torch_geometric.data import Batch

from graphkit.transforms.encodings import random_walk_se_dense


@dataclass(frozen=True)
class SubgraphSet:
    """Subgraph ``i`` has nodes ``nodes[node_ptr[i]:node_ptr[i+1]]`` (global ids of the
    parent graph, the centre first) and edges ``edge_index[:, edge_ptr[i]:edge_ptr[i+1]]``
    in local ids (both directions of every kept edge). ``rwse`` holds each node's
    random-walk return probabilities *within its subgraph* (``[total_nodes, steps]``).
    """

    centres: Tensor  # [S] global id of each subgraph's centre
    nodes: Tensor  # [total_nodes]
    node_ptr: Tensor  # [S + 1]
    edge_index: Tensor  # [2, total_edges], local ids
    edge_ptr: Tensor  # [S + 1]
    rwse: Tensor  # [total_nodes, steps]

    def __len__(self) -> int:
        return self.centres.numel()

    def sizes(self) -> tuple[Tensor, Tensor]:
        """Nodes and (directed) edges per subgraph."""
        return self.node_ptr.diff(), self.edge_ptr.diff()

    def batch(self, index: Tensor, x: Tensor, edge_keep: Optional[Tensor] = None) -> Batch:
        """PyG ``Batch`` of subgraphs ``index`` with features ``x[nodes]``; ``center_mask``
        marks each centre, ``center_index`` gives its row. ``edge_keep`` (bool over the
        batch's edges, optional) drops edges for augmentation.

        Shapes:
            ``index [B]``, ``x [num_parent_nodes, F]`` -> ``Batch`` with ``x [n, F]``,
            ``rwse [n, steps]``, ``edge_index [2, e]``, ``batch [n]``.
        """
        index = index.long()
        n_sizes = self.node_ptr[index + 1] - self.node_ptr[index]
        e_sizes = self.edge_ptr[index + 1] - self.edge_ptr[index]
        node_rows = _ranges(self.node_ptr[index], n_sizes)
        edge_cols = _ranges(self.edge_ptr[index], e_sizes)
        batch = torch.repeat_interleave(torch.arange(index.numel()), n_sizes)
        offsets = torch.cumsum(n_sizes, 0) - n_sizes  # first row of each subgraph
        edge_graph = torch.repeat_interleave(torch.arange(index.numel()), e_sizes)
        edge_index = self.edge_index[:, edge_cols] + offsets[edge_graph]
        if edge_keep is not None:
            edge_index = edge_index[:, edge_keep]
        nodes = self.nodes[node_rows]
        center_mask = torch.zeros(nodes.numel(), dtype=torch.bool)
        center_mask[offsets] = True
        out = Batch(x=x[nodes], edge_index=edge_index, rwse=self.rwse[node_rows], batch=batch,
                    center_mask=center_mask, center_index=offsets, node_id=nodes)
        out._num_graphs = index.numel()
        return out


def _ranges(starts: Tensor, lengths: Tensor) -> Tensor:
    """Concatenation of ``arange(s, s + l)`` for each pair, vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return torch.zeros(0, dtype=torch.long)
    group_start = torch.cumsum(lengths, 0) - lengths
    within = torch.arange(total) - torch.repeat_interleave(group_start, lengths)
    return torch.repeat_interleave(starts, lengths) + within


def subgraph_rwse(node_ptr: Tensor, edge_index: Tensor, edge_ptr: Tensor, steps: int) -> Tensor:
    """Random-walk return probabilities of every node within its own subgraph,
    computed with dense batched matrix powers, one bucket per subgraph size."""
    sizes = node_ptr.diff()
    out = torch.zeros(int(sizes.sum()), steps)
    if steps == 0:
        return out
    for n in sizes.unique().tolist():
        which = (sizes == n).nonzero().view(-1)
        adj = torch.zeros(which.numel(), n, n)
        for k, s in enumerate(which.tolist()):
            e = edge_index[:, edge_ptr[s]:edge_ptr[s + 1]]
            adj[k, e[0], e[1]] = 1.0
        deg = adj.sum(-1, keepdim=True)
        walk = torch.where(deg > 0, adj / deg.clamp(min=1), adj)
        rw = random_walk_se_dense(walk, steps)  # [b, n, steps]
        rows = _ranges(node_ptr[which], torch.full((which.numel(),), n, dtype=torch.long))
        out[rows] = rw.reshape(-1, steps)
    return out
