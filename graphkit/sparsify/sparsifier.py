"""``graphkit sparsify``: fine-tune a trained GPS run with masks toward a FLOPs budget,
compact it, and measure what was saved."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import math
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch
from torch import nn
from torch_geometric.data import Batch

from graphkit.aggregate import aggregate_runs
from graphkit.atomic import write_text_atomic
from graphkit.config import from_dict, to_dict
from graphkit.errors import ConfigError
from graphkit.progress import format_duration
from graphkit.runs import build_checkpoint_meta
from graphkit.sparsify.budget_plan import PlanCosts, learned_scores, magnitude_scores, random_scores, select_plan
from graphkit.sparsify.compact_gps import CompactGPSConfig
from graphkit.sparsify.compaction import compact
from graphkit.sparsify.gps_flops import GraphSizes, count_flops
from graphkit.sparsify.latency import compare_latency
from graphkit.sparsify.magnitude_pruner import MagnitudePruner
from graphkit.sparsify.masked_gps import MaskedGPS
from graphkit.sparsify.sparsify_config import SparsifyRunConfig
from graphkit.sparsify.sparsify_task import SparsifyTask
from graphkit.tracking.wandb_tracker import WandbTracker
from graphkit.trainers import checkpoint as ckpt
from graphkit.trainers.run_dir import RunDir
from graphkit.trainers.trainer import Trainer, evaluate

# GraphGPS (any global mixer), GMN and GSM++: their layers are GPS blocks
SPARSIFIABLE_MODELS = ("gps", "graph_mamba", "gsm")

# Why weights stay dense: benchmarks/sparse_linear.py (1 thread, the linear maps of a ZINC
# GPS layer on a 128-graph batch) measured torch's CSR/COO products at 0.05-0.6x the dense
# product's speed at 50 % sparsity, 0.6-1.3x at 70 %, and 2-5.7x only from 90 % (without
# the transposes they also need); the sparsify configs stay at or below 50 %.
SPARSE_KERNEL_NOTE = ("weights kept dense (zeros baked in): torch CSR/COO products lose to the dense "
                      "product below ~70% sparsity and win only from ~90% on this CPU "
                      "(benchmarks/sparse_linear.py, benchmarks/results/sparse_linear.json)")


def _params(model: nn.Module) -> dict[str, int]:
    total = sum(p.numel() for p in model.parameters())
    nonzero = sum(int((p != 0).sum()) for p in model.parameters())
    return {"params": total, "nonzero_params": nonzero}


class Sparsifier:
    """Sparsifies one trained run (see :func:`run_sparsify`).

    Args:
        loaded: the trained run (:func:`graphkit.load_run`).
        cfg: the sparsify config.
        out: the new run directory.
        progress: show progress on stderr: a line per stage and per (method, seed) with its
            result and an ETA, and the trainer's bars (a terminal) or epoch lines (a log).
        callbacks: passed to every fine-tuning :class:`Trainer` (called after each epoch).
    """

    def __init__(self, loaded: Any, cfg: SparsifyRunConfig, out: RunDir, progress: bool = False,
                 callbacks: tuple = ()) -> None:
        model_cfg = loaded.config.model
        if model_cfg.name not in SPARSIFIABLE_MODELS:
            raise ConfigError(f"graphkit sparsify works on GPS-family runs (model.name: "
                              f"{', '.join(SPARSIFIABLE_MODELS)}); {loaded.run_dir.path} has model "
                              f"{model_cfg.name!r}")
        if model_cfg.name != "gps" and cfg.sparsify.edge_ratio < 1.0:
            raise ConfigError(f"sparsify.edge_ratio < 1 is compacted for GraphGPS runs only, "
                              f"not {model_cfg.name!r}: set sparsify.edge_ratio=1.0")
        if not loaded.dataset.is_graph_level:
            raise ConfigError("graphkit sparsify covers graph-level tasks")
        self.loaded, self.cfg, self.out, self.progress = loaded, cfg, out, progress
        self.callbacks = callbacks
        self.dense_cfg = model_cfg
        self.dense = loaded.model.eval()
        self.task = loaded.task
        self.sizes = [GraphSizes.of(b) for b in self.task.eval_batches("valid")]
        self.test_batches = list(self.task.eval_batches("test"))
        dataset, split = loaded.dataset, loaded.split
        test_idx = dataset.splits[split]["test"][: cfg.sparsify.latency_graphs]
        self.latency_batch = Batch.from_data_list([dataset.graphs[int(i)] for i in test_idx])
        n_train = len(dataset.splits[split]["train"])
        full = math.ceil(n_train / loaded.config.data.batch_size)
        self.steps_per_epoch = max(1, math.ceil(cfg.sparsify.train_fraction * full))
        self.max_batches = self.steps_per_epoch if cfg.sparsify.train_fraction < 1.0 else None

    # ---- one (method, seed) ------------------------------------------------------------
    def _masked(self, method: str) -> tuple[MaskedGPS, Optional[MagnitudePruner]]:
        sp = self.cfg.sparsify
        learned = method == "learned"
        masked = MaskedGPS(copy.deepcopy(self.dense), layer_gates=learned and sp.layers,
                           head_gates=learned and sp.heads, ffn_gates=learned and sp.ffn_channels,
                           token_ratio=sp.token_ratio, edge_ratio=sp.edge_ratio, gate_scale=sp.gate_scale)
        pruner = None
        if sp.weight_sparsity > 0:
            total = (sp.gate_epochs + sp.fixed_epochs) * self.steps_per_epoch
            pruner = MagnitudePruner(sp.weight_sparsity, total, sp.prune_every, sp.weight_regrow)
            pruner.attach(masked.base.layers)
        return masked, pruner

    def _trainer(self, path: Path, epochs: int, callbacks: tuple, label: str) -> Trainer:
        return Trainer(optim=self.cfg.optim, epochs=epochs, run_dir=RunDir(path), device=torch.device("cpu"),
                       progress=self.progress, callbacks=callbacks, label=label)

    def _say(self, message: str) -> None:
        """A progress line on stderr (terminal or log) unless progress is off."""
        if self.progress:
            print(f"sparsify: {message}", file=sys.stderr, flush=True)

    def _distillation(self) -> dict[str, Any]:
        sp = self.cfg.sparsify
        return {"teacher": self.dense if sp.distill > 0 else None, "distill": sp.distill,
                "temperature": sp.distill_temperature}

    def _plan(self, method: str, seed: int, masked: MaskedGPS, pruner, costs: PlanCosts, resume: bool,
              callbacks: tuple) -> None:
        sp = self.cfg.sparsify
        if method == "magnitude":
            scores = magnitude_scores(masked)
            if not sp.ffn_channels:
                scores["ffn"] = None
        elif method == "random":
            scores = random_scores(masked, seed)
        else:
            stage = self.out.path / "finetune" / f"{method}-seed{seed}" / "gates"
            plan_file = stage / "plan.pt"
            if resume and plan_file.is_file():
                masked.load_state_dict(ckpt.load(plan_file)["model"])
                return
            if sp.gate_epochs > 0:
                trainer = self._trainer(stage, sp.gate_epochs, callbacks, f"{method} gates")
                task = SparsifyTask(self.task, masked, costs, sp.target_flops, sp.penalty, pruner, self.max_batches,
                                    ramp_steps=int(sp.penalty_ramp * sp.gate_epochs * self.steps_per_epoch),
                                    **self._distillation())
                frozen = [] if sp.gate_weights else [p for p in masked.base.parameters() if p.requires_grad]
                for p in frozen:
                    p.requires_grad_(False)
                try:
                    trainer.fit(masked, task, seed=seed, split=self.loaded.split, resume=resume)
                finally:
                    for p in frozen:
                        p.requires_grad_(True)
                # the plan comes from the gates at the end of the penalty schedule, not
                # from the best validation epoch (usually the least pruned)
                masked.load_state_dict(ckpt.load(trainer.run_dir.last)["model"])
            scores = learned_scores(masked)
            masked.fix(*select_plan(masked, self.sizes, sp.target_flops, scores))
            ckpt.save_atomic({"model": masked.state_dict()}, plan_file)
            return
        masked.fix(*select_plan(masked, self.sizes, sp.target_flops, scores))

    def run_one(self, method: str, seed: int, resume: bool) -> dict[str, Any]:
        """Plans, fine-tunes, compacts and measures one (method, seed): one W&B run
        (``tracking.wandb``) whose steps run on through the gate and fixed-plan stages."""
        tag = f"{method}-seed{seed}"
        part = self.out.path / "finetune" / tag / "result.json"
        if resume and part.is_file():
            done = _finished_result(part, method, seed)
            if done is not None:
                return done
        wandb = self.cfg.tracking.wandb
        # a sweep puts all its trials in one group; each then names its W&B runs by its directory
        group = wandb.group or self.out.path.parent.name
        name = f"{self.out.path.name if wandb.group else group}-{tag}"
        tracker = WandbTracker(mode=wandb.mode, project=wandb.project, entity=wandb.entity, tags=wandb.tags,
                               run_dir=self.out.path, name=name, group=group, config=to_dict(self.cfg))
        step = itertools.count()
        callbacks = (*self.callbacks, lambda row: tracker.log(row, step=next(step)))
        status = "failed"
        try:
            result = self._run_one(method, seed, resume, tag, part, callbacks)
            status = "finished"
        finally:
            tracker.summary({"status": status})
            tracker.finish()
        return result

    def _run_one(self, method: str, seed: int, resume: bool, tag: str, part: Path, callbacks: tuple) -> dict[str, Any]:
        sp = self.cfg.sparsify
        ckpt.seed_everything(seed)
        masked, pruner = self._masked(method)
        costs = PlanCosts.of(masked, self.sizes)
        self._plan(method, seed, masked, pruner, costs, resume, callbacks)
        epochs = sp.fixed_epochs + (sp.gate_epochs if method != "learned" else 0)
        trainer = self._trainer(self.out.path / "finetune" / tag / "fixed", epochs, callbacks, f"{method} fixed plan")
        task = SparsifyTask(self.task, masked, costs, sp.target_flops, 0.0, pruner, self.max_batches,
                            **self._distillation())
        fit = trainer.fit(masked, task, seed=seed, split=self.loaded.split, resume=resume)
        if pruner is not None:
            # the best validation epoch may predate the end of the sparsity schedule
            masked.load_state_dict(ckpt.load(trainer.run_dir.last)["model"])
        masked.eval()
        compact_cfg, model = compact(masked, self.dense_cfg)
        with torch.no_grad():  # the same draws for both where a model orders nodes at random (Mamba)
            torch.manual_seed(seed)
            want = masked(self.latency_batch)
            torch.manual_seed(seed)
            diff = float((want - model(self.latency_batch)).abs().max())
        dense_flops = count_flops(self.dense, self.test_batches).total
        flops = count_flops(model, self.test_batches)
        latency = compare_latency({"dense": self.dense, "compact": model}, self.latency_batch,
                                  repeats=sp.latency_repeats)
        result = {
            "method": method, "seed": seed,
            "finetune_epoch": fit.epochs_run - 1 if pruner is not None else fit.best_epoch,
            "val": evaluate(model, self.task, "valid"), "test": evaluate(model, self.task, "test"),
            "flops": flops.to_dict(), "flops_ratio": flops.total / dense_flops,
            "calibration_flops_ratio": costs.ratio(masked.layer_keep.tolist(), masked.head_keep.sum(1).tolist(),
                                                   masked.ffn_keep.sum(1).tolist()),
            **_params(model), "weight_sparsity": MagnitudePruner.weight_sparsity(model.layers),
            "latency": latency, "speedup": latency["dense"]["median_ms"] / latency["compact"]["median_ms"],
            "compact_max_abs_diff": diff, "model": to_dict(compact_cfg),
            "checkpoint": str(self._save(method, seed, compact_cfg, model)),
        }
        write_text_atomic(part, json.dumps(result, indent=2) + "\n")
        return result

    def _save(self, method: str, seed: int, cfg: Any, model: nn.Module) -> Path:
        build = build_checkpoint_meta(cfg, self.loaded.inputs, self.task_name)
        state = {"model": model.state_dict(), "build": build, "epoch": -1, "val": {}}
        if method == self.cfg.sparsify.method:
            path = self.out.best_of(seed, self.loaded.split)
            ckpt.save_atomic(state, path)
            if seed == self.cfg.seeds[0]:
                ckpt.save_atomic(state, self.out.best)
        else:
            path = self.out.checkpoints / f"{method}-seed{seed}-split{self.loaded.split}.pt"
            ckpt.save_atomic(state, path)
        return path

    @property
    def task_name(self) -> str:
        return self.loaded.config.task.name or self.loaded.dataset.task

    # ---- the whole command -------------------------------------------------------------
    def run(self, resume: bool = False) -> dict[str, Any]:
        sp = self.cfg.sparsify
        methods = [sp.method] + [b for b in sp.baselines if b != sp.method]
        self._say(f"evaluating the dense model of {self.loaded.run_dir.path} and counting its FLOPs")
        dense_flops = count_flops(self.dense, self.test_batches)
        dense = {"val": evaluate(self.dense, self.task, "valid"), "test": evaluate(self.dense, self.task, "test"),
                 "flops": dense_flops.to_dict(), **_params(self.dense)}
        metric = self.task.metric
        # seed-major, so that an interrupted command has every method's first seed
        plan = [(method, seed) for i, seed in enumerate(self.cfg.seeds)
                for method in methods if method == sp.method or i < sp.baseline_seeds]
        epochs = sp.gate_epochs + sp.fixed_epochs
        self._say(f"dense model: test {metric} {dense['test'][metric]:.4f}, {dense_flops.total / 1e9:.3f} GFLOPs; "
                  f"{len(plan)} fine-tunings ({', '.join(methods)}; seeds {', '.join(map(str, self.cfg.seeds))}), "
                  f"{epochs} epochs each, toward {sp.target_flops:g}x FLOPs")
        runs, ran_seconds, ran = [], 0.0, 0
        for k, (method, seed) in enumerate(plan, 1):
            done_before = resume and (self.out.path / "finetune" / f"{method}-seed{seed}" / "result.json").is_file()
            self._say(f"[{k}/{len(plan)}] {method} seed {seed}: "
                      + ("done before the interruption" if done_before else "planning and fine-tuning"))
            start = time.perf_counter()
            runs.append(self.run_one(method, seed, resume))
            if not done_before:
                ran_seconds, ran = ran_seconds + time.perf_counter() - start, ran + 1
            eta = f", ETA {format_duration(ran_seconds / ran * (len(plan) - k))}" if ran and k < len(plan) else ""
            r = runs[-1]
            self._say(f"[{k}/{len(plan)}] {method} seed {seed}: test {metric} {r['test'][metric]:.4f}, "
                      f"FLOPs x{r['flops_ratio']:.3f} ({format_duration(time.perf_counter() - start)}{eta})")
        summary: dict[str, Any] = {}
        for method in methods:
            per_seed = [r for r in runs if r["method"] == method]
            summary[method] = {
                f"test_{metric}": aggregate_runs(per_seed, "test")[metric],
                "flops_ratio": float(np.mean([r["flops_ratio"] for r in per_seed])),
                "speedup": float(np.mean([r["speedup"] for r in per_seed])),
                "params": float(np.mean([r["params"] for r in per_seed])),
            }
        first = next(r for r in runs if r["method"] == sp.method)
        cfg_out = dataclasses.replace(self.loaded.config, model=_model_config(first["model"], self.dense_cfg),
                                      seeds=tuple(self.cfg.seeds))
        self.out.write_config(to_dict(cfg_out))
        results = {
            "source_run": str(self.loaded.run_dir.path), "source_checkpoint": str(self.loaded.checkpoint),
            "dataset": self.loaded.dataset.name, "task": self.task_name, "metric": metric,
            "target_flops": sp.target_flops, "method": sp.method, "dense": dense, "summary": summary,
            "runs": runs, "sparsify": to_dict(self.cfg), "weight_kernels": SPARSE_KERNEL_NOTE,
            "flops_counted_on": "test split, in the task's evaluation batches",
            "latency_setup": f"{sp.latency_graphs} test graphs per batch, 1 thread, median of "
                             f"{sp.latency_repeats} repeats, dense and compact timed alternately",
        }
        self.out.write_results(results)
        return results


def _model_config(data: dict, dense: Any) -> Any:
    # GraphGPS compacts to gps_compact; GMN and GSM++ stay their own family
    return from_dict(CompactGPSConfig if data["name"] == "gps_compact" else type(dense), data)


# what a finished (method, seed) records; a resume trusts a result.json that has them all
_RESULT_KEYS = ("method", "seed", "val", "test", "flops", "flops_ratio", "params", "latency", "speedup",
                "model", "checkpoint")


def _finished_result(part: Path, method: str, seed: int) -> Optional[dict[str, Any]]:
    """The recorded result of a finished (method, seed), or ``None`` with a warning when
    ``part`` is not one (garbled, edited, another run's): that pair is then run again from
    its checkpoints, which costs time but never reports a number it did not measure."""
    try:
        result = json.loads(part.read_text(encoding="utf-8"))
        ok = (isinstance(result, dict) and all(k in result for k in _RESULT_KEYS)
              and result["method"] == method and result["seed"] == seed)
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as e:
        ok, why = False, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
    else:
        why = f"not the result of {method} seed {seed}"
    if ok:
        return result
    warnings.warn(f"{part}: unreadable ({why}); running {method} seed {seed} again", stacklevel=2)
    return None
