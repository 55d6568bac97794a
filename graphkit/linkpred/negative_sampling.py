"""Uniform sampling of node pairs that are not edges, drawing from torch's global RNG
(which the trainer seeds and checkpoints)."""

from __future__ import annotations

import torch
from torch import Tensor


def _edge_keys(edge_index: Tensor, num_nodes: int) -> Tensor:
    row = torch.cat([edge_index[0], edge_index[1]])
    col = torch.cat([edge_index[1], edge_index[0]])
    return torch.unique(row * num_nodes + col)


def sample_non_edges(edge_index: Tensor, num_nodes: int, num_samples: int, *,
                     upper: bool = False, unique: bool = False,
                     generator: torch.Generator | None = None) -> Tensor:
    """Uniform random pairs ``(i, j)``, ``i != j``, that are not in ``edge_index``.

    Rejection sampling: draw, drop self-loops and edges (either direction), redraw the
    rest; equivalent to uniform sampling of non-edges.

    Args:
        edge_index: ``[2, E]`` edges to avoid (direction ignored).
        num_nodes: number of nodes.
        num_samples: pairs to return.
        upper: return each pair as ``i < j`` (default ``False``).
        unique: no pair twice, i.e. sampling without replacement (default ``False``).
        generator: RNG to draw from (default: torch's global one).

    Shapes:
        ``edge_index [2, E]`` -> ``[2, num_samples]``
    """
    if num_samples == 0:
        return edge_index.new_empty(2, 0)
    device = edge_index.device
    forbidden = _edge_keys(edge_index, num_nodes)
    possible = num_nodes * (num_nodes - 1) - forbidden.numel()  # ordered non-edge pairs
    if upper:
        possible //= 2
    if possible <= 0 or (unique and possible < num_samples):
        raise ValueError(f"cannot draw {num_samples} non-edges from a graph with "
                         f"{num_nodes} nodes and {forbidden.numel()} directed edges")
    found: list[Tensor] = []
    have = 0
    seen = forbidden.new_empty(0)
    while have < num_samples:
        need = num_samples - have
        draw = max(int(need * 1.2) + 16, 1024)
        pair = torch.randint(0, num_nodes, (2, draw), device=device, generator=generator)
        if upper:
            pair = torch.sort(pair, dim=0).values
        key = pair[0] * num_nodes + pair[1]
        ok = pair[0] != pair[1]
        if forbidden.numel():
            pos = torch.searchsorted(forbidden, key).clamp_(max=forbidden.numel() - 1)
            ok &= forbidden[pos] != key
        key = key[ok]
        if unique:
            # keep the first occurrence, in draw order, of keys not taken before
            key_sorted, order = torch.sort(key, stable=True)
            first = torch.ones_like(key_sorted, dtype=torch.bool)
            first[1:] = key_sorted[1:] != key_sorted[:-1]
            if seen.numel():
                pos = torch.searchsorted(seen, key_sorted).clamp_(max=seen.numel() - 1)
                first &= seen[pos] != key_sorted
            key = key[torch.sort(order[first]).values]
            key = key[:need]
            seen = torch.sort(torch.cat([seen, key])).values
        else:
            key = key[:need]
        found.append(key)
        have += key.numel()
    key = torch.cat(found)
    return torch.stack([key // num_nodes, key % num_nodes])
