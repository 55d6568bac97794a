"""The zero-shot protocol: every method's scores on the same nodes, written as a recipe
run (:class:`graphkit.runs.recipe_run.RecipeRun`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional

import torch

from graphkit.errors import ConfigError, DatasetError
from graphkit.runs.recipe_run import RecipeRun
from graphkit.text.text_graph import TextGraph
from graphkit.zeroshot.evaluation import classification_metrics, per_class_table
from graphkit.datasets.resolve import dataset_slug as slug
from graphkit.zeroshot.pretrained_graph_clip import PretrainedGraphCLIP
from graphkit.zeroshot.zero_shot_classifier import ZeroShotClassifier, khop_mean, text_scores
from graphkit.zeroshot.zero_shot_config import ZeroShotConfig


def pretrained_base(pretrained: str | Path) -> Path:
    """Where a pretrained model's recipe runs go by default: its run directory, or the
    folder of a bare checkpoint (the checkpoint's run when it sits in one)."""
    path = Path(pretrained)
    if path.is_dir():
        return path
    owner = path.parent.parent if path.parent.name == "checkpoints" else None
    return owner if owner is not None and (owner / "config.yaml").is_file() else path.parent


def default_run_dir(cfg: ZeroShotConfig) -> Path:
    """``<pretrained run>/zeroshot/<dataset>-<split>``."""
    return pretrained_base(cfg.pretrained) / "zeroshot" / f"{slug(cfg.dataset)}-{cfg.split}"


def zero_shot(cfg: ZeroShotConfig, run_dir: Optional[Path] = None) -> dict[str, Any]:
    """Scores ``cfg.dataset``'s nodes with the pretrained model (and the baselines) and
    writes the run directory (default :func:`default_run_dir`); returns ``results.json``'s
    content."""
    run_dir = run_dir or default_run_dir(cfg)
    with RecipeRun(run_dir, cfg, name=f"zeroshot-{slug(cfg.dataset)}-{cfg.split}", group="zeroshot") as run:
        results = method_scores(cfg)
        results["run_dir"] = str(run.path)
        run.write_results(results)
    return results


def method_scores(cfg: ZeroShotConfig, pretrained: Optional[PretrainedGraphCLIP] = None) -> dict[str, Any]:
    """Every method's metrics on ``cfg.dataset`` (``results.json``'s content, without
    ``run_dir``); ``pretrained``: the model already loaded from ``cfg.pretrained``."""
    started = time.perf_counter()
    if cfg.dataset is None:
        raise ConfigError("no dataset: give --dataset NAME_OR_DIR (or leave it out for the suite)")
    pretrained = pretrained or PretrainedGraphCLIP.load(cfg.pretrained, cfg.checkpoint, cfg.device)
    encoder = pretrained.text_encoder(progress=not cfg.quiet)
    graph = TextGraph.load(cfg.dataset, encoder, template=cfg.template, class_texts=cfg.class_texts,
                           descriptions_file=cfg.class_descriptions)
    class_emb = graph.class_embeddings(encoder)
    if cfg.split == "all":
        nodes = torch.arange(graph.num_nodes)
    else:
        nodes = graph.dataset.splits[0].get("test", torch.zeros(0)).long()
    if nodes.numel() == 0:
        raise DatasetError(f"{graph.name}: no {cfg.split!r} nodes to score (an empty test split); "
                           f"give a split.json with test nodes, or --split all")
    target = graph.y[nodes]
    names = graph.dataset.extra["label_names"]
    classifier = ZeroShotClassifier(pretrained.model, pretrained.sampler(), device=cfg.device,
                                    text_prior=cfg.text_prior, prior_hops=cfg.hops)
    main_method = "graphclip-mean" if cfg.subtract_mean else "graphclip"
    rules = (False, True) if cfg.baselines else (cfg.subtract_mean,)
    # the text prior is this baseline at the same hops: computed again only without a prior
    propagated = (khop_mean(graph.x, graph.edge_index, graph.num_nodes, cfg.hops)
                  if cfg.baselines and cfg.text_prior == 0 else None)
    scores = {}
    for subtract, (enc, prior) in classifier.score_parts(graph, nodes, class_emb, rules).items():
        suffix = "-mean" if subtract else ""
        scores["graphclip" + suffix] = classifier.combine(enc, prior)
        if prior is not None:
            scores["graphclip_encoder" + suffix] = enc
        if cfg.baselines:
            scores["text" + suffix] = text_scores(graph.x, nodes, class_emb, subtract_mean=subtract)
            scores[f"text_{cfg.hops}hop_mean" + suffix] = (
                prior if prior is not None else text_scores(propagated, nodes, class_emb, subtract_mean=subtract))
    results: dict[str, Any] = {
        "dataset": graph.name, "split": cfg.split, "num_nodes": int(nodes.numel()),
        "checkpoint": str(pretrained.checkpoint), "text_model": pretrained.task.text_model,
        "class_texts": graph.class_texts, "class_text_mode": cfg.class_texts or "default", "main_method": main_method,
        "text_prior": cfg.text_prior, "hops": cfg.hops, "methods": {}}
    for method, s in scores.items():
        results["methods"][method] = classification_metrics(s.argmax(1), target, names)
    results["seconds"] = time.perf_counter() - started
    return results


def report(results: dict[str, Any]) -> str:
    """The per-class table of the main method and one line per method."""
    main = results["methods"][results["main_method"]]
    lines = [f"zero-shot on {results['dataset']} ({results['split']}, {results['num_nodes']} nodes)",
             per_class_table(main["per_class"])]
    for method, m in results["methods"].items():
        lines.append(f"{method:<22} accuracy {100 * m['accuracy']:.2f}  macro-F1 {100 * m['macro_f1']:.2f}")
    if results["text_prior"] > 0:
        lines.append(f"graphclip: the encoder's cosine + {results['text_prior']:g} x the {results['hops']}-hop "
                     "propagated text's; graphclip_encoder: the encoder alone")
    if any(m.endswith("-mean") for m in results["methods"]):
        lines.append("'-mean': the graph's mean embedding subtracted before the cosine (label-free)")
    return "\n".join(lines)
