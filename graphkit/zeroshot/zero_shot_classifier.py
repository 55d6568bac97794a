"""Zero-shot node classification in text space: a node's (subgraph) embedding against
the embeddings of its classes' texts, cosine similarity, argmax."""

from __future__ import annotations

from typing import Optional

import numpy as np
import scipy.sparse as sp
import torch
from torch import Tensor, nn

from graphkit.pretrain.graph_clip_task import embed_subgraphs
from graphkit.pretrain.subgraph_sampler import SubgraphSampler
from graphkit.text.text_graph import TextGraph


class ZeroShotClassifier:
    """Classifies nodes of any text-attributed graph with a pretrained GraphCLIP model.

    Args:
        model: a :class:`~graphkit.models.graph_clip.GraphCLIP` (eval mode).
        sampler: builds each node's subgraph (the pretraining settings).
        batch_size: subgraphs per forward pass (default 512).
        device: where the model runs.
    """

    def __init__(self, model: nn.Module, sampler: SubgraphSampler, batch_size: int = 512,
                 device: torch.device | str = "cpu"):
        self.model, self.sampler = model, sampler
        self.batch_size, self.device = batch_size, device

    def embed(self, graph: TextGraph, nodes: Tensor, prompt: Optional[nn.Module] = None) -> Tensor:
        """``[len(nodes), d]`` unit-norm subgraph embeddings."""
        subgraphs = self.sampler.sample(graph.edge_index, graph.num_nodes, nodes)
        return embed_subgraphs(self.model, graph.x, subgraphs, self.batch_size, self.device, prompt)

    def scores(self, graph: TextGraph, nodes: Tensor, class_emb: Tensor) -> Tensor:
        """``[len(nodes), C]`` cosine similarities to the class texts."""
        return self.embed(graph, nodes) @ class_emb.t()


def text_scores(x: Tensor, nodes: Tensor, class_emb: Tensor) -> Tensor:
    """Training-free baseline: a node's own text embedding against the class texts."""
    return torch.nn.functional.normalize(x[nodes], dim=-1) @ class_emb.t()


def khop_mean(x: Tensor, edge_index: Tensor, num_nodes: int, hops: int) -> Tensor:
    """``hops`` rounds of averaging each node's features with its neighbours'
    (``(D^-1 (A + I))^hops x``, SGC-style propagation without weights): the node text
    averaged over its k-hop neighbourhood, nearer nodes weighing more.

    Shapes:
        ``x [N, d]``, ``edge_index [2, E]`` -> ``[N, d]``
    """
    ei = edge_index.numpy()
    adj = sp.coo_matrix((np.ones(ei.shape[1]), (ei[0], ei[1])), shape=(num_nodes, num_nodes)).tocsr()
    adj = ((adj + sp.identity(num_nodes, format="csr")) > 0).astype(np.float64)
    walk = sp.diags(1.0 / np.asarray(adj.sum(1)).ravel()) @ adj
    h = x.double().numpy()
    for _ in range(hops):
        h = walk @ h
    return torch.from_numpy(np.asarray(h)).float()


def propagated_scores(x: Tensor, edge_index: Tensor, nodes: Tensor, class_emb: Tensor,
                      hops: int = 2) -> Tensor:
    """Training-free baseline: the k-hop mean of the node texts against the class texts."""
    return text_scores(khop_mean(x, edge_index, x.size(0), hops), nodes, class_emb)
