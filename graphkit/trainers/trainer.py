"""The one training loop: any task, any model, checkpointed every epoch."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from graphkit.config.run_config import OptimConfig
from graphkit.distributed import DistContext
from graphkit.errors import TrainingError
from graphkit.tasks.metrics import metric_direction
from graphkit.tasks.task import Task
from graphkit.trainers import checkpoint as ckpt
from graphkit.trainers.epoch_progress import EpochProgress
from graphkit.trainers.optim import build_optimizer, build_scheduler
from graphkit.trainers.run_dir import RunDir

# Called after every epoch with the metrics row (rank 0 only), once the row and last.pt are
# written; trackers and sweep pruners hook in here. A callback may raise
# graphkit.trainers.run_stopped.RunStopped to end the run after this epoch.
EpochCallback = Callable[[dict[str, Any]], None]
_Plateau = torch.optim.lr_scheduler.ReduceLROnPlateau


@dataclass
class FitResult:
    best_epoch: int
    epochs_run: int
    val: dict[str, float]
    test: dict[str, float]
    seconds: float


def evaluate(model: nn.Module, task: Task, split: str, dist: DistContext = DistContext()) -> dict[str, float]:
    """All metrics of ``split`` ("train", "valid" or "test"); under multi-process training
    every rank's shard is gathered so all ranks return the same numbers."""
    model.eval()
    preds, targets = [], []
    with torch.no_grad():
        for batch in task.eval_batches(split):
            pred, target = task.eval_step(model, batch)
            preds.append(pred)
            targets.append(target)
    local = (torch.cat(preds), torch.cat(targets)) if preds else None
    parts = [p for p in dist.gather_objects(local) if p is not None]
    return task.metrics(torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts]))


def final_evaluation(model: nn.Module, task: Task, seed: int, splits: tuple[str, ...] = ("valid", "test"),
                     dist: DistContext = DistContext()) -> dict[str, dict[str, float]]:
    """The reported metrics of a trained model. Each split is evaluated from the same RNG
    state (``seed``), so models that draw at evaluation time (Mamba's noisy orderings) give
    the same numbers when a reloaded run is evaluated again (``graphkit eval``)."""
    out = {}
    for split in splits:
        ckpt.seed_everything(seed)
        out[split] = evaluate(model, task, split, dist)
    return out


class Trainer:
    """Trains one model on one task (one seed, one split), resumable after a kill.

    Every epoch ends with an atomic ``last.pt`` (weights, optimizer, scheduler, every
    rank's RNG state, early-stopping state) so ``--resume`` continues bit-for-bit;
    improvements on the validation metric write ``best.pt``, which is reloaded for the
    final evaluation. Under ``torch.distributed`` the model is wrapped in
    ``DistributedDataParallel``, the loss is averaged over ranks, evaluation shards are
    gathered, and only rank 0 writes files or calls ``callbacks``.

    Args:
        optim: optimizer / schedule / clipping settings.
        epochs: maximum epochs.
        run_dir: where checkpoints and metrics go.
        device: the device the task's batches are on.
        patience: evaluations without improvement before stopping (None = never).
        eval_every: evaluate every N epochs (and always at the last).
        progress: show progress on stderr: epoch and per-batch bars on a terminal, one
            line per epoch otherwise (see :class:`EpochProgress`).
        label: what the progress lines name before the seed and split (e.g. a sparsify stage).
        callbacks: called with each epoch's metrics row.
        dist: this process's place in a multi-process job.
        monitor: validation metric for model selection (default: the task's metric).
        checkpoint_meta: the ``build`` entry saved in every checkpoint (model config, data
            sizes, task; :func:`graphkit.runs.build_checkpoint_meta`) so that each one
            rebuilds its model on its own.
    """

    def __init__(
        self,
        *,
        optim: OptimConfig,
        epochs: int,
        run_dir: RunDir,
        device: torch.device,
        patience: Optional[int] = None,
        eval_every: int = 1,
        progress: bool = True,
        callbacks: tuple[EpochCallback, ...] = (),
        dist: DistContext = DistContext(),
        monitor: Optional[str] = None,
        checkpoint_meta: Optional[dict[str, Any]] = None,
        label: str = "",
    ) -> None:
        self.checkpoint_meta = checkpoint_meta
        self.optim_cfg = optim
        self.monitor = monitor
        self.epochs, self.patience, self.eval_every = epochs, patience, eval_every
        self.run_dir, self.device, self.dist = run_dir, device, dist
        self.progress = progress and dist.is_main
        self.callbacks = callbacks if dist.is_main else ()
        self.label = label

    def evaluate(self, model: nn.Module, task: Task, split: str) -> dict[str, float]:
        return evaluate(model, task, split, self.dist)

    @staticmethod
    def _better(higher_is_better: bool, value: float, best: Optional[float]) -> bool:
        if best is None:
            return True
        return value > best if higher_is_better else value < best

    def _save(self, obj: dict[str, Any], path) -> None:
        if self.dist.is_main:
            if self.checkpoint_meta is not None:
                obj = {**obj, "build": self.checkpoint_meta}
            ckpt.save_atomic(obj, path)

    def _load_best(self, seed: int, split: int) -> dict[str, Any]:
        state = ckpt.load(self.run_dir.best, self.device, remedy=(
            f"delete it and {self.run_dir.last.name} and --resume again to retrain seed {seed} "
            f"split {split} (finished seeds/splits are kept), or start a new run"))
        if not isinstance(state, dict) or "model" not in state:
            raise TrainingError(f"checkpoint {self.run_dir.best} holds no model weights; delete it and "
                                f"{self.run_dir.last.name} and --resume again")
        return state

    def fit(self, model: nn.Module, task: Task, *, seed: int, split: int, resume: bool = False) -> FitResult:
        raw = model.to(self.device)
        if self.dist.enabled:
            ids = [self.device.index] if self.device.type == "cuda" else None
            model = DistributedDataParallel(raw, device_ids=ids)
        monitor = self.monitor or task.metric
        # a task knows the direction of its own metric (pretraining losses, custom scores)
        higher = task.higher_is_better if monitor == task.metric else metric_direction(monitor)
        optimizer = build_optimizer(raw, self.optim_cfg)
        scheduler = build_scheduler(optimizer, self.optim_cfg, self.epochs, higher)
        start_epoch, best_val, best_epoch, bad_evals, elapsed = 0, None, -1, 0, 0.0
        epoch = -1
        if resume and self.run_dir.last.is_file():
            state = ckpt.load(self.run_dir.last, self.device, remedy=(
                f"delete it and --resume again to restart seed {seed} split {split} from epoch 0 "
                f"(finished seeds/splits are kept), or start a new run"))
            if not isinstance(state, dict) or not {"seed", "split", "epoch", "rng"} <= set(state):
                raise TrainingError(f"checkpoint {self.run_dir.last} is not a graphkit training state; "
                                    f"delete it and --resume again, or start a new run")
            if (state["seed"], state["split"]) == (seed, split):
                if len(state["rng"]) != self.dist.world_size:
                    raise TrainingError(
                        f"{self.run_dir.last} was written by {len(state['rng'])} process(es); "
                        f"resume it with the same number (now {self.dist.world_size})"
                    )
                raw.load_state_dict(state["model"])
                optimizer.load_state_dict(state["optimizer"])
                if scheduler is not None:
                    scheduler.load_state_dict(state["scheduler"])
                ckpt.set_rng_state(state["rng"][self.dist.rank])
                epoch = state["epoch"]
                start_epoch = self.epochs if state["stopped"] else epoch + 1
                best_val, best_epoch = state["best_val"], state["best_epoch"]
                bad_evals, elapsed = state["bad_evals"], state["seconds"]
                if best_epoch >= 0:  # fail now, not after the remaining epochs
                    self._load_best(seed, split)
        if resume and self.dist.is_main:
            # rows of epochs after the checkpoint (or of a run that had none yet) are redone
            self.run_dir.truncate_metrics(seed, split, epoch)
        bar = EpochProgress(enabled=self.progress, desc=f"{self.label} seed {seed} split {split}".lstrip(),
                            start_epoch=start_epoch, epochs=self.epochs)
        t0 = time.perf_counter() - elapsed
        for epoch in bar:
            model.train()
            total, count = 0.0, 0
            for batch in bar.batches(task.train_batches(epoch), epoch):
                optimizer.zero_grad(set_to_none=True)
                loss = task.training_step(model, batch)
                finite = bool(torch.isfinite(loss))
                if self.dist.enabled:  # every rank must stop together, or the others hang
                    finite = self.dist.mean(float(finite)) == 1.0
                if not finite:
                    raise TrainingError(
                        f"loss is {loss.item()} at epoch {epoch} (seed {seed}, split {split}); "
                        f"stopped, last good checkpoint: {self.run_dir.last}"
                    )
                loss.backward()
                if self.optim_cfg.clip_grad_norm is not None:
                    nn.utils.clip_grad_norm_(raw.parameters(), self.optim_cfg.clip_grad_norm)
                optimizer.step()
                total += float(loss.detach())
                count += 1
            row: dict[str, Any] = {
                "seed": seed, "split": split, "epoch": epoch,
                "train_loss": self.dist.mean(total / max(count, 1)),
                "lr": optimizer.param_groups[0]["lr"],
            }
            if (epoch + 1) % self.eval_every == 0 or epoch == self.epochs - 1:
                val = self.evaluate(model, task, "valid")
                row.update({f"val_{k}": v for k, v in val.items()})
                if monitor not in val:
                    raise TrainingError(f"trainer.monitor {monitor!r} is not among the validation metrics: {', '.join(val)}")
                if self._better(higher, val[monitor], best_val):
                    best_val, best_epoch, bad_evals = val[monitor], epoch, 0
                    self._save({"model": raw.state_dict(), "epoch": epoch, "val": val}, self.run_dir.best)
                else:
                    bad_evals += 1
                if isinstance(scheduler, _Plateau):
                    scheduler.step(val[monitor])
            if scheduler is not None and not isinstance(scheduler, _Plateau):
                scheduler.step()
            row["seconds"] = time.perf_counter() - t0
            bar.end_epoch(row, monitor)
            stop = self.patience is not None and bad_evals >= self.patience
            rngs = self.dist.gather_objects(ckpt.rng_state())
            # The row goes first: a kill before last.pt is replaced reruns this epoch, and
            # the resume drops the row (truncate_metrics), so every epoch is logged once.
            if self.dist.is_main:
                self.run_dir.append_metrics(row)
            self._save(
                {
                    "model": raw.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict() if scheduler is not None else None,
                    "rng": rngs, "epoch": epoch, "seed": seed, "split": split,
                    "best_val": best_val, "best_epoch": best_epoch, "bad_evals": bad_evals,
                    "seconds": row["seconds"], "stopped": stop,
                },
                self.run_dir.last,
            )
            for callback in self.callbacks:
                callback(row)
            if stop:
                break
        bar.close()
        self.dist.barrier()  # rank 0 has written best.pt
        if not self.run_dir.best.is_file():
            raise TrainingError(f"no validation round ran (seed {seed}); check trainer.eval_every")
        raw.load_state_dict(self._load_best(seed, split)["model"])
        final = final_evaluation(model, task, seed, dist=self.dist)
        val, test = final["valid"], final["test"]
        if math.isnan(val[monitor]):
            raise TrainingError(f"validation {monitor} is NaN for seed {seed}")
        return FitResult(best_epoch=best_epoch, epochs_run=epoch + 1, val=val, test=test,
                         seconds=time.perf_counter() - t0)
