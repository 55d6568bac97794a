"""The zero-shot evaluation suite: one pretrained GraphCLIP model on a list of target
TAGs in one command (``graphkit zeroshot RUN [--targets a,b]``), every method of the
zero-shot protocol (:func:`graphkit.zeroshot.zero_shot_protocol.method_scores`, with the
baselines, under both scoring rules) on each, in one table.

The default targets are every registered TAG that was not a pretraining source of the
run; a source named in ``targets`` is left out too (a zero-shot number on a graph the
model was trained on says nothing), and the results name what was left out. Each
target's results are written to ``targets/<target>.json`` as soon as they are done; a
rerun with the same settings reuses them, so an interrupted suite continues where it
stopped. ``results.json`` holds every target's results; ``table.md`` the table.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Optional, Sequence

from graphkit.config import to_dict
from graphkit.datasets import DATASETS
from graphkit.datasets.resolve import dataset_slug as slug
from graphkit.errors import ConfigError
from graphkit.runs.recipe_run import RecipeRun
from graphkit.trainers.run_dir import write_text_atomic
from graphkit.zeroshot.pretrained_graph_clip import PretrainedGraphCLIP
from graphkit.zeroshot.zero_shot_config import ZeroShotConfig
from graphkit.zeroshot.zero_shot_protocol import method_scores, pretrained_base

GRAPHCLIP_METHODS = ("graphclip", "graphclip_encoder")


def _same_graph(a: str, b: str) -> bool:
    if a == b:
        return True
    pa, pb = Path(a).expanduser(), Path(b).expanduser()
    return pa.is_dir() and pb.is_dir() and pa.resolve() == pb.resolve()


def suite_targets(targets: Sequence[str], sources: Sequence[str],
                  registered: Optional[Sequence[str]] = None) -> tuple[list[str], list[str]]:
    """``(targets to score, sources left out)``: ``targets`` (default every registered
    ``tag:`` dataset, in ``registered``' order) without the pretraining ``sources``."""
    if registered is None:
        registered = [n for n in DATASETS.names() if n.startswith("tag:")]
    chosen = list(targets) or list(registered)
    kept = [t for t in chosen if not any(_same_graph(t, s) for s in sources)]
    left_out = [t for t in chosen if t not in kept]
    if not kept:
        raise ConfigError(f"no zero-shot target left: {', '.join(chosen)} "
                          f"{'is' if len(chosen) == 1 else 'are all'} pretraining sources of this run")
    return kept, left_out


def default_suite_dir(cfg: ZeroShotConfig) -> Path:
    """``<pretrained run>/zeroshot/suite-<split>``."""
    return pretrained_base(cfg.pretrained) / "zeroshot" / f"suite-{cfg.split}"


def zero_shot_suite(cfg: ZeroShotConfig, run_dir: Optional[Path] = None,
                    registered: Optional[Sequence[str]] = None) -> dict[str, Any]:
    """Runs the protocol on every target (module docstring) and writes the run directory
    (default :func:`default_suite_dir`); returns ``results.json``'s content."""
    pretrained = PretrainedGraphCLIP.load(cfg.pretrained, cfg.checkpoint, cfg.device)
    targets, left_out = suite_targets(cfg.targets, pretrained.sources, registered)
    run_dir = run_dir or default_suite_dir(cfg)
    with RecipeRun(run_dir, cfg, name=f"zeroshot-suite-{cfg.split}", group="zeroshot") as run:
        (run.path / "targets").mkdir(exist_ok=True)
        per_target = {}
        for target in targets:
            target_cfg = dataclasses.replace(cfg, dataset=target, targets=(), baselines=True)
            settings = json.loads(json.dumps(to_dict(target_cfg)))  # as it reads back from the file
            saved = run.path / "targets" / f"{slug(target)}.json"
            if saved.is_file():
                stored = json.loads(saved.read_text())
                if stored.get("settings") == settings:
                    per_target[target] = stored["results"]
                    continue
            results = method_scores(target_cfg, pretrained)
            write_text_atomic(saved, json.dumps({"settings": settings, "results": results}, indent=2) + "\n")
            per_target[target] = results
            run.log({"target": target, **{f"{m}/accuracy": v["accuracy"] for m, v in results["methods"].items()}})
        results = {"sources": list(pretrained.sources), "left_out_sources": left_out,
                   "checkpoint": str(pretrained.checkpoint), "split": cfg.split, "targets": per_target,
                   "summary": summary(per_target), "run_dir": str(run.path)}
        write_text_atomic(run.path / "table.md", table(results) + "\n")
        run.write_results(results)
    return results


def summary(per_target: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per target: the best GraphCLIP method and the best training-free one (either rule),
    their accuracies and the margin."""
    out = {}
    for target, results in per_target.items():
        acc = {m: v["accuracy"] for m, v in results["methods"].items()}
        ours = {m: a for m, a in acc.items() if m.split("-")[0] in GRAPHCLIP_METHODS}
        base = {m: a for m, a in acc.items() if m not in ours}
        best_ours, best_base = max(ours, key=ours.get), max(base, key=base.get)
        out[target] = {"graphclip": results["methods"][results["main_method"]]["accuracy"],
                       "best_graphclip_method": best_ours, "best_baseline_method": best_base,
                       "best_baseline": base[best_base],
                       "margin": results["methods"][results["main_method"]]["accuracy"] - base[best_base]}
    return out


def table(results: dict[str, Any]) -> str:
    """A markdown table: one row per target, accuracy (%) of every method, the best
    training-free baseline and the main method's margin over it."""
    per_target = results["targets"]
    methods = list(dict.fromkeys(m for r in per_target.values() for m in r["methods"]))
    head = ["target", "nodes", *methods, "best baseline", "margin"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for target, r in per_target.items():
        s = results["summary"][target]
        cells = [target, str(r["num_nodes"])]
        cells += [f"{100 * r['methods'][m]['accuracy']:.2f}" if m in r["methods"] else "" for m in methods]
        cells += [f"{s['best_baseline_method']} {100 * s['best_baseline']:.2f}", f"{100 * s['margin']:+.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    notes = [f"accuracy (%), {results['split']} nodes; margin: {next(iter(per_target.values()))['main_method']} "
             f"minus the best training-free baseline (either rule)"]
    if results["left_out_sources"]:
        notes.append(f"left out as pretraining sources: {', '.join(results['left_out_sources'])}")
    return "\n".join(lines + [""] + notes)
