"""Continuous-time (dynamic) link prediction on an event stream, DyGLib's protocol.

Yu et al., DyGLib (https://arxiv.org/abs/2303.13047, https://github.com/yule-BUAA/DyGLib):
events are read in time order in batches of ``data.batch_size`` (DyGLib: 200). Training goes
over the training events (new test nodes' events removed) with one random negative per
event (the source kept, the destination uniform over the training destinations); the loss is
binary cross-entropy. Evaluation scores every event of a split against one negative per
strategy (``random``, ``historical``, ``inductive``; :class:`graphkit.temporal.NegativeSampler`,
seeded as DyGLib seeds them: 0 for validation, 2 for test) and reports, per strategy, the
AP and AUC-ROC averaged over batches (:func:`graphkit.temporal.batch_averaged_metrics`),
transductive (every event of the split) and inductive (the events with a new node, cut into
batches of their own as DyGLib's ``new_node_*_data``).

Metric names: ``ap`` / ``auc`` (transductive, random negatives: the primary metric),
``ap_historical``, ``ap_inductive`` (transductive, other negatives), ``new_ap``,
``new_ap_historical``, ``new_ap_inductive`` (inductive setting), and the same with ``auc``.

A dataset that publishes its evaluation negatives (TGB's ``tgbl-*``, ``tgb:<name>``:
``extra['eval_negatives']``) adds TGB's protocol: every validation / test event is ranked
against its own list of destinations, scored in the same state as the event itself, and
``mrr`` (:func:`graphkit.temporal.mean_reciprocal_rank`, TGB's ``Evaluator``) becomes the
primary metric.

No prediction reads the future: the model (:class:`~graphkit.models.temporal.TemporalLinkModel`)
scores a batch before :meth:`observe` shows it the batch's events (with ``within_batch``, the
default, it may read them beforehand only for queries at strictly later times, as DyGLib's
neighbour sampler does), and its state is reset
at the start of every epoch and every evaluation, which first replays (observes, unscored)
every event of the stream before the evaluated split, in the same batches. For a
memory-free model this is DyGLib's evaluation; for memory-based ones (TGN) DyGLib's
memory has not seen the training-period events of the held-out nodes, ours has (the
neighbour sampler of DyGLib's TGN sees them too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from graphkit.config.run_config import TaskConfig
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.errors import ConfigError
from graphkit.models.model_inputs import ModelInputs
from graphkit.models.temporal.temporal_link_model import TemporalLinkModel
from graphkit.tasks.event_batch import EventBatch
from graphkit.tasks.task_context import TaskContext
from graphkit.temporal import STRATEGIES, NegativeSampler, batch_averaged_metrics, mean_reciprocal_rank

SPLITS = ("train", "valid", "test")
# pairs per forward call when ranking against many negatives (TGB: up to 999 per event)
_RANK_CHUNK = 32_768
# DyGLib's evaluation seeds: validation 0, new-node validation 1, test 2, new-node test 3
_EVAL_SEEDS = {"train": 0, "valid": 0, "test": 2}


@dataclass(frozen=True)
class TemporalLinkPredictionTaskConfig(TaskConfig):
    """Options of temporal link prediction (events per batch are ``data.batch_size``).

    Args:
        negatives: evaluation negative strategies, a subset of random, historical, inductive
            (``random`` is always evaluated: it gives the primary metric).
        within_batch: a scored event may read the earlier events (strictly earlier times) of
            its own batch, as DyGLib's neighbour sampler over the whole stream lets it
            (default True, DyGLib's protocol); False: only events of earlier batches (PyG's
            TGN example).
    """

    negatives: tuple[str, ...] = STRATEGIES
    within_batch: bool = True


class TemporalLinkPredictionTask:
    """See the module. Implements :class:`graphkit.tasks.Task` and its ``model_inputs`` hook.

    Args:
        src, dst, t, msg: the stream (``[E]``, ``[E]``, ``[E]``, ``[E, D]``; time order).
        x: node features ``[N, F]``.
        split: event indices of ``train``, ``valid``, ``test``, ``new_node_valid``,
            ``new_node_test`` (DyGLib's split).
        val_time: end of the training time range (the inductive sampler's observed edges).
        batch_size: events per batch (DyGLib: 200).
        device: where the model runs.
        negatives: evaluation strategies (default all three).
        seed: seeds each epoch's training negatives with the epoch (default 0).
        within_batch: show the model the batch's events for reads at strictly later times
            (default True, DyGLib's protocol).
        eval_negatives: ``{'valid': [E_valid, K], 'test': [E_test, K]}`` destinations each
            event of the split is ranked against (``-1`` pads), in the split's event order:
            TGB's protocol, and ``mrr`` the primary metric.
    """

    higher_is_better = True
    out_channels = 1

    def __init__(self, *, src: Tensor, dst: Tensor, t: Tensor, msg: Tensor, x: Tensor, split: dict[str, Tensor],
                 val_time: float, batch_size: int, device: torch.device,
                 negatives: tuple[str, ...] = STRATEGIES, seed: int = 0, within_batch: bool = True,
                 eval_negatives: dict[str, Tensor] | None = None) -> None:
        unknown = [s for s in negatives if s not in STRATEGIES]
        if unknown:
            raise ConfigError(f"task.negatives: unknown strategy {unknown[0]!r}; valid: {', '.join(STRATEGIES)}")
        if batch_size < 1:
            raise ConfigError(f"data.batch_size must be >= 1, got {batch_size}")
        self.strategies = ("random",) + tuple(s for s in STRATEGIES if s in negatives and s != "random")
        self.src, self.dst, self.t = src.long(), dst.long(), t.double()
        self.msg, self.x = msg.float(), x.float()
        self.split, self.val_time = split, val_time
        self.batch_size, self.device, self.seed = batch_size, device, seed
        self.within_batch = within_batch
        self.num_nodes = int(x.size(0))
        self.eval_negatives = eval_negatives or {}
        for name, ranked in self.eval_negatives.items():
            if name not in ("valid", "test") or ranked.dim() != 2 or ranked.size(0) != split[name].numel():
                raise ConfigError(f"eval_negatives[{name!r}]: expected [events of the split, K] for valid/test, got "
                                  f"{tuple(ranked.shape)}")
        self.metric = "mrr" if self.eval_negatives else "ap"
        train = split["train"]
        self._train_dst = torch.unique(self.dst[train])
        self._new_node = {name: torch.zeros(self.t.numel(), dtype=torch.bool) for name in ("valid", "test")}
        for name in ("valid", "test"):
            self._new_node[name][split[f"new_node_{name}"]] = True

    def model_inputs(self) -> ModelInputs:
        return ModelInputs(level="temporal", out_channels=1, num_features=int(self.x.size(1)),
                           num_edge_features=int(self.msg.size(1)), num_nodes=self.num_nodes)

    # ------------------------------------------------------------------ training
    def _events(self, index: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        d = self.device
        return (self.src[index].to(d), self.dst[index].to(d), self.t[index].float().to(d),
                self.msg[index].to(d))

    def train_batches(self, epoch: int) -> Iterator[EventBatch]:
        """Training events in time order; negatives from a generator seeded by (seed, epoch)."""
        index = self.split["train"]
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch)
        pick = torch.randint(0, self._train_dst.numel(), (index.numel(),), generator=generator)
        neg_dst = self._train_dst[pick]
        for number, start in enumerate(range(0, index.numel(), self.batch_size)):
            chunk = index[start:start + self.batch_size]
            yield EventBatch(chunk, self.src[chunk].view(1, -1), neg_dst[start:start + self.batch_size].view(1, -1),
                             number, reset=number == 0)

    def training_step(self, model: nn.Module, batch: EventBatch) -> Tensor:
        model = self._temporal(model)
        if batch.reset:
            model.reset_state()
        else:
            model.detach_state()
        src, dst, t, msg = self._events(batch.index)
        b = src.numel()
        logits = model(self.x.to(self.device), torch.cat([src, batch.neg_src[0].to(self.device)]),
                       torch.cat([dst, batch.neg_dst[0].to(self.device)]), torch.cat([t, t]),
                       (src, dst, t, msg) if self.within_batch else None)
        model.observe(src, dst, t, msg)
        pos, neg = logits[:b], logits[b:]
        return F.binary_cross_entropy_with_logits(pos, torch.ones_like(pos)) + \
            F.binary_cross_entropy_with_logits(neg, torch.zeros_like(neg))

    # ---------------------------------------------------------------- evaluation
    def eval_batches(self, split: str) -> Iterator[EventBatch]:
        """The split's events in time order, each batch with one negative per strategy;
        the first batch resets the model and replays the stream before the split."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; valid: {', '.join(SPLITS)}")
        index = self.split[split]
        samplers = [NegativeSampler(self.src, self.dst, self.t, strategy=s, last_observed_time=self.val_time,
                                    seed=_EVAL_SEEDS[split]) for s in self.strategies]
        first = int(index[0]) if index.numel() else 0
        history = torch.arange(first) if split != "train" else torch.empty(0, dtype=torch.long)
        ranked = self.eval_negatives.get(split)
        for number, start in enumerate(range(0, index.numel(), self.batch_size)):
            chunk = index[start:start + self.batch_size]
            negs = [s.sample(self.src[chunk], self.dst[chunk], self.t[chunk]) for s in samplers]
            yield EventBatch(chunk, torch.stack([n[0] for n in negs]), torch.stack([n[1] for n in negs]), number,
                             reset=number == 0, history=history if number == 0 else None,
                             ranked=None if ranked is None else ranked[start:start + self.batch_size].long())

    @staticmethod
    def _temporal(model: nn.Module) -> TemporalLinkModel:
        if not isinstance(model, TemporalLinkModel):
            raise ConfigError(f"model {type(model).__name__} is not a temporal link model (it needs reset_state, "
                              f"detach_state and observe); use tgn, graphmixer or todyformer")
        return model

    def _ranked_scores(self, model: TemporalLinkModel, x: Tensor, events: tuple[Tensor, Tensor, Tensor],
                       ranked: Tensor, pending: tuple | None) -> Tensor:
        """Scores ``[B, K]`` of each event's source against its ranked destinations at the
        event's time (NaN at pads), in chunks. The model's state does not change between
        calls (only ``observe`` changes it), and each chunk is scored beside the batch's own
        events, so a model that reads the whole call (Todyformer encodes its window at the
        call's first time) scores every chunk as it scores the batch."""
        src, dst, t = events
        ranked = ranked.to(self.device)
        keep = ranked >= 0
        rows = keep.nonzero()[:, 0]
        q_src, q_dst, q_t = src[rows], ranked[keep], t[rows]
        b, parts = src.numel(), []
        for i in range(0, q_src.numel(), _RANK_CHUNK):
            logits = model(x, torch.cat([src, q_src[i:i + _RANK_CHUNK]]), torch.cat([dst, q_dst[i:i + _RANK_CHUNK]]),
                           torch.cat([t, q_t[i:i + _RANK_CHUNK]]), pending)
            parts.append(logits.view(-1)[b:])
        out = torch.full(ranked.shape, float("nan"), device=self.device)
        if parts:
            out[keep] = torch.cat(parts).float()
        return out

    @torch.no_grad()
    def eval_step(self, model: nn.Module, batch: EventBatch) -> tuple[Tensor, Tensor]:
        """(scores ``[B, 1 + S (+ K)]``: the event's, each strategy's negative, then each ranked
        destination's when the split has TGB negatives (NaN pads); target ``[B, 2]``: batch
        number and whether the event has a new node)."""
        model = self._temporal(model)
        x = self.x.to(self.device)
        if batch.reset:
            model.reset_state()
            for start in range(0, batch.history.numel(), self.batch_size):
                model.observe(*self._events(batch.history[start:start + self.batch_size]))
        src, dst, t, msg = self._events(batch.index)
        s, b = batch.neg_src.size(0), src.numel()
        pending = (src, dst, t, msg) if self.within_batch else None
        logits = model(x, torch.cat([src, batch.neg_src.to(self.device).view(-1)]),
                       torch.cat([dst, batch.neg_dst.to(self.device).view(-1)]), t.repeat(1 + s), pending)
        scores = logits.view(1 + s, b).t()
        if batch.ranked is not None:
            scores = torch.cat([scores, self._ranked_scores(model, x, (src, dst, t), batch.ranked, pending)], 1)
        model.observe(src, dst, t, msg)
        split_new = self._new_node["test"] | self._new_node["valid"]
        target = torch.stack([torch.full((b,), float(batch.number)), split_new[batch.index].float()], 1)
        return scores.cpu(), target

    def metrics(self, pred: Tensor, target: Tensor) -> dict[str, float]:
        out: dict[str, float] = {}
        ranked = pred[:, 1 + len(self.strategies):]
        if ranked.size(1):
            out["mrr"] = mean_reciprocal_rank(pred[:, 0], ranked)
        elif self.metric == "mrr":
            out["mrr"] = float("nan")  # the training split has no published negatives
        new = target[:, 1] > 0.5
        new_batch = torch.arange(int(new.sum())) // self.batch_size
        for k, strategy in enumerate(self.strategies):
            suffix = "" if strategy == "random" else f"_{strategy}"
            ap, auc = batch_averaged_metrics(pred[:, 0], pred[:, 1 + k], target[:, 0])
            out[f"ap{suffix}"], out[f"auc{suffix}"] = ap, auc
            if bool(new.any()):
                ap, auc = batch_averaged_metrics(pred[new, 0], pred[new, 1 + k], new_batch)
                out[f"new_ap{suffix}"], out[f"new_auc{suffix}"] = ap, auc
        return out

    @torch.no_grad()
    def event_scores(self, model: nn.Module, split: str) -> Tensor:
        """Scores ``[E_split, 1 + S (+ K)]`` of a whole split, in event order (tests, analyses)."""
        model.eval()
        return torch.cat([self.eval_step(model, batch)[0] for batch in self.eval_batches(split)])


def build_temporal_link_prediction_task(cfg: TemporalLinkPredictionTaskConfig, dataset: LoadedDataset,
                                        ctx: TaskContext) -> TemporalLinkPredictionTask:
    """TASKS build function: the stream, split and sizes of a ``dyglib:`` dataset."""
    data = dataset.data
    if data is None or not all(hasattr(data, k) for k in ("src", "dst", "t", "msg")):
        raise ConfigError(f"dataset {dataset.name} is not an event stream; temporal link prediction reads "
                          f"dyglib:<name> datasets")
    eval_negatives = dataset.extra.get("eval_negatives")
    primary, why = (("mrr", "validation MRR against its published negatives") if eval_negatives
                    else ("ap", "validation AP, random negatives"))
    if cfg.metric not in (None, primary):
        raise ConfigError(f"task.metric {cfg.metric!r}: temporal link prediction on {dataset.name} selects on "
                          f"{primary!r} ({why}); other metrics are reported beside it")
    if ctx.dist.world_size > 1:
        raise ConfigError("temporal link prediction reads the stream in order and runs in one process")
    return TemporalLinkPredictionTask(
        src=data.src, dst=data.dst, t=data.t, msg=data.msg, x=data.x, split=dataset.splits[ctx.split_index],
        val_time=float(dataset.extra["val_time"]), batch_size=ctx.batch_size, device=ctx.device,
        negatives=tuple(cfg.negatives), seed=ctx.seed, within_batch=cfg.within_batch, eval_negatives=eval_negatives,
    )
