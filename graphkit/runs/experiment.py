"""Runs a config over its seeds and split indices and aggregates mean ± std."""

from __future__ import annotations

import shutil
import time
from typing import Any, Sequence

import numpy as np
import torch

from graphkit.aggregate import aggregate_runs
from graphkit.config import RunConfig, to_dict
from graphkit.distributed import DistContext
from graphkit.errors import ConfigError
from graphkit.models import build_model
from graphkit.runs.checkpoint_meta import build_checkpoint_meta
from graphkit.runs.run_setup import load_run_dataset, resolve_device, run_model_inputs, run_task
from graphkit.tasks import resolve_task_config
from graphkit.tasks.task import RunArtifactsHook
from graphkit.tracking.wandb_tracker import WandbTracker
from graphkit.trainers import checkpoint as ckpt
from graphkit.trainers.cpu_threads import default_threads, nodes_per_step
from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.run_stopped import RunStopped
from graphkit.trainers.trainer import EpochCallback, Trainer


def run_experiment(
    cfg: RunConfig,
    run_dir: RunDir,
    *,
    resume: bool = False,
    progress: bool = True,
    dist: DistContext = DistContext(),
    callbacks: Sequence[EpochCallback] = (),
) -> dict[str, Any]:
    """Trains every (seed, split index) of ``cfg`` and writes ``results.json``.

    ``callbacks`` are called after every epoch with its metrics row (after the W&B
    tracker's), beside the seed and split it belongs to; one raising
    :class:`~graphkit.trainers.run_stopped.RunStopped` ends the run there (a pruned sweep trial).

    With ``resume``, finished (seed, split) runs are read back from the run directory
    and the interrupted one continues from ``checkpoints/last.pt``. Under multi-process
    training every rank calls this; rank 0 alone writes files and tracks.
    """
    started = time.perf_counter()
    device = resolve_device(cfg.trainer.device)
    if device.type == "cuda" and dist.enabled:
        device = torch.device("cuda", dist.local_rank)
    if cfg.trainer.threads is not None:
        torch.set_num_threads(cfg.trainer.threads)
    dataset = load_run_dataset(cfg.data)
    if cfg.trainer.threads is None:
        torch.set_num_threads(default_threads(nodes_per_step(dataset, cfg.data.batch_size), torch.get_num_threads()))
    task_cfg = resolve_task_config(cfg.task, dataset)
    task_name = task_cfg.name
    # datasets whose splits live elsewhere (OGB link splits in extra, per-seed edge splits,
    # embedding benchmarks) have no node/graph split list to index
    for split in cfg.data.splits if dataset.splits else ():
        if not 0 <= split < len(dataset.splits):
            raise ConfigError(
                f"data.splits: split index {split} out of range; {dataset.name} "
                f"({cfg.data.split}) has {len(dataset.splits)} split(s): 0..{len(dataset.splits) - 1}"
            )
    if progress and dist.is_main and dataset.splits and len(cfg.data.splits) < len(dataset.splits):
        protocol = dataset.extra.get("split_protocol", cfg.data.split)
        every = ",".join(str(i) for i in range(len(dataset.splits)))
        print(f"note: runs split{'s' if len(cfg.data.splits) > 1 else ''} "
              f"{', '.join(map(str, cfg.data.splits))} of the {len(dataset.splits)} {protocol} splits of "
              f"{dataset.name}; data.splits=[{every}] runs them all")
    if not resume and dist.is_main:
        run_dir.write_config(to_dict(cfg))
    done = {(r["seed"], r["split"]): r for r in run_dir.completed()}
    wall_before = sum(r["seconds"] for r in done.values())
    runs: list[dict[str, Any]] = []
    params = 0
    # a run in a named group (a sweep's trial-0003) is told apart by its own directory's name
    run_label = run_dir.path.name if cfg.tracking.wandb.group else run_dir.path.parent.name
    for seed in cfg.seeds:
        for split in cfg.data.splits:
            if (seed, split) in done:
                runs.append(done[(seed, split)])
                continue
            ckpt.seed_everything(seed)
            task = run_task(cfg, dataset, data=cfg.data, split=split, seed=seed, device=device, dist=dist,
                            task_cfg=task_cfg)
            inputs = run_model_inputs(task, cfg.model, dataset, task_name)
            model = build_model(cfg.model, inputs)
            params = sum(p.numel() for p in model.parameters())
            tracker = WandbTracker(
                mode=cfg.tracking.wandb.mode if dist.is_main else "disabled", project=cfg.tracking.wandb.project,
                entity=cfg.tracking.wandb.entity, tags=cfg.tracking.wandb.tags,
                run_dir=run_dir.path, name=f"{run_label}-s{seed}-k{split}",
                group=cfg.tracking.wandb.group or run_dir.path.parent.name, config=to_dict(cfg),
            )
            trainer = Trainer(
                optim=cfg.optim, epochs=cfg.trainer.epochs, patience=cfg.trainer.patience,
                eval_every=cfg.trainer.eval_every, run_dir=run_dir, device=device,
                progress=progress, callbacks=(tracker.log, *callbacks), dist=dist, monitor=cfg.trainer.monitor,
                checkpoint_meta=build_checkpoint_meta(cfg.model, inputs, task_name),
            )
            status = "failed"
            try:
                fit = trainer.fit(model, task, seed=seed, split=split, resume=resume)
                status = "finished"
            except RunStopped:
                status = "stopped"
                raise
            finally:
                tracker.summary({"status": status})
                tracker.finish()
            result = {
                "seed": seed, "split": split, "metric": task.metric, "best_epoch": fit.best_epoch,
                "epochs_run": fit.epochs_run, "val": fit.val, "test": fit.test,
                "seconds": fit.seconds, "params": params,
            }
            if dist.is_main:
                shutil.copyfile(run_dir.best, run_dir.best_of(seed, split))
                if isinstance(task, RunArtifactsHook):
                    for name, array in task.artifacts(model).items():
                        np.save(run_dir.path / f"{name}-seed{seed}-split{split}.npy", np.asarray(array))
                run_dir.mark_completed(result)
            runs.append(result)
            resume = False  # only the first unfinished run continues from last.pt
    results = {
        "task": task_name,
        "dataset": dataset.name,
        "model": cfg.model.name,
        "metric": runs[0]["metric"],  # the task's primary metric (link tasks: hits@K)
        "seeds": list(cfg.seeds),
        "splits": list(cfg.data.splits),
        "val": aggregate_runs(runs, "val"),
        "test": aggregate_runs(runs, "test"),
        "params": params or runs[-1].get("params", 0),
        "wall_seconds": wall_before + (time.perf_counter() - started),
        "runs": runs,
        "processes": dist.world_size,
    }
    if dist.is_main:
        run_dir.write_results(results)
    return results
