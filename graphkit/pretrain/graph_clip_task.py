"""GraphCLIP pretraining as a task of the shared trainer.

Each source graph is an environment (GraphCLIP's invariant learning): every batch takes
the same number of pairs from each source; the graph side sees feature masking, edge
dropping and a FLAG adversarial feature perturbation
(Kong et al., https://arxiv.org/abs/2010.09891); the loss is CLIP's symmetric InfoNCE
against the frozen summary embeddings, with negatives gathered across ranks.
Validation: zero-shot accuracy (subgraph vs class texts) on held-out nodes of the sources,
the same with their mean embedding subtracted first (``graphkit zeroshot --subtract-mean``),
and the contrastive loss on their pairs.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel
from torch_geometric.data import Batch

from graphkit.distributed import DistContext
from graphkit.models.model_inputs import ModelInputs
from graphkit.pretrain.info_nce import info_nce
from graphkit.pretrain.pair_set import PairSet

EVAL_LOSS_CHUNK = 256  # pairs per contrastive-loss block in validation (fixed: comparable)


@dataclass
class PretrainSource:
    """One environment: node features, its pairs, the class embeddings of its labels,
    and which pairs train and which are held out."""

    name: str
    x: Tensor  # [N, d]
    y: Tensor  # [N]
    pairs: PairSet
    class_emb: Tensor  # [C, d]
    train: Tensor  # indices into pairs
    valid: Tensor
    test: Tensor


def concat_batches(parts: Sequence[Batch]) -> Batch:
    """One ``Batch`` of the subgraphs of several (as built by :meth:`SubgraphSet.batch`)."""
    if len(parts) == 1:
        return parts[0]
    node_off, graph_off = 0, 0
    fields: dict[str, list[Tensor]] = {k: [] for k in ("x", "rwse", "edge_index", "batch", "center_mask",
                                                       "center_index", "node_id")}
    for p in parts:
        fields["x"].append(p.x)
        fields["rwse"].append(p.rwse)
        fields["edge_index"].append(p.edge_index + node_off)
        fields["batch"].append(p.batch + graph_off)
        fields["center_mask"].append(p.center_mask)
        fields["center_index"].append(p.center_index + node_off)
        fields["node_id"].append(p.node_id)
        node_off += p.x.size(0)
        graph_off += p.center_index.numel()
    out = Batch(**{k: torch.cat(v, dim=-1 if k == "edge_index" else 0) for k, v in fields.items()})
    out._num_graphs = graph_off
    return out


def embed_subgraphs(model: nn.Module, x: Tensor, pairs_or_subgraphs, batch_size: int = 512,
                    device: torch.device | str = "cpu", prompt: Optional[nn.Module] = None) -> Tensor:
    """``[S, d]`` embeddings of every subgraph (no grad, model as given); ``prompt`` maps
    a batch's node features to the prompt added to them."""
    subgraphs = getattr(pairs_or_subgraphs, "subgraphs", pairs_or_subgraphs)
    out = []
    with torch.no_grad():
        for start in range(0, len(subgraphs), batch_size):
            idx = torch.arange(start, min(start + batch_size, len(subgraphs)))
            batch = subgraphs.batch(idx, x).to(device)
            out.append(model(batch, prompt=prompt(batch.x) if prompt is not None else None).cpu())
    return torch.cat(out) if out else torch.zeros(0, x.size(1))


class GraphCLIPTask:
    """Graph–summary contrastive pretraining over several sources.

    Args:
        sources: the environments.
        batch_size: global pairs per step, split evenly over sources and ranks.
        steps_per_epoch: steps per epoch (0 = one pass over the largest source).
        feature_mask: probability of zeroing each feature column per step (default 0.1).
        edge_drop: probability of dropping each edge (default 0.1).
        center_drop: probability of zeroing each subgraph's centre features (default 0).
        flag_steps: FLAG ascent steps (0 = off; default 3).
        flag_step_size: FLAG step size and initial perturbation range (default 1e-3).
        label_weight: weight of an extra CLIP loss between each subgraph and its source's
            class texts (default 0: GraphCLIP's label-free objective). It uses the
            sources' labels, never the target graph's.
        device: where batches go.
        dist: this process's place in a multi-process job.
    """

    metric = "zeroshot_accuracy"
    higher_is_better = True

    def __init__(self, sources: Sequence[PretrainSource], *, batch_size: int = 256, steps_per_epoch: int = 0,
                 feature_mask: float = 0.1, edge_drop: float = 0.1, center_drop: float = 0.0, flag_steps: int = 3,
                 flag_step_size: float = 1e-3, label_weight: float = 0.0, device: torch.device | str = "cpu",
                 dist: DistContext = DistContext()):
        self.sources = list(sources)
        self.device, self.dist = torch.device(device), dist
        per = batch_size // (len(self.sources) * dist.world_size)
        if per < 1:
            raise ValueError(f"data.batch_size ({batch_size}) must be at least sources x processes "
                             f"({len(self.sources)} x {dist.world_size})")
        self.per_source = per  # pairs per source per rank per step
        largest = max(s.train.numel() for s in self.sources)
        self.steps = steps_per_epoch or max(1, largest // (per * len(self.sources) * dist.world_size))
        self.feature_mask, self.edge_drop, self.center_drop = feature_mask, edge_drop, center_drop
        self.flag_steps, self.flag_step_size = flag_steps, flag_step_size
        self.label_weight = label_weight
        self.out_channels = self.sources[0].x.size(1)
        self.num_classes = max(s.class_emb.size(0) for s in self.sources)

    def model_inputs(self) -> ModelInputs:
        """The model reads text embeddings and the subgraphs' RWSE, not the dataset's features."""
        rwse = self.sources[0].pairs.subgraphs.rwse.size(1)
        return ModelInputs(level="graph", out_channels=self.out_channels, num_features=self.out_channels,
                           rwse_dim=int(rwse))

    # ---- training
    def train_batches(self, epoch: int) -> Iterable[dict[str, Any]]:
        need = self.steps * self.per_source * self.dist.world_size
        # one cyclic permutation per source, drawn from the trainer-seeded global RNG
        streams = []
        for s in self.sources:
            reps = -(-need // s.train.numel())
            streams.append(torch.cat([s.train[torch.randperm(s.train.numel())] for _ in range(reps)])[:need])
        for step in range(self.steps):
            parts, texts, labels = [], [], []
            for s, stream in zip(self.sources, streams):
                lo = (step * self.dist.world_size + self.dist.rank) * self.per_source
                idx = stream[lo: lo + self.per_source]
                parts.append(s.pairs.subgraphs.batch(idx, s.x))
                texts.append(s.pairs.summary_emb[idx])
                labels.append(s.y[s.pairs.subgraphs.centres[idx]])
            graph = concat_batches(parts)
            if self.edge_drop > 0:
                keep = torch.rand(graph.edge_index.size(1)) >= self.edge_drop
                graph.edge_index = graph.edge_index[:, keep]
            if self.center_drop > 0:
                dropped = graph.center_index[torch.rand(graph.center_index.numel()) < self.center_drop]
                graph.x[dropped] = 0.0
            if self.feature_mask > 0:
                cols = (torch.rand(graph.x.size(1)) >= self.feature_mask).to(graph.x.dtype)
                graph.x = graph.x * cols
            yield {"graph": graph.to(self.device), "text": torch.cat(texts).to(self.device),
                   "label": torch.cat(labels).to(self.device)}

    def _loss(self, model: nn.Module, batch: dict[str, Any], delta: Optional[Tensor]) -> Tensor:
        raw = getattr(model, "module", model)
        g = model(batch["graph"], delta=delta)
        t = batch["text"]
        if self.dist.enabled:  # every rank's pairs are negatives of every other's
            loss = info_nce(g, t, raw.scale(), b_all=self.dist.all_gather(t), a_all=self.dist.all_gather(g),
                            offset=self.dist.rank * g.size(0))
        else:
            loss = info_nce(g, t, raw.scale())
        if self.label_weight > 0:  # rows come grouped by source, per_source each
            per = self.per_source
            label_loss = sum(
                F.cross_entropy(raw.scale() * g[k * per:(k + 1) * per] @ s.class_emb.to(g.device).t(),
                                batch["label"][k * per:(k + 1) * per])
                for k, s in enumerate(self.sources)) / len(self.sources)
            loss = loss + self.label_weight * label_loss
        return loss

    def training_step(self, model: nn.Module, batch: dict[str, Any]) -> Tensor:
        if self.flag_steps <= 0:
            return self._loss(model, batch, None)
        x = batch["graph"].x
        m, a = self.flag_steps, self.flag_step_size
        delta = torch.empty_like(x).uniform_(-a, a).requires_grad_()
        inner = 0.0
        # FLAG: M ascent steps on delta; parameter gradients of every step accumulate
        # (the trainer's backward adds the last one), each weighted 1/M
        for _ in range(m - 1):
            sync = model.no_sync() if isinstance(model, DistributedDataParallel) else contextlib.nullcontext()
            with sync:
                loss = self._loss(model, batch, delta) / m
                loss.backward()
            inner += float(loss.detach())
            delta = (delta.detach() + a * delta.grad.sign()).requires_grad_()
        # value: the mean loss over the ascent steps; gradient: the last step's share
        return self._loss(model, batch, delta) / m + inner

    # ---- evaluation
    def eval_batches(self, split: str) -> Iterable[tuple[int, Tensor]]:
        for k, s in enumerate(self.sources):
            rows = getattr(s, "valid" if split == "valid" else "test" if split == "test" else "train")
            rows = rows[self.dist.rank::self.dist.world_size]
            for start in range(0, rows.numel(), 512):
                yield k, rows[start:start + 512]

    def eval_step(self, model: nn.Module, batch: tuple[int, Tensor]) -> tuple[Tensor, Tensor]:
        k, idx = batch
        s = self.sources[k]
        raw = getattr(model, "module", model)
        g = raw(s.pairs.subgraphs.batch(idx, s.x).to(self.device)).cpu()
        logits = torch.full((idx.numel(), self.num_classes), float("-inf"))
        logits[:, : s.class_emb.size(0)] = g @ s.class_emb.t()
        scale = torch.full((idx.numel(), 1), raw.scale().item())
        pred = torch.cat([g, s.pairs.summary_emb[idx], logits, scale], 1)
        centre = s.pairs.subgraphs.centres[idx]
        target = torch.stack([s.y[centre], torch.full_like(centre, k)], 1)
        return pred, target

    def metrics(self, pred: Tensor, target: Tensor) -> dict[str, float]:
        d = self.out_channels
        g, t = pred[:, :d], pred[:, d:2 * d]
        logits, scale = pred[:, 2 * d:-1], pred[0, -1] if pred.numel() else 1.0
        correct = logits.argmax(1) == target[:, 0]
        per_source, per_source_minus_mean = {}, {}
        for k, s in enumerate(self.sources):
            mask = target[:, 1] == k
            if mask.any():
                per_source[s.name] = float(correct[mask].float().mean())
                # `graphkit zeroshot --subtract-mean`: minus the held-out nodes' mean embedding
                gk = F.normalize(g[mask] - g[mask].mean(0), dim=-1)
                pred_k = (gk @ s.class_emb.t()).argmax(1)
                per_source_minus_mean[s.name] = float((pred_k == target[mask, 0]).float().mean())
        out = {"zeroshot_accuracy": sum(per_source.values()) / max(len(per_source), 1),
               "zeroshot_accuracy_minus_mean": (sum(per_source_minus_mean.values())
                                                / max(len(per_source_minus_mean), 1))}
        with torch.no_grad():
            losses = [float(info_nce(g[i:i + EVAL_LOSS_CHUNK], t[i:i + EVAL_LOSS_CHUNK], scale))
                      for i in range(0, g.size(0), EVAL_LOSS_CHUNK) if g[i:i + EVAL_LOSS_CHUNK].size(0) > 1]
        out["contrastive_loss"] = sum(losses) / max(len(losses), 1)
        if len(per_source) > 1:
            out.update({f"zeroshot_accuracy/{n}": v for n, v in per_source.items()})
        return out
