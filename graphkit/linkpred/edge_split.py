"""Edge splits in OGB's ``get_edge_split()`` format.

``{"train": {"edge": [E, 2]}, "valid": {"edge": [Ev, 2], "edge_neg": [Nv, 2]},
"test": {"edge": [Et, 2], "edge_neg": [Nt, 2]}}``, undirected pairs listed once.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from graphkit.linkpred.negative_sampling import sample_non_edges


def undirected_pairs(edge_index: Tensor) -> Tensor:
    """Each undirected edge once as ``i < j``, self-loops dropped, sorted.

    Shapes:
        ``[2, E]`` -> ``[2, E_undirected]``
    """
    row, col = edge_index
    lo, hi = torch.minimum(row, col), torch.maximum(row, col)
    keep = lo != hi
    n = int(edge_index.max()) + 1 if edge_index.numel() else 1
    key = torch.unique(lo[keep] * n + hi[keep])
    return torch.stack([key // n, key % n])


def random_link_split(edge_index: Tensor, num_nodes: int, *, val_ratio: float = 0.1,
                      test_ratio: float = 0.2,
                      generator: torch.Generator | None = None) -> dict[str, dict[str, Tensor]]:
    """Random link split of the NCN paper's Planetoid experiments (70/10/20).

    https://arxiv.org/abs/2302.00890. The procedure of its code, step by step: hold out
    ``floor(test_ratio * E)`` edges for test and as many as a validation pool; draw as
    many negatives (distinct non-edges, ``i < j``) for each of valid and test; keep
    ``int(pool * val_ratio / test_ratio)`` random pool edges as validation positives and
    give the rest back to training. So valid has twice as many negatives as positives.

    Args:
        edge_index: ``[2, E]`` graph edges (either or both directions).
        num_nodes: number of nodes.
        val_ratio: fraction of edges used as validation positives (default 0.1).
        test_ratio: fraction used as test positives (default 0.2).
        generator: RNG (default torch's global one, so seeding torch re-draws the split).
    """
    if not (0 < val_ratio <= test_ratio < 0.5):
        raise ValueError(f"need 0 < val_ratio <= test_ratio < 0.5, got {val_ratio}, {test_ratio}")
    pairs = undirected_pairs(edge_index)
    num_edges = pairs.size(1)
    n_pool = int(math.floor(test_ratio * num_edges))
    n_test = int(math.floor(test_ratio * num_edges))
    perm = torch.randperm(num_edges, generator=generator)
    pool = pairs[:, perm[:n_pool]]
    test = pairs[:, perm[n_pool:n_pool + n_test]]
    train = pairs[:, perm[n_pool + n_test:]]
    negatives = sample_non_edges(pairs, num_nodes, n_pool + n_test, upper=True, unique=True,
                                 generator=generator)
    num_val = int(n_pool * val_ratio / test_ratio)
    pool = pool[:, torch.randperm(n_pool, generator=generator)]
    valid = pool[:, n_pool - num_val:]
    train = torch.cat([train, pool[:, :n_pool - num_val]], dim=1)
    return {
        "train": {"edge": train.t().contiguous()},
        "valid": {"edge": valid.t().contiguous(), "edge_neg": negatives[:, :n_pool].t().contiguous()},
        "test": {"edge": test.t().contiguous(), "edge_neg": negatives[:, n_pool:].t().contiguous()},
    }
