"""The few-shot protocol: shots x seeds x methods (graph prompt tuning, linear probe, full
fine-tuning) on the same nodes, the forgetting on a second dataset, mean ± std per shot
count and the accuracy-vs-shots plot, written as a recipe run
(:class:`graphkit.runs.recipe_run.RecipeRun`: ``metrics.jsonl`` holds every tuning epoch's
loss)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Optional

import matplotlib
import numpy as np
import torch

from graphkit.aggregate import aggregate_runs
from graphkit.errors import ConfigError, DatasetError
from graphkit.pretrain.graph_clip_task import embed_subgraphs
from graphkit.runs.recipe_run import RecipeRun
from graphkit.text.text_graph import TextGraph
from graphkit.zeroshot.few_shot import fine_tune, linear_probe, sample_shots, tune_prompt, warn_short_classes
from graphkit.zeroshot.few_shot_config import FewShotConfig
from graphkit.zeroshot.pretrained_graph_clip import PretrainedGraphCLIP
from graphkit.datasets.resolve import dataset_slug as slug
from graphkit.zeroshot.zero_shot_protocol import pretrained_base

METHODS = ("prompt", "linear_probe", "finetune")
# zero-shot accuracy on the second dataset after tuning, per method (prompt_applied: with
# the target's graph prompt applied)
SECOND = ("prompt", "prompt_applied", "finetune")


def default_run_dir(cfg: FewShotConfig) -> Path:
    """``<pretrained run>/fewshot/<dataset>[-valid]``."""
    return pretrained_base(cfg.pretrained) / "fewshot" / (
        slug(cfg.dataset) + ("" if cfg.eval_split == "test" else f"-{cfg.eval_split}"))


def few_shot(cfg: FewShotConfig, run_dir: Optional[Path] = None) -> dict[str, Any]:
    """Runs the protocol and writes the run directory (default :func:`default_run_dir`):
    ``config.yaml``, ``metrics.jsonl``, ``results.json``, ``fewshot.png``; returns
    ``results.json``'s content."""
    run_dir = run_dir or default_run_dir(cfg)
    name = f"fewshot-{slug(cfg.dataset)}" + ("" if cfg.eval_split == "test" else f"-{cfg.eval_split}")
    with RecipeRun(run_dir, cfg, name=name, group="fewshot") as run:
        results = _protocol(cfg, run.log)
        results["run_dir"] = str(run.path)
        run.write_results(results)
        plot_few_shot(results, run.path / "fewshot.png")
    return results


def _accuracy(emb: torch.Tensor, cls: torch.Tensor, y: torch.Tensor) -> float:
    return float(((emb @ cls.t()).argmax(1) == y).float().mean())


def _protocol(cfg: FewShotConfig, log: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    started = time.perf_counter()
    pretrained = PretrainedGraphCLIP.load(cfg.pretrained, cfg.checkpoint)
    model, checkpoint = pretrained.model, pretrained.checkpoint
    encoder = pretrained.text_encoder(progress=not cfg.quiet)
    sampler = pretrained.sampler()
    graph = TextGraph.load(cfg.dataset, encoder, template=cfg.template)
    class_emb = graph.class_embeddings(encoder)
    split = graph.dataset.splits[0]
    if cfg.eval_split not in split:
        raise ConfigError(f"{graph.name} has no {cfg.eval_split!r} split (it has {sorted(split)})")
    pool, test = split.get("train", torch.zeros(0)).long(), split[cfg.eval_split].long()
    for part, nodes in (("train", pool), (cfg.eval_split, test)):
        if nodes.numel() == 0:
            raise DatasetError(f"{graph.name}: its {part!r} split is empty; few-shot draws support nodes from "
                               f"'train' and scores {cfg.eval_split!r}")
    warn_short_classes(graph.y, pool, cfg.shots, graph.dataset.extra["label_names"], graph.name)
    test_sub = sampler.sample(graph.edge_index, graph.num_nodes, test)
    second_name = cfg.second_dataset or (pretrained.sources[0] if pretrained.sources else None)
    if second_name is None:
        raise ConfigError("second_dataset (--second-dataset) is needed for a checkpoint outside its run directory")
    second = TextGraph.load(second_name, encoder)
    second_class = second.class_embeddings(encoder)
    s_split = second.dataset.splits[0]
    s_nodes = s_split["test"].long() if "test" in s_split else torch.arange(second.num_nodes)
    if cfg.second_nodes and s_nodes.numel() > cfg.second_nodes:
        s_nodes = s_nodes[torch.from_numpy(np.random.default_rng(0).permutation(s_nodes.numel())[: cfg.second_nodes])]
    s_sub = sampler.sample(second.edge_index, second.num_nodes, s_nodes)

    test_emb = embed_subgraphs(model, graph.x, test_sub)
    zero_target = _accuracy(test_emb, class_emb, graph.y[test])
    zero_second = _accuracy(embed_subgraphs(model, second.x, s_sub), second_class, second.y[s_nodes])
    rows = []
    for k in cfg.shots:
        for seed in cfg.seeds:
            def on_epoch(method: str) -> Callable[[int, float], None]:
                return lambda epoch, loss: log({"epoch": epoch, "shots": k, "seed": seed, "method": method,
                                                "loss": loss})

            support = sample_shots(graph.y, pool, k, seed)
            sup_sub = sampler.sample(graph.edge_index, graph.num_nodes, support)
            y_sup = graph.y[support]
            prompt, prompted_classes = tune_prompt(model, graph.x, sup_sub, y_sup, class_emb, cfg.epochs,
                                                   cfg.prompt_lr, seed, cfg.prompt_basis, cfg.label_prompt,
                                                   on_epoch=on_epoch("prompt"))
            acc_prompt = _accuracy(embed_subgraphs(model, graph.x, test_sub, prompt=prompt), prompted_classes,
                                   graph.y[test])
            sup_emb = embed_subgraphs(model, graph.x, sup_sub)
            probe_pred = linear_probe(sup_emb, y_sup, test_emb, seed, cfg.probe_c)
            acc_probe = float((probe_pred == graph.y[test]).float().mean())
            tuned = fine_tune(model, graph.x, sup_sub, y_sup, class_emb, cfg.epochs, cfg.finetune_lr, seed,
                              on_epoch=on_epoch("finetune"))
            acc_ft = _accuracy(embed_subgraphs(tuned, graph.x, test_sub), class_emb, graph.y[test])
            second_ft = _accuracy(embed_subgraphs(tuned, second.x, s_sub), second_class, second.y[s_nodes])
            second_prompted = _accuracy(embed_subgraphs(model, second.x, s_sub, prompt=prompt), second_class,
                                        second.y[s_nodes])
            rows.append({"shots": k, "seed": seed,
                         "accuracy": {"prompt": acc_prompt, "linear_probe": acc_probe, "finetune": acc_ft},
                         # the encoder after tuning, zero-shot on the second dataset: prompt tuning
                         # and the probe leave it unchanged; the prompted column applies the target's graph prompt
                         "second_zeroshot": {"prompt": zero_second, "prompt_applied": second_prompted,
                                             "linear_probe": zero_second, "finetune": second_ft}})
            if not cfg.quiet:
                print(f"shots {k} seed {seed}: prompt {acc_prompt:.4f} probe {acc_probe:.4f} "
                      f"finetune {acc_ft:.4f} | {second.name} after finetune {second_ft:.4f}", flush=True)
    summary = {}
    for k in cfg.shots:
        sel = [r for r in rows if r["shots"] == k]
        accuracy, forgetting = aggregate_runs(sel, "accuracy"), aggregate_runs(sel, "second_zeroshot")
        summary[str(k)] = {**{m: accuracy[m] for m in METHODS},
                           **{f"second_zeroshot_{m}": forgetting[m] for m in SECOND}}
    return {"dataset": graph.name, "second_dataset": second.name, "checkpoint": str(checkpoint),
            "eval_split": cfg.eval_split, "eval_nodes": int(test.numel()), "shots": list(cfg.shots),
            "seeds": list(cfg.seeds), "epochs": cfg.epochs, "prompt_lr": cfg.prompt_lr,
            "prompt_basis": cfg.prompt_basis, "label_prompt": cfg.label_prompt,
            "probe_c": cfg.probe_c, "finetune_lr": cfg.finetune_lr, "zeroshot_target": zero_target,
            "zeroshot_second_before": zero_second, "second_nodes": int(s_nodes.numel()),
            "summary": summary, "runs": rows, "seconds": time.perf_counter() - started}


def report(results: dict[str, Any]) -> str:
    """Mean ± std (%) per shot count and method, and the second dataset after fine-tuning."""
    # the encoder alone (no text prior): what the prompt, the probe and fine-tuning start from
    lines = [f"few-shot on {results['dataset']} ({results['eval_split']} {results['eval_nodes']} nodes; encoder "
             f"zero-shot {100 * results['zeroshot_target']:.2f}); {results['second_dataset']} encoder zero-shot "
             f"before tuning {100 * results['zeroshot_second_before']:.2f}",
             f"{'shots':>5} " + " ".join(f"{m:>16}" for m in METHODS) + f" {'2nd after FT':>16}"]
    for k in results["shots"]:
        e = results["summary"][str(k)]
        cells = [f"{100 * e[m]['mean']:6.2f} ± {100 * e[m]['std']:5.2f}" for m in METHODS]
        ft2 = e["second_zeroshot_finetune"]
        lines.append(f"{k:>5} " + " ".join(f"{c:>16}" for c in cells)
                     + f" {100 * ft2['mean']:6.2f} ± {100 * ft2['std']:5.2f}")
    return "\n".join(lines)


def plot_few_shot(results: dict[str, Any], path: Path) -> None:
    """Accuracy (mean ± std over seeds) against shots per method, the zero-shot line beside."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # after choosing the backend

    summary, shots = results["summary"], results["shots"]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    prompt_label = "graph + label prompt tuning" if results["label_prompt"] else "graph prompt tuning"
    for method, label in (("prompt", prompt_label), ("linear_probe", "linear probe"),
                          ("finetune", "full fine-tuning")):
        mean = [100 * summary[str(k)][method]["mean"] for k in shots]
        std = [100 * summary[str(k)][method]["std"] for k in shots]
        ax.errorbar(shots, mean, yerr=std, marker="o", capsize=3, label=label)
    ax.axhline(100 * results["zeroshot_target"], color="gray", linestyle="--", label="zero-shot")
    ax.set_xlabel("shots per class")
    ax.set_ylabel(f"{results['eval_split']} accuracy (%)")
    ax.set_title(f"few-shot on {results['dataset']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
