"""Zero-shot node classification in text space: a node's (subgraph) embedding against
the embeddings of its classes' texts, cosine similarity, argmax.

Mean subtraction (optional): sentence embeddings share a large common component (they are
anisotropic), and on a graph from one domain every node carries it, so raw cosine similarity
favours the class texts nearest that common direction (on Cora, 2-hop propagated text predicts
5 of 351 "Theory" papers). Subtracting the target graph's mean node embedding before the cosine
removes it without labels (transductive: it needs the graph's unlabelled nodes). It does not
help everywhere: on Cora node-text accuracy rises from 58.7 to 60.5 (2-hop text: 63.4 to 67.8),
on arXiv-2023 it falls from 33.2 to 23.1 (2-hop: 38.3 to 29.3), with similar class balance
(largest class 30 % vs 28 %; `benchmarks/zeroshot_text_baselines.py`). Without labels one
cannot tell which case a graph is, hence off by default.

Text prior (on by default, weight 1): the encoder's cosine plus the cosine of the node's
k-hop propagated text (the training-free baseline), both under the same mean rule; for the
argmax this is the same as adding the two unit embeddings. The encoder alone can be weaker
than propagated text (arXiv-2023's test split, its own pretraining graph: 30.1 against 38.3);
with the prior it is 40.4 there, and 65.0 on all Cora nodes against 64.4 / 63.4 (on Cora's
test split it costs 0.55; README): a pretrained model should not fall below what its inputs
give for free.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.loader.subgraph_sampler import SubgraphSampler
from graphkit.pretrain.graph_clip_task import embed_subgraphs
from graphkit.text.text_graph import TextGraph

# nodes whose subgraph embeddings estimate a graph's mean embedding (all of them below this)
MEAN_SAMPLE = 20000


class ZeroShotClassifier:
    """Classifies nodes of any text-attributed graph with a pretrained GraphCLIP model.

    Args:
        model: a :class:`~graphkit.models.graph_clip.GraphCLIP` (eval mode).
        sampler: builds each node's subgraph (the pretraining settings).
        batch_size: subgraphs per forward pass (default 512).
        device: where the model runs.
        text_prior: weight of the propagated-text cosine added to the encoder's (default 1;
            0 = the encoder alone; see the module docstring).
        prior_hops: hops of the propagated text (default 2).
    """

    def __init__(self, model: nn.Module, sampler: SubgraphSampler, batch_size: int = 512,
                 device: torch.device | str = "cpu", text_prior: float = 1.0, prior_hops: int = 2):
        if text_prior < 0 or prior_hops < 0:
            raise ValueError(f"text_prior and prior_hops must be >= 0, got {text_prior}, {prior_hops}")
        self.model, self.sampler = model, sampler
        self.batch_size, self.device = batch_size, device
        self.text_prior, self.prior_hops = text_prior, prior_hops

    def embed(self, graph: TextGraph, nodes: Tensor, prompt: Optional[nn.Module] = None) -> Tensor:
        """``[len(nodes), d]`` unit-norm subgraph embeddings."""
        subgraphs = self.sampler.sample(graph.edge_index, graph.num_nodes, nodes)
        return embed_subgraphs(self.model, graph.x, subgraphs, self.batch_size, self.device, prompt)

    def graph_mean(self, graph: TextGraph) -> Tensor:
        """``[d]`` mean subgraph embedding over the graph's nodes (a fixed random sample of
        ``MEAN_SAMPLE`` of them on larger graphs)."""
        return self.embed(graph, mean_reference(graph.num_nodes)).mean(0)

    def scores(self, graph: TextGraph, nodes: Tensor, class_emb: Tensor, subtract_mean: bool = False) -> Tensor:
        """``[len(nodes), C]`` cosine similarities to the class texts; ``subtract_mean``: of
        the embeddings minus the graph's mean embedding (see the module docstring)."""
        return self.rule_scores(graph, nodes, class_emb, (subtract_mean,))[subtract_mean]

    def rule_scores(self, graph: TextGraph, nodes: Tensor, class_emb: Tensor,
                    rules: tuple[bool, ...] = (False, True)) -> dict[bool, Tensor]:
        """:meth:`scores` under each ``subtract_mean`` rule, the nodes embedded once."""
        return {subtract: self.combine(*parts) for subtract, parts in
                self.score_parts(graph, nodes, class_emb, rules).items()}

    def combine(self, encoder: Tensor, prior: Optional[Tensor]) -> Tensor:
        """The classifier's scores from its two parts (:meth:`score_parts`)."""
        return encoder if prior is None else encoder + self.text_prior * prior

    def score_parts(self, graph: TextGraph, nodes: Tensor, class_emb: Tensor,
                    rules: tuple[bool, ...] = (False, True)) -> dict[bool, tuple[Tensor, Optional[Tensor]]]:
        """Per ``subtract_mean`` rule: the encoder's cosines and the text prior's
        (``None`` when ``text_prior`` is 0), each ``[len(nodes), C]``."""
        emb = self.embed(graph, nodes)
        propagated = (khop_mean(graph.x, graph.edge_index, graph.num_nodes, self.prior_hops)
                      if self.text_prior > 0 else None)
        out = {}
        for subtract in rules:
            if subtract:
                ref = mean_reference(graph.num_nodes)
                mean = emb.mean(0) if torch.equal(ref, nodes) else self.graph_mean(graph)
                encoder = F.normalize(emb - mean, dim=-1) @ class_emb.t()
            else:
                encoder = emb @ class_emb.t()
            prior = None if propagated is None else text_scores(propagated, nodes, class_emb, subtract)
            out[subtract] = (encoder, prior)
        return out


def mean_reference(num_nodes: int) -> Tensor:
    """The nodes whose mean embedding centres a graph: all of them, or a fixed random
    sample of ``MEAN_SAMPLE`` (seed 0) on larger graphs."""
    if num_nodes <= MEAN_SAMPLE:
        return torch.arange(num_nodes)
    return torch.from_numpy(np.sort(np.random.default_rng(0).choice(num_nodes, MEAN_SAMPLE, replace=False)))


def text_scores(x: Tensor, nodes: Tensor, class_emb: Tensor, subtract_mean: bool = False) -> Tensor:
    """Training-free baseline: a node's own text embedding against the class texts
    (``subtract_mean``: minus the mean over all the graph's nodes)."""
    h = x[nodes] - x.mean(0) if subtract_mean else x[nodes]
    return F.normalize(h, dim=-1) @ class_emb.t()


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
                      hops: int = 2, subtract_mean: bool = False) -> Tensor:
    """Training-free baseline: the k-hop mean of the node texts against the class texts
    (``subtract_mean``: minus the graph's mean k-hop mean)."""
    return text_scores(khop_mean(x, edge_index, x.size(0), hops), nodes, class_emb, subtract_mean)
