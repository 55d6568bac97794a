"""AMUD's statistic: how much label information the direction of an edge carries beyond
the undirected edge, measured on training nodes only.

Every training edge ``u -> v`` (both ends labelled for training, self-loops and duplicates
dropped) gives two observations of (centre label, neighbour label, direction): ``(y_u,
y_v, out)`` and ``(y_v, y_u, in)``. Modelling the graph as undirected keeps
``I(y_centre; y_neighbour)``; modelling it as directed (separate in- and out-neighbours,
as ADPA's ``A`` / ``Aᵀ`` patterns and DirGNN do) keeps ``I(y_centre; (y_neighbour,
direction))``, which is never smaller. Their difference over ``H(y_centre)`` is the share
of the label entropy that only the direction explains; AMUD models the graph as directed
when it exceeds ``threshold``. Each plug-in mutual information is corrected for its
finite-sample bias (Miller-Madow: ``(R - 1)(S - 1) / 2n`` nats for an ``R x S`` table of
``n`` edges), so an uninformative direction scores about 0 instead of a small positive
number that grows with the number of classes.
"""

from __future__ import annotations

import torch
from torch import Tensor

from graphkit.amud.amud_result import AMUDResult

DEFAULT_THRESHOLD = 0.02


def _mutual_information(table: Tensor) -> float:
    """Plug-in mutual information (nats) of the joint count table ``[R, S]``."""
    total = table.sum()
    joint = table / total
    rows = joint.sum(1, keepdim=True)
    cols = joint.sum(0, keepdim=True)
    mask = joint > 0
    return float((joint[mask] * (joint[mask] / (rows @ cols)[mask]).log()).sum())


def _entropy(counts: Tensor) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * p.log()).sum())


def _bias(table: Tensor, n: int) -> float:
    """Miller-Madow bias of the plug-in mutual information of ``table`` from ``n`` samples."""
    rows = int((table.sum(1) > 0).sum())
    cols = int((table.sum(0) > 0).sum())
    return max(rows - 1, 0) * max(cols - 1, 0) / (2.0 * n)


def edge_direction_counts(edge_index: Tensor, num_nodes: int) -> dict[str, float]:
    """Edge counts both ways and reciprocity of ``edge_index`` (self-loops excluded).

    Returns:
        ``directed_edges``: distinct ordered pairs ``u != v``; ``undirected_edges``: distinct
        unordered pairs (an undirected graph stored both ways has ``directed_edges == 2 *
        undirected_edges``); ``reciprocity``: share of the ordered pairs whose reverse is
        also present (1 for a symmetric edge list); ``self_loops``.
    """
    row, col = edge_index
    loops = int((row == col).sum())
    keep = row != col
    row, col = row[keep], col[keep]
    keys = torch.unique(row * num_nodes + col)
    directed = int(keys.numel())
    reverse = (keys % num_nodes) * num_nodes + keys // num_nodes
    mutual = int(torch.isin(reverse, keys).sum())
    return {"directed_edges": directed, "undirected_edges": directed - mutual // 2,
            "reciprocity": mutual / directed if directed else 1.0, "self_loops": loops}


def amud(edge_index: Tensor, y: Tensor, train_idx: Tensor, num_nodes: int,
         threshold: float = DEFAULT_THRESHOLD) -> AMUDResult:
    """AMUD's statistic and decision for a directed graph, from training labels only.

    Args:
        edge_index: directed edges ``[2, E]`` (``u -> v``), as stored in the raw data.
        y: node labels ``[N]`` (integers; only ``y[train_idx]`` is read).
        train_idx: training node indices.
        num_nodes: ``N``.
        threshold: model as directed when the statistic exceeds it (default 0.02: the
            direction explains more than 2% of the label entropy).

    Raises:
        ValueError: no edge joins two training nodes (nothing to measure).
    """
    train_idx = train_idx.long().unique()
    in_train = torch.zeros(num_nodes, dtype=torch.bool)
    in_train[train_idx] = True
    row, col = edge_index.long()
    keep = (row != col) & in_train[row] & in_train[col]
    keys = torch.unique(row[keep] * num_nodes + col[keep])
    row, col = keys // num_nodes, keys % num_nodes
    m = int(keys.numel())
    if m == 0:
        raise ValueError("AMUD needs edges between training nodes; this training set has none")
    labels = y.view(-1).long()
    classes = torch.unique(labels[train_idx])
    index = torch.full((int(labels.max()) + 1,), -1, dtype=torch.long)
    index[classes] = torch.arange(classes.numel())
    a, b = index[labels[row]], index[labels[col]]
    c = classes.numel()
    # [centre, neighbour, direction]: u sees v as an out-neighbour, v sees u as an in-neighbour
    table = torch.zeros(c, c, 2, dtype=torch.float64)
    table[:, :, 0].index_put_((a, b), torch.ones(m, dtype=torch.float64), accumulate=True)
    table[:, :, 1].index_put_((b, a), torch.ones(m, dtype=torch.float64), accumulate=True)
    undirected = table.sum(2)
    directed = table.reshape(c, 2 * c)
    info_und = _mutual_information(undirected) - _bias(undirected, m)
    info_dir = _mutual_information(directed) - _bias(directed, m)
    entropy = _entropy(table.sum((1, 2)))
    statistic = (info_dir - info_und) / entropy if entropy > 0 else 0.0
    return AMUDResult(statistic=statistic, threshold=threshold, directed=statistic > threshold,
                      info_undirected=info_und, info_directed=info_dir, label_entropy=entropy,
                      train_edges=m, train_nodes=int(train_idx.numel()))
