"""Runs GraphCLIP pretraining on the shared trainer and writes a self-describing run."""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn

from graphkit.config import to_dict
from graphkit.config.loader import from_dict
from graphkit.errors import ConfigError
from graphkit.models.graph_clip import GraphCLIP, GraphCLIPConfig, build_graph_clip
from graphkit.pretrain.build import build_graphclip_task
from graphkit.pretrain.pretrain_config import PretrainConfig
from graphkit.tracking.wandb_tracker import WandbTracker
from graphkit.trainers import checkpoint as ckpt
from graphkit.trainers.distributed import DistContext
from graphkit.trainers.experiment import resolve_device
from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.trainer import Trainer

TASK_NAME = "graphclip"


def checkpoint_meta(cfg: PretrainConfig, text_dim: int) -> dict[str, Any]:
    """What rebuilds the model and its inputs without the run directory: the model config
    and data-derived sizes (``build``), and the text / subgraph settings (``graphclip``)."""
    return {
        "build": {"format": 1, "model": to_dict(cfg.model), "task": TASK_NAME,
                  "inputs": {"level": "graph", "out_channels": text_dim, "num_features": text_dim,
                             "rwse_dim": cfg.task.rwse_steps}},
        "graphclip": {"text_model": cfg.task.text_model, "sampler": cfg.task.sampler_options()},
    }


def load_graph_clip(path: str | Path, device: str = "cpu") -> tuple[GraphCLIP, dict[str, Any]]:
    """The model of a GraphCLIP checkpoint (eval mode) and its ``graphclip`` settings."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"checkpoint {path} does not exist")
    state = ckpt.load(path, device)
    if "build" not in state or "graphclip" not in state:
        raise ConfigError(f"{path} is not a GraphCLIP checkpoint (no build/graphclip entries)")
    build = state["build"]
    cfg = from_dict(GraphCLIPConfig, build["model"])
    model = build_graph_clip(cfg, build["inputs"]["num_features"], build["inputs"]["rwse_dim"])
    model.load_state_dict(state["model"])
    return model.to(device).eval(), state["graphclip"]


def resolve_checkpoint(run_or_checkpoint: str | Path, which: str = "best") -> Path:
    path = Path(run_or_checkpoint)
    if path.is_file():
        return path
    if path.is_dir() and (path / "checkpoints" / f"{which}.pt").is_file():
        return path / "checkpoints" / f"{which}.pt"
    raise ConfigError(f"{path}: neither a checkpoint file nor a run directory with checkpoints/{which}.pt")


def _stamp(path: Path, meta: dict[str, Any]) -> None:
    if path.is_file():
        state = ckpt.load(path)
        state.update(meta)
        ckpt.save_atomic(state, path)


def run_pretraining(cfg: PretrainConfig, run_dir: RunDir, *, resume: bool = False, progress: bool = True,
                    dist: DistContext = DistContext()) -> dict[str, Any]:
    started = time.perf_counter()
    device = resolve_device(cfg.trainer.device)
    if device.type == "cuda" and dist.enabled:
        device = torch.device("cuda", dist.local_rank)
    if cfg.trainer.threads is not None:
        torch.set_num_threads(cfg.trainer.threads)
    if not resume and dist.is_main:
        run_dir.write_config(to_dict(cfg))
    if not isinstance(cfg.model, GraphCLIPConfig):
        raise ConfigError(f"graphkit pretrain trains model.name: graphclip, not {cfg.model.name!r}")
    task = build_graphclip_task(cfg.task, cfg.data.sources, batch_size=cfg.data.batch_size, device=device,
                                dist=dist, root=cfg.data.root, progress=progress)
    done = {(r["seed"], r["split"]): r for r in run_dir.completed()}
    runs = []
    for seed in cfg.seeds:
        if (seed, 0) in done:
            runs.append(done[(seed, 0)])
            continue
        ckpt.seed_everything(seed)
        model: nn.Module = build_graph_clip(cfg.model, task.out_channels, cfg.task.rwse_steps)
        tracker = WandbTracker(
            mode=cfg.tracking.wandb.mode if dist.is_main else "disabled", project=cfg.tracking.wandb.project,
            entity=cfg.tracking.wandb.entity, tags=cfg.tracking.wandb.tags, run_dir=run_dir.path,
            name=f"{run_dir.path.parent.name}-s{seed}", group=run_dir.path.parent.name, config=to_dict(cfg))
        trainer = Trainer(optim=cfg.optim, epochs=cfg.trainer.epochs, patience=cfg.trainer.patience,
                          eval_every=cfg.trainer.eval_every, run_dir=run_dir, device=device, progress=progress,
                          callbacks=(tracker.log,), dist=dist, monitor=cfg.trainer.monitor)
        status = "failed"
        try:
            fit = trainer.fit(model, task, seed=seed, split=0, resume=resume)
            status = "finished"
        finally:
            tracker.summary({"status": status})
            tracker.finish()
        result = {"seed": seed, "split": 0, "metric": task.metric, "best_epoch": fit.best_epoch,
                  "epochs_run": fit.epochs_run, "val": fit.val, "test": fit.test, "seconds": fit.seconds,
                  "params": sum(p.numel() for p in model.parameters())}
        if dist.is_main:
            meta = checkpoint_meta(cfg, task.out_channels)
            _stamp(run_dir.best, meta)
            _stamp(run_dir.last, meta)
            shutil.copyfile(run_dir.best, run_dir.best_of(seed, 0))
            run_dir.mark_completed(result)
        runs.append(result)
        resume = False
    results = {"task": TASK_NAME, "dataset": "+".join(cfg.data.sources), "model": cfg.model.name,
               "metric": task.metric, "seeds": list(cfg.seeds), "runs": runs,
               "val": runs[-1]["val"], "test": runs[-1]["test"],
               "wall_seconds": time.perf_counter() - started, "processes": dist.world_size}
    if dist.is_main:
        run_dir.write_results(results)
    return results
