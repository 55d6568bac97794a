"""The ``graphkit embed`` recipes as run directories (:class:`graphkit.runs.recipe_run.RecipeRun`):

- :func:`fastrp_recipe`: the embedding ``EMB.npy`` and its parameters ``EMB.json`` where the
  user asks, ``config.yaml`` / ``results.json`` in a run directory of their own (two
  embeddings, or an embedding and its evaluation, in one folder never overwrite each other's);
- :func:`evaluate_recipe`: the node classification protocol's ``results.json`` and ``f1.png``
  (default beside the embedding);
- :func:`tune_recipe`: the Optuna search, one ``metrics.jsonl`` row per trial.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Optional

import numpy as np

from graphkit.embed import FastRP, evaluate_node_classification, tune_fastrp
from graphkit.embed.embed_evaluate_config import EmbedEvaluateConfig
from graphkit.embed.f1_plot import plot_f1
from graphkit.embed.fast_rp_presets import PRESETS
from graphkit.embed.fast_rp_run_config import FastRPRunConfig
from graphkit.embed.fast_rp_tune_config import FastRPTuneConfig
from graphkit.embed.fastrp_kernel import fastrp_kernel
from graphkit.embed.graph_source import graph_name, load_graph
from graphkit.errors import ConfigError
from graphkit.runs.recipe_run import RecipeRun


def _label(dataset: Optional[str], graph: Optional[str]) -> str:
    return dataset if dataset is not None else Path(graph).stem


def _preset(value: Any, preset: str, command: str, key: str) -> Any:
    return PRESETS[preset][command][key] if value is None else value


def fastrp_recipe(cfg: FastRPRunConfig, out: Path, run_dir: Path) -> dict[str, Any]:
    """Embeds ``cfg``'s graph into ``out`` (``.npy``), its parameters into ``out.json``, and
    writes ``config.yaml`` and ``results.json`` (the same parameters) in ``run_dir``."""
    out = Path(out)
    if out.suffix != ".npy":
        raise ConfigError(f"--out must end in .npy, got {out}")
    with RecipeRun(run_dir, cfg, name=f"fastrp-{_label(cfg.dataset, cfg.graph)}", group="embed") as run:
        # timed apart: a first run reads and processes the dataset and may build the CPU
        # kernels, which later runs skip; the embedding time is the algorithm's alone
        start = time.perf_counter()
        graph, _, features = load_graph(cfg.dataset, cfg.graph)
        load_seconds = time.perf_counter() - start
        start = time.perf_counter()
        fastrp_kernel()
        kernel_seconds = time.perf_counter() - start
        dim = _preset(cfg.dim, cfg.preset, "fastrp", "dim")
        weights = _preset(cfg.weights, cfg.preset, "fastrp", "weights")
        beta = _preset(cfg.beta, cfg.preset, "fastrp", "beta")
        estimator = FastRP(dim, iteration_weights=weights, normalization_strength=beta, projection=cfg.projection,
                           l2_normalize=cfg.l2_normalize, self_influence=cfg.self_influence,
                           property_ratio=cfg.property_ratio, random_state=cfg.seed, dtype=cfg.dtype)
        start = time.perf_counter()
        embedding = estimator.fit_transform(graph, x=features)  # [num_nodes, dim]
        embed_seconds = time.perf_counter() - start
        out.parent.mkdir(parents=True, exist_ok=True)
        np.save(out, embedding)
        params = {"method": "fastrp", "preset": cfg.preset, "graph": graph_name(cfg.dataset, cfg.graph),
                  "dim": dim, "weights": list(weights), "beta": beta, "projection": cfg.projection,
                  "l2_normalize": cfg.l2_normalize, "self_influence": cfg.self_influence,
                  "property_ratio": cfg.property_ratio, "dtype": cfg.dtype, "seed": cfg.seed, "seconds": embed_seconds,
                  "load_seconds": load_seconds, "kernel_seconds": kernel_seconds}
        out.with_suffix(".json").write_text(json.dumps(params, indent=2) + "\n")
        results = {**params, "embedding": str(out), "num_nodes": int(embedding.shape[0])}
        run.write_results(results)
    return results


def evaluate_recipe(cfg: EmbedEvaluateConfig, out_dir: Optional[Path] = None) -> dict[str, Any]:
    """Scores the embedding by Micro-/Macro-F1 against train ratio; writes ``config.yaml``,
    ``results.json`` and ``f1.png`` to ``out_dir`` (default the embedding's folder)."""
    embedding_path = Path(cfg.embedding)
    if not embedding_path.is_file():
        raise ConfigError(f"embedding file not found: {embedding_path}")
    out_dir = Path(out_dir) if out_dir is not None else embedding_path.parent
    with RecipeRun(out_dir, cfg, name=f"evaluate-{_label(cfg.dataset, cfg.graph)}", group="embed") as run:
        try:
            embedding = np.load(embedding_path)
        except (OSError, ValueError) as e:
            raise ConfigError(f"{embedding_path}: not a readable .npy array ({e})") from None
        _, labels, _ = load_graph(cfg.dataset, cfg.graph)
        if labels is None:
            raise ConfigError("the graph has no node labels to evaluate against")
        report = evaluate_node_classification(
            embedding, labels, train_ratios=cfg.ratios, n_shuffles=cfg.shuffles,
            C=_preset(cfg.C, cfg.preset, "evaluate", "C"), standardize=cfg.standardize, random_state=cfg.seed,
            n_jobs=cfg.jobs, progress=not cfg.quiet)
        report["embedding"] = str(embedding_path)
        report["graph"] = graph_name(cfg.dataset, cfg.graph)
        report["preset"] = cfg.preset
        params = embedding_path.with_suffix(".json")
        if params.is_file():  # written by `embed fastrp`: the weights and beta that made the embedding
            report["embedding_params"] = json.loads(params.read_text())
        run.write_results(report)
        plot_f1(report, run.path / "f1.png")
    return report


def tune_recipe(cfg: FastRPTuneConfig, run_dir: Path) -> dict[str, Any]:
    """Searches FastRP's last weight and beta; writes ``config.yaml``, ``metrics.jsonl``
    (one row per trial) and ``results.json`` (the search) to ``run_dir``."""
    with RecipeRun(run_dir, cfg, name=f"fastrp-tune-{_label(cfg.dataset, cfg.graph)}") as run:
        graph, labels, _ = load_graph(cfg.dataset, cfg.graph)
        if labels is None:
            raise ConfigError("the graph has no node labels to tune against")
        search = tune_fastrp(graph, labels, n_trials=cfg.trials, n_components=cfg.dim, train_ratio=cfg.ratio,
                             n_shuffles=cfg.shuffles, C=cfg.C, objective=cfg.objective, random_state=cfg.seed)
        for trial in search["trials"]:
            run.log({"trial": trial["number"], search["objective"]: trial["value"],
                     "last_weight": trial["iteration_weights"][-1],
                     "beta": trial["normalization_strength"]})
        run.write_results(search)
    return search
