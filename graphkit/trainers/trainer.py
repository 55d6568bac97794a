"""The one training loop: any task, any model, checkpointed every epoch."""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

import torch
from torch import nn
from tqdm.auto import tqdm

from graphkit.config.run_config import OptimConfig
from graphkit.errors import TrainingError
from graphkit.tasks.task import Task
from graphkit.trainers import checkpoint as ckpt
from graphkit.trainers.optim import build_optimizer, build_scheduler
from graphkit.trainers.run_dir import RunDir

# Called after every epoch with the metrics row; trackers (W&B) hook in here.
EpochCallback = Callable[[dict[str, Any]], None]


@dataclass
class FitResult:
    best_epoch: int
    epochs_run: int
    val: dict[str, float]
    test: dict[str, float]
    seconds: float


class Trainer:
    """Trains one model on one task (one seed, one split), resumable after a kill.

    Every epoch ends with an atomic ``last.pt`` (weights, optimizer, scheduler, RNG state,
    early-stopping state) so ``--resume`` continues bit-for-bit; improvements on the
    validation metric write ``best.pt``, which is reloaded for the final evaluation.

    Args:
        optim: optimizer / schedule / clipping settings.
        epochs: maximum epochs.
        patience: evaluations without improvement before stopping (None = never).
        eval_every: evaluate every N epochs (and always at the last).
        run_dir: where checkpoints and metrics go.
        device: the device the task's batches are on.
        progress: show a tqdm bar.
        callbacks: called with each epoch's metrics row.
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
    ) -> None:
        self.optim_cfg = optim
        self.epochs, self.patience, self.eval_every = epochs, patience, eval_every
        self.run_dir, self.device = run_dir, device
        self.progress, self.callbacks = progress, callbacks

    def evaluate(self, model: nn.Module, task: Task, split: str) -> dict[str, float]:
        model.eval()
        preds, targets = [], []
        with torch.no_grad():
            for batch in task.eval_batches(split):
                pred, target = task.eval_step(model, batch)
                preds.append(pred)
                targets.append(target)
        return task.metrics(torch.cat(preds), torch.cat(targets))

    def _better(self, task: Task, value: float, best: Optional[float]) -> bool:
        if best is None:
            return True
        return value > best if task.higher_is_better else value < best

    def fit(self, model: nn.Module, task: Task, *, seed: int, split: int, resume: bool = False) -> FitResult:
        model.to(self.device)
        optimizer = build_optimizer(model, self.optim_cfg)
        scheduler = build_scheduler(optimizer, self.optim_cfg, self.epochs, task.higher_is_better)
        start_epoch, best_val, best_epoch, bad_evals, elapsed = 0, None, -1, 0, 0.0
        if resume and self.run_dir.last.is_file():
            state = ckpt.load(self.run_dir.last, self.device)
            if (state["seed"], state["split"]) == (seed, split):
                model.load_state_dict(state["model"])
                optimizer.load_state_dict(state["optimizer"])
                if scheduler is not None:
                    scheduler.load_state_dict(state["scheduler"])
                ckpt.set_rng_state(state["rng"])
                start_epoch = state["epoch"] + 1
                best_val, best_epoch = state["best_val"], state["best_epoch"]
                bad_evals, elapsed = state["bad_evals"], state["seconds"]
                self.run_dir.truncate_metrics(seed, split, state["epoch"])
                if state["stopped"]:  # early-stopped just before the kill: only evaluate
                    start_epoch = self.epochs
        monitor = task.metric
        bar = tqdm(
            range(start_epoch, self.epochs), initial=start_epoch, total=self.epochs,
            desc=f"seed {seed} split {split}", disable=not self.progress, leave=False,
            file=sys.stderr, dynamic_ncols=True,
        )
        t0 = time.perf_counter() - elapsed
        epoch = start_epoch - 1 if start_epoch < self.epochs else state["epoch"]
        for epoch in bar:
            model.train()
            total, count = 0.0, 0
            for batch in task.train_batches(epoch):
                optimizer.zero_grad(set_to_none=True)
                loss = task.training_step(model, batch)
                if not torch.isfinite(loss):
                    raise TrainingError(
                        f"loss is {loss.item()} at epoch {epoch} (seed {seed}, split {split}); "
                        f"stopped, last good checkpoint: {self.run_dir.last}"
                    )
                loss.backward()
                if self.optim_cfg.clip_grad_norm is not None:
                    nn.utils.clip_grad_norm_(model.parameters(), self.optim_cfg.clip_grad_norm)
                optimizer.step()
                total += float(loss.detach())
                count += 1
            row: dict[str, Any] = {
                "seed": seed, "split": split, "epoch": epoch,
                "train_loss": total / max(count, 1), "lr": optimizer.param_groups[0]["lr"],
            }
            last_epoch = epoch == self.epochs - 1
            if (epoch + 1) % self.eval_every == 0 or last_epoch:
                val = self.evaluate(model, task, "valid")
                row.update({f"val_{k}": v for k, v in val.items()})
                if self._better(task, val[monitor], best_val):
                    best_val, best_epoch, bad_evals = val[monitor], epoch, 0
                    ckpt.save_atomic({"model": model.state_dict(), "epoch": epoch, "val": val},
                                     self.run_dir.best)
                else:
                    bad_evals += 1
                if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                    scheduler.step(val[monitor])
                bar.set_postfix(loss=f"{row['train_loss']:.4f}", val=f"{val[monitor]:.4f}")
            if scheduler is not None and not isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                scheduler.step()
            row["seconds"] = time.perf_counter() - t0
            stop = self.patience is not None and bad_evals >= self.patience
            ckpt.save_atomic(
                {
                    "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict() if scheduler is not None else None,
                    "rng": ckpt.rng_state(), "epoch": epoch, "seed": seed, "split": split,
                    "best_val": best_val, "best_epoch": best_epoch, "bad_evals": bad_evals,
                    "seconds": row["seconds"], "stopped": stop,
                },
                self.run_dir.last,
            )
            self.run_dir.append_metrics(row)
            for callback in self.callbacks:
                callback(row)
            if stop:
                break
        bar.close()
        if not self.run_dir.best.is_file():
            raise TrainingError(f"no validation round ran (seed {seed}); check trainer.eval_every")
        best = ckpt.load(self.run_dir.best, self.device)
        model.load_state_dict(best["model"])
        val = self.evaluate(model, task, "valid")
        test = self.evaluate(model, task, "test")
        seconds = time.perf_counter() - t0
        if math.isnan(val[monitor]):
            raise TrainingError(f"validation {monitor} is NaN for seed {seed}")
        return FitResult(best_epoch=best_epoch, epochs_run=epoch + 1, val=val, test=test, seconds=seconds)
