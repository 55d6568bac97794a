"""Link prediction on one graph: positives vs. sampled negatives, OGB metrics.

The model side is a small interface (see :class:`graphkit.models.ncn.NCN`):
``encode(x, adj) -> h``, ``predict(h, adj, edge_label_index) -> logits``,
``forward(x, adj, edge_label_index)`` (both in one call; training goes through it so that
a DistributedDataParallel wrapper syncs gradients) and a boolean ``target_link_removal``. ``adj`` is the binary symmetric input graph as a
``torch.sparse_csr`` tensor.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Iterator, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.config.run_config import TaskConfig
from graphkit.datasets.loaded_dataset import LINK_PREDICTION, LoadedDataset
from graphkit.errors import ConfigError
from graphkit.linkpred.adjacency import build_adjacency
from graphkit.linkpred.edge_split import random_link_split
from graphkit.linkpred.evaluation import link_metrics
from graphkit.linkpred.negative_sampling import sample_non_edges
from graphkit.linkpred.target_link_removal import TargetLinkRemoval
from graphkit.tasks.task_context import TaskContext

_METRIC = re.compile(r"^(hits@\d+|mrr|auc)$")
SPLITS = ("train", "valid", "test")


def _pairs(split: dict[str, Tensor], key: str) -> Tensor:
    """``[2, B]`` pairs of an OGB split entry, accepting citation2's source/target keys."""
    if key in split:
        return split[key].t()
    if key == "edge" and "source_node" in split:
        return torch.stack([split["source_node"], split["target_node"]])
    raise KeyError(key)


def _maybe_sparse(x: Tensor, max_density: float = 0.1) -> Tensor:
    """Sparse CSR copy of mostly-zero float features (bag-of-words), else ``x``."""
    if x.dim() != 2 or not x.is_floating_point() or x.numel() == 0:
        return x
    if float((x != 0).float().mean()) > max_density:
        return x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "CSR support is in beta"
        return x.to_sparse_csr()


@dataclass(frozen=True)
class LinkPredictionTaskConfig(TaskConfig):
    """Options of link prediction: ``name`` and ``metric`` (``hits@K``, ``mrr`` or ``auc``;
    default: the dataset's link metric, ``hits@100`` on node datasets); training edges
    per batch are ``data.batch_size``."""


class LinkPredictionTask:
    """Trains on the split's training edges, evaluates Hits@K / MRR / AUC.

    Training (as in NCN, https://arxiv.org/abs/2302.00890): each epoch draws one uniform
    non-edge per training edge, shuffles, and cuts batches of ``batch_size`` (the last
    partial batch is dropped when there is a full one). The loss is binary cross-entropy
    on positive and negative logits. If the model asks for target link removal, each
    batch's positive edges are taken out of the input graph.

    The epoch's order and negatives come from a generator seeded by ``(seed, epoch)``
    alone, so they are the same after a resume and on every rank. Under data
    parallelism each global batch is split across ranks (rank ``r`` takes items
    ``r::world_size``) while target link removal still takes out the whole global
    batch, so N processes see the input graphs one process would.

    Evaluation: the encoder runs once per split and evaluation (training edges as
    input; plus validation edges for test when ``valid_edges_as_input``, OGB collab's
    rule), then this rank's shard of the positive and negative pairs is scored in
    chunks of ``eval_batch_size``. ``train`` is scored as positive training edges
    against the validation negatives. ``eval_step`` returns ``(score, label)`` rows
    (one row ``[pos, negs...]`` per positive for citation2-style negatives), so the
    metrics do not depend on the order in which ranks' rows are gathered.

    Args:
        x: node features ``[N, F]`` or ``None`` (featureless; the model embeds nodes).
        num_nodes: number of nodes.
        split: OGB-format edge split (``train.edge``, ``valid/test.edge`` and
            ``edge_neg``; citation2's ``source_node``/``target_node``/``target_node_neg``).
        batch_size: training edges per global batch.
        device: where graph and batches live.
        metric: primary metric, ``hits@K``, ``mrr`` or ``auc`` (default ``hits@100``).
        eval_batch_size: pairs scored at once in evaluation (default 8192).
        valid_edges_as_input: add validation edges to the input graph at test time.
        seed: seeds each epoch's order and negatives (default 0).
        rank, world_size: this process's shard of every batch and evaluation split
            (default 0, 1).
    """

    higher_is_better = True
    out_channels = 1

    def __init__(self, *, x: Optional[Tensor], num_nodes: int, split: dict, batch_size: int,
                 device: torch.device, metric: str = "hits@100", eval_batch_size: int = 8192,
                 valid_edges_as_input: bool = False, seed: int = 0, rank: int = 0,
                 world_size: int = 1) -> None:
        if not _METRIC.match(metric):
            raise ConfigError(f"task.metric {metric!r} is not a link metric; valid: hits@K "
                              "(e.g. hits@20, hits@50, hits@100), mrr, auc")
        if batch_size < world_size:
            raise ConfigError(f"data.batch_size ({batch_size}) must be >= the number of "
                              f"processes ({world_size})")
        self.metric, self.batch_size, self.eval_batch_size = metric, batch_size, eval_batch_size
        self.device, self.num_nodes = device, num_nodes
        self.seed, self.rank, self.world_size = seed, rank, world_size
        self.x = _maybe_sparse(x.to(device)) if x is not None else None
        self.split = {name: {k: v.to(device) for k, v in part.items()} for name, part in split.items()}
        self.train_edge = self.split["train"]["edge"]  # [E, 2]
        self.removal = TargetLinkRemoval(self.train_edge, num_nodes)
        self.adj = self.removal.full()
        self.test_adj = self.adj
        if valid_edges_as_input:
            both = torch.cat([self.train_edge.t(), _pairs(self.split["valid"], "edge")], dim=1)
            self.test_adj = build_adjacency(both, num_nodes)
        # negatives are drawn on the CPU so that every device gets the same ones
        self._train_graph = torch.stack([self.removal.row, self.removal.col]).cpu()
        ks = sorted({20, 50, 100} | ({int(metric[5:])} if metric.startswith("hits@") else set()))
        self.ks = tuple(ks)
        self._encoded: dict[str, Tensor] = {}

    # ------------------------------------------------------------------ training
    def train_batches(self, epoch: int) -> Iterator[tuple[Tensor, Tensor, Tensor]]:
        """(this rank's edge indices, its negatives ``[2, b]``, the global batch's edge
        indices) per step."""
        num = self.train_edge.size(0)
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        negatives = sample_non_edges(self._train_graph, self.num_nodes, num,
                                     generator=generator).to(self.device)  # [2, E]
        perm = torch.randperm(num, generator=generator).to(self.device)
        stop = num if num < self.batch_size else num - num % self.batch_size
        for start in range(0, stop, self.batch_size):
            index = perm[start:start + self.batch_size]
            if index.numel() < self.world_size:
                break  # every rank must take the same number of steps, or DDP waits forever
            mine = index[self.rank::self.world_size]
            yield mine, negatives[:, mine], index

    def training_step(self, model: nn.Module, batch: tuple[Tensor, Tensor, Tensor]) -> Tensor:
        index, negatives, global_index = batch
        # under data parallelism ``model`` is a DistributedDataParallel wrapper: read the
        # flag from the wrapped module, and call forward (which syncs gradients) only
        if getattr(getattr(model, "module", model), "target_link_removal", False):
            adj = self.removal.adjacency_without(global_index)
        else:
            adj = self.adj
        # positives and negatives in one call: one pass of the predictor's shared work
        pairs = torch.cat([self.train_edge[index].t(), negatives], dim=1)
        out = model(self.x, adj, pairs)
        pos, neg = out[:index.numel()], out[index.numel():]
        return -F.logsigmoid(pos).mean() - F.logsigmoid(-neg).mean()

    # ---------------------------------------------------------------- evaluation
    def eval_batches(self, split: str) -> Iterator[tuple[str, bool, Tensor]]:
        """(split, positives?, pair indices) chunks of this rank's shard of the split."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}")
        self._encoded.pop(split, None)  # a new evaluation: the model has changed
        pos, neg = self.pairs(split)
        parts = [(True, pos.size(1))]
        if not self._per_positive(split):
            parts.append((False, neg.size(1)))
        for positive, count in parts:
            mine = torch.arange(self.rank, count, self.world_size, device=self.device)
            for start in range(0, mine.numel(), self.eval_batch_size):
                yield split, positive, mine[start:start + self.eval_batch_size]

    def pairs(self, split: str) -> tuple[Tensor, Tensor]:
        """(positive pairs ``[2, P]``, negative pairs ``[2, M]`` or ``[P, M]`` target
        nodes for citation2-style per-positive negatives) of a split."""
        if split == "train":
            return self.train_edge.t(), _pairs(self.split["valid"], "edge_neg")
        part = self.split[split]
        if "target_node_neg" in part:
            return _pairs(part, "edge"), part["target_node_neg"]
        return _pairs(part, "edge"), _pairs(part, "edge_neg")

    def _per_positive(self, split: str) -> bool:
        """Whether each positive has its own negatives (citation2's protocol)."""
        return split != "train" and "target_node_neg" in self.split[split]

    def _input_adj(self, split: str) -> Tensor:
        return self.test_adj if split == "test" else self.adj

    def _score(self, model: nn.Module, h: Tensor, adj: Tensor, pairs: Tensor) -> Tensor:
        out = [model.predict(h, adj, pairs[:, i:i + self.eval_batch_size])
               for i in range(0, pairs.size(1), self.eval_batch_size)]
        return torch.cat(out) if out else torch.empty(0, device=self.device)

    @torch.no_grad()
    def scores(self, model: nn.Module, split: str) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """(pos pairs, pos scores, neg pairs, neg scores) of a whole split, on CPU."""
        adj = self._input_adj(split)
        h = model.encode(self.x, adj)
        pos_pairs, neg = self.pairs(split)
        pos = self._score(model, h, adj, pos_pairs)
        if self._per_positive(split):
            src = pos_pairs[0].repeat_interleave(neg.size(1))
            neg_pairs = torch.stack([src, neg.reshape(-1)])
            neg_scores = self._score(model, h, adj, neg_pairs).view(neg.shape)
            return pos_pairs.cpu(), pos.cpu(), neg_pairs.cpu(), neg_scores.cpu()
        return pos_pairs.cpu(), pos.cpu(), neg.cpu(), self._score(model, h, adj, neg).cpu()

    @torch.no_grad()
    def eval_step(self, model: nn.Module, batch: tuple[str, bool, Tensor]) -> tuple[Tensor, Tensor]:
        split, positive, index = batch
        model = getattr(model, "module", model)  # no gradients here: bypass the DDP wrapper
        adj = self._input_adj(split)
        if split not in self._encoded:
            self._encoded[split] = model.encode(self.x, adj)
        h = self._encoded[split]
        pos_pairs, neg = self.pairs(split)
        if self._per_positive(split):
            # per-positive negatives: one row [pos, negs...] per positive
            chosen, targets = pos_pairs[:, index], neg[index]  # [2, b], [b, M]
            pos = model.predict(h, adj, chosen)
            negs = torch.stack([chosen[0].repeat_interleave(targets.size(1)), targets.reshape(-1)])
            neg_scores = self._score(model, h, adj, negs).view(targets.shape)
            return torch.cat([pos.view(-1, 1), neg_scores], dim=1).cpu(), torch.ones(index.numel())
        pairs = pos_pairs[:, index] if positive else neg[:, index]
        label = torch.full((index.numel(),), 1.0 if positive else 0.0)
        return model.predict(h, adj, pairs).cpu(), label

    def metrics(self, pred: Tensor, target: Tensor) -> dict[str, float]:
        if pred.dim() == 2:
            return link_metrics(pred[:, 0], pred[:, 1:])
        return link_metrics(pred[target > 0.5], pred[target <= 0.5], ks=self.ks)

    def evaluate(self, model: nn.Module, split: str) -> dict[str, float]:
        """Metrics of one split in this process (no gathering across ranks)."""
        model.eval()
        rows = [self.eval_step(model, batch) for batch in self.eval_batches(split)]
        return self.metrics(torch.cat([r[0] for r in rows]), torch.cat([r[1] for r in rows]))


def link_split_for(dataset: LoadedDataset, seed: int) -> dict:
    """The dataset's official edge split, or the NCN random 70/10/20 split drawn from
    ``seed`` (so every seed sees a different split, as in the paper's runs)."""
    if "edge_split" in dataset.extra:
        return dataset.extra["edge_split"]
    if dataset.data is None:
        raise ConfigError(f"dataset {dataset.name} has no graph for link prediction")
    generator = torch.Generator().manual_seed(seed)
    return random_link_split(dataset.data.edge_index, int(dataset.data.num_nodes),
                             generator=generator)


def build_link_prediction_task(cfg: TaskConfig, dataset: LoadedDataset,
                               ctx: TaskContext) -> LinkPredictionTask:
    """TASKS build function. A node dataset (Planetoid) gets the random split; its own
    metric is replaced by ``hits@100`` unless ``cfg.metric`` names a link metric."""
    metric = cfg.metric
    if metric is None:
        metric = dataset.metric if dataset.task == LINK_PREDICTION else "hits@100"
    data = dataset.data
    x = getattr(data, "x", None) if dataset.num_features > 0 else None
    return LinkPredictionTask(
        x=x, num_nodes=int(data.num_nodes), split=link_split_for(dataset, ctx.seed),
        batch_size=ctx.batch_size, device=ctx.device, metric=metric,
        valid_edges_as_input=bool(dataset.extra.get("valid_edges_as_input", False)),
        seed=ctx.seed, rank=ctx.dist.rank, world_size=ctx.dist.world_size,
    )
