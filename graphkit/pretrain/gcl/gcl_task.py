"""GRACE and GCA as pretraining tasks on the shared trainer, with POT as an option.

- GRACE: Zhu et al., https://arxiv.org/abs/2006.04131 (uniform edge dropping and feature masking)
- GCA: Zhu et al., https://arxiv.org/abs/2010.14945 (centrality-adaptive probabilities)
- POT: Yu et al., https://arxiv.org/abs/2309.13944 (node compactness regularizer)

One training step draws two views of the whole graph, encodes both, and minimises GRACE's
InfoNCE between their projections; with ``task.pot.weight = κ > 0`` the loss is
``(1 - κ) InfoNCE + κ BCE(score, 1)`` averaged over both views (POT's), the score
``task.pot.score`` (the relaxed score on the view, or the certified bound). Evaluation
is the linear protocol (:mod:`graphkit.pretrain.gcl.linear_probe`): the validation metric
is the probe's Micro-F1 on the validation shares, the test metric on the 80 % test
shares, each the mean over ``task.probe_seeds`` random splits (``*_std`` their std).
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import f1_score
from torch import Tensor, nn

from graphkit.datasets import LoadedDataset
from graphkit.errors import ConfigError
from graphkit.models.model_hooks import BoundedGCN, ContrastiveEncoder
from graphkit.pretrain.gcl.augmentation import (
    drop_edges,
    gca_edge_drop_probs,
    feature_keep_mask,
    gca_feature_mask_probs,
    node_centrality,
)
from graphkit.pretrain.gcl.gcl_task_config import GCLTaskConfig
from graphkit.pretrain.gcl.grace_loss import grace_loss
from graphkit.pretrain.gcl.linear_probe import linear_probe, probe_split
from graphkit.pretrain.gcl.node_compactness import (
    adjacency_range,
    compactness_direction,
    node_compactness,
    view_compactness,
)
from graphkit.tasks.task_context import TaskContext


# input-layer products use a sparse copy of x below this share of nonzeros (Cora: 1.3 %)
SPARSE_BELOW = 0.1


class GCLTask:
    """The protocol of :class:`graphkit.tasks.Task` for GRACE (``adaptive=False``) and GCA.

    Args:
        dataset: one graph with float node features and single-label classes (the probe's).
        cfg: the task section.
        ctx: seed, device, distributed context.
        adaptive: GCA's centrality-adaptive drop probabilities instead of uniform ones.
    """

    higher_is_better = True
    out_channels = 0  # the embedding width is the encoder's own (model.hidden_channels)

    def __init__(self, dataset: LoadedDataset, cfg: GCLTaskConfig, ctx: TaskContext, adaptive: bool) -> None:
        if dataset.is_graph_level or dataset.node_encoder != "linear" or dataset.data is None:
            raise ConfigError(f"task {cfg.name}: needs one graph with float node features; "
                              f"{dataset.name} is not one")
        if ctx.dist.enabled:
            raise ConfigError(f"task {cfg.name}: runs in one process (its loss contrasts every node "
                              f"with every other); drop --nproc")
        y = dataset.data.y
        if y is None or y.dim() != 1:
            raise ConfigError(f"task {cfg.name}: the linear probe needs one class per node; {dataset.name} "
                              f"has {'no labels' if y is None else 'multi-label targets'}")
        self.cfg, self.metric = cfg, cfg.metric
        data = dataset.data.to(ctx.device)
        self.x, self.edge_index = data.x.float(), data.edge_index
        # bag-of-words features are mostly zeros: the input layer multiplies a sparse copy
        self.x_sparse = self.x.to_sparse().coalesce() if float((self.x != 0).float().mean()) < SPARSE_BELOW else None
        self.labels = y.cpu().numpy()
        self.num_nodes = int(data.num_nodes)
        if adaptive:
            centrality = node_centrality(self.edge_index, self.num_nodes, cfg.centrality)
            self.edge_p = [gca_edge_drop_probs(self.edge_index, centrality, p, cfg.max_drop) for p in cfg.edge_drop]
            self.feature_p = [gca_feature_mask_probs(self.x, centrality, p, cfg.max_drop, cfg.dense_features)
                              for p in cfg.feature_mask]
        else:
            self.edge_p, self.feature_p = list(cfg.edge_drop), list(cfg.feature_mask)
        pot_rates = cfg.pot.edge_drop or cfg.edge_drop
        self.ranges = [adjacency_range(self.edge_index, self.num_nodes, p) for p in pot_rates]
        if cfg.probe_split == "dataset":
            if not dataset.splits:
                raise ConfigError(f"task.probe_split: {dataset.name} has no split of its own; use random")
            given = dataset.splits[ctx.split_index]
            self.probe_splits = [{k: given[k].cpu().numpy() for k in ("train", "valid", "test")}]
        else:
            self.probe_splits = [probe_split(self.num_nodes, k, cfg.probe_ratios) for k in range(cfg.probe_seeds)]
        self._cache: tuple[Tensor, dict] | None = None
        self._last: dict = {}

    @staticmethod
    def encoder(model: nn.Module) -> ContrastiveEncoder:
        if not isinstance(model, ContrastiveEncoder):
            raise ConfigError(f"graph contrastive tasks need an encoder with a projection head "
                              f"(model.name: gcl_gcn), got {type(model).__name__}")
        return model

    def train_batches(self, epoch: int) -> Iterator[int]:
        yield epoch  # one step per epoch on the whole graph

    def _first_product(self, weight: Tensor, keep: Tensor) -> Tensor:
        """``(x ⊙ keep) @ W = x @ (keep ⊙ W)``: a view's input layer with its masked columns
        folded into the weight rows, so the product runs on the (sparse when it pays) ``x``."""
        masked = weight * keep.unsqueeze(1)  # [F, width]
        if self.x_sparse is not None:
            return torch.sparse.mm(self.x_sparse, masked)
        return self.x @ masked

    def training_step(self, model: nn.Module, batch: int) -> Tensor:
        encoder = self.encoder(model)
        keeps = [feature_keep_mask(self.x.size(1), fp, self.x.device) for fp in self.feature_p]
        edges = [drop_edges(self.edge_index, ep) for ep in self.edge_p]
        xs = [self.x * keep for keep in keeps]
        kappa = self.cfg.pot.weight
        products = [None, None]
        if isinstance(model, BoundedGCN):  # the bounds start from x @ W_1 too: computed once per view
            first_weight = model.gcn_layers()[0][0]
            products = [self._first_product(first_weight, keep) for keep in keeps]
        h = [encoder.encode(x, e, p) for x, e, p in zip(xs, edges, products)]
        z = [encoder.project(v) for v in h]
        if 0 < self.cfg.loss_nodes < self.num_nodes:
            nodes = torch.randperm(self.num_nodes, device=self.x.device)[: self.cfg.loss_nodes]
            z = [v[nodes] for v in z]
        loss = grace_loss(z[0], z[1], self.cfg.tau)
        if kappa == 0.0:
            return loss
        pot = 0.0
        for k in (0, 1):
            direction = compactness_direction(h[1 - k])
            if self.cfg.pot.score == "view":
                score = view_compactness(self.bounded(model), xs[k], self.ranges[k], direction, edges[k], products[k])
            else:
                score = node_compactness(self.bounded(model), xs[k], self.ranges[k], direction, products[k])
            pot = pot + 0.5 * F.binary_cross_entropy_with_logits(score, torch.ones_like(score))
        return (1.0 - kappa) * loss + kappa * pot

    @staticmethod
    def bounded(model: nn.Module) -> BoundedGCN:
        if not isinstance(model, BoundedGCN):
            raise ConfigError(f"task.pot needs a GCN encoder whose layers can be bounded "
                              f"(model.name: gcl_gcn), got {type(model).__name__}")
        return model

    def compactness(self, model: nn.Module) -> Tensor:
        """``[N, 2]`` node compactness of the clean graph under each view's range, the
        other view's embedding taken on the clean graph too (deterministic)."""
        encoder, bounded = self.encoder(model), self.bounded(model)
        with torch.no_grad():
            h = encoder.encode(self.x, self.edge_index)
            direction = compactness_direction(h)
            return torch.stack([node_compactness(bounded, self.x, r, direction) for r in self.ranges], dim=1)

    def artifacts(self, model: nn.Module) -> dict[str, np.ndarray]:
        return {"node_compactness": self.compactness(model).cpu().numpy()}

    def _evaluate(self, model: nn.Module) -> dict:
        h = self.encoder(model).encode(self.x, self.edge_index).detach()
        if self._cache is not None and torch.equal(self._cache[0], h):
            return self._cache[1]
        embedding = h.cpu().numpy()
        fits = [linear_probe(embedding, self.labels, split, self.cfg.probe_C, seed=k,
                             normalize_rows=self.cfg.probe_normalize)
                for k, split in enumerate(self.probe_splits)]
        result = {key: (np.stack([f[key] for f in fits]), np.stack([self.labels[s[key]] for s in self.probe_splits]))
                  for key in ("valid", "test")}
        compactness = self.compactness(model) if isinstance(model, BoundedGCN) else None
        result["negative_compactness"] = None if compactness is None else float((compactness < 0).float().mean())
        self._cache = (h, result)
        return result

    def eval_batches(self, split: str) -> Iterator[str]:
        yield "valid" if split == "train" else split

    def eval_step(self, model: nn.Module, batch: str) -> tuple[Tensor, Tensor]:
        self._last = self._evaluate(model)
        pred, target = self._last[batch]
        return torch.from_numpy(pred), torch.from_numpy(target)

    def metrics(self, pred: Tensor, target: Tensor) -> dict[str, float]:
        """Micro/Macro-F1 per probe split (rows), their mean and std; the share of node
        compactness values below zero (both views' ranges)."""
        micro = [f1_score(t, p, average="micro") for p, t in zip(pred.numpy(), target.numpy())]
        macro = [f1_score(t, p, average="macro") for p, t in zip(pred.numpy(), target.numpy())]
        out = {"micro_f1": float(np.mean(micro)), "micro_f1_std": float(np.std(micro)),
               "macro_f1": float(np.mean(macro)), "macro_f1_std": float(np.std(macro))}
        negative = self._last.get("negative_compactness")
        if negative is not None:
            out["negative_compactness"] = negative
        return out


def build_grace(cfg: GCLTaskConfig, dataset: LoadedDataset, ctx: TaskContext) -> GCLTask:
    """``task.name: grace``: uniform edge dropping and feature masking."""
    return GCLTask(dataset, cfg, ctx, adaptive=False)


def build_gca(cfg: GCLTaskConfig, dataset: LoadedDataset, ctx: TaskContext) -> GCLTask:
    """``task.name: gca``: drop probabilities adapted to ``task.centrality``."""
    return GCLTask(dataset, cfg, ctx, adaptive=True)
