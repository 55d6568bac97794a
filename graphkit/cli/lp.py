"""``graphkit lp``: link-prediction tools.

- ``graphkit lp heuristics CONFIG.yaml``: CN / Adamic-Adar / resource allocation on the
  same splits and metrics as the trained models.
- ``graphkit lp analyze RUN_DIR``: per-node Topological Concentration (TC / ATC) of a
  trained link model's test edges, correlated with its per-node Hits@K, and a plot.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphkit.cli.arguments import int_list, load_recipe
from graphkit.errors import ConfigError

if TYPE_CHECKING:  # numpy and torch load inside the commands: `graphkit --help` stays fast
    import numpy as np


def register(sub: argparse._SubParsersAction) -> None:
    lp = sub.add_parser("lp", help="link prediction: heuristics and TC analysis",
                        description="Link-prediction tools: common-neighbour heuristics on the trained "
                                    "models' splits and metrics, and Topological Concentration analysis "
                                    "of a trained link model.")
    lp_sub = lp.add_subparsers(dest="lp_command", required=True, metavar="LP_COMMAND")
    h = lp_sub.add_parser("heuristics", help="evaluate CN / AA / RA without training",
                          description="Scores CN / Adamic-Adar / resource allocation on the same splits and "
                                      "metrics as the trained models; writes a run directory with "
                                      "config.yaml and results.json.")
    h.add_argument("config", type=Path, nargs="?",
                   help="YAML recipe (graphkit.linkpred.heuristics_config.HeuristicsConfig: dataset, "
                        "heuristics, metric, seeds)")
    h.add_argument("overrides", nargs="*", help="dotted config overrides, e.g. seeds=[0,1] heuristics=[cn]")
    h.add_argument("--dataset", help="a link-prediction dataset (config key `dataset`)")
    h.add_argument("--seeds", help="comma-separated seeds, e.g. 0,1,2 (config key `seeds`)")
    h.add_argument("--run-dir", type=Path, help="exact run directory (default runs/<name>/<timestamp>)")
    h.add_argument("--runs-root", type=Path, default=Path("runs"), help="parent of run directories")
    h.add_argument("--out", type=Path, help="also write the results JSON to this file")
    h.set_defaults(func=run_heuristics)
    a = lp_sub.add_parser("analyze", help="TC / ATC vs per-node performance of a trained run")
    a.add_argument("run_dir", type=Path, help="a run directory written by `graphkit train`")
    a.add_argument("--seed", type=int, help="which seed's best checkpoint (default: the first)")
    a.add_argument("--hops", type=int, default=2, help="neighbourhood depth K of TC (default 2)")
    a.add_argument("--k", type=int, default=100, help="per-node Hits@K (default 100)")
    a.set_defaults(func=run_analyze)


def heuristics_config(args: argparse.Namespace):
    """The typed recipe: the YAML, overrides, then the flags."""
    from graphkit.linkpred.heuristics_config import HeuristicsConfig

    if args.config is not None and "=" in str(args.config) and not args.config.exists():
        args.overrides, args.config = [str(args.config), *args.overrides], None  # `lp heuristics dataset=cora`
    return load_recipe(HeuristicsConfig, args, {
        "dataset": args.dataset, "seeds": int_list(args.seeds, "--seeds") if args.seeds else None})


def run_heuristics(args: argparse.Namespace) -> int:
    from graphkit.runs.link_heuristics import link_heuristics, report
    from graphkit.trainers.run_dir import RunDir

    cfg = heuristics_config(args)
    name = cfg.name or f"heuristics-{args.config.stem if args.config else cfg.dataset}"
    run_dir = args.run_dir or RunDir.new(args.runs_root, name, create=False).path
    results = link_heuristics(cfg, run_dir)
    print(report(results))
    print(f"run directory: {run_dir}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1))
    return 0


def run_analyze(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from scipy.stats import pearsonr, spearmanr

    from graphkit.datasets.loaded_dataset import LINK_PREDICTION
    from graphkit.linkpred.topological_concentration import (
        approximate_topological_concentration,
        per_node_hits,
        topological_concentration,
    )
    from graphkit.runs import load_run, read_run_config

    _, cfg = read_run_config(args.run_dir)
    if cfg.task.name != LINK_PREDICTION:
        raise ConfigError(f"{args.run_dir} is a {cfg.task.name or 'default-task'} run; "
                          "lp analyze needs task.name: link_prediction")
    loaded = load_run(args.run_dir, seed=args.seed)
    task, model, seed, run_dir = loaded.task, loaded.model, loaded.seed, loaded.run_dir
    pos_pairs, pos, _, neg = task.scores(model, "test")
    if neg.dim() == 2:
        raise ConfigError("lp analyze needs shared negatives (Hits@K protocols), not citation2's")
    n = task.num_nodes
    train = task.train_edge.t().cpu()
    tc = topological_concentration(train, pos_pairs, n, num_hops=args.hops)
    atc = approximate_topological_concentration(train, pos_pairs, n, num_hops=args.hops, seed=seed)
    hits = per_node_hits(pos_pairs, pos, neg, args.k, n)
    has = ~torch.isnan(hits)
    summary: dict[str, Any] = {"seed": seed, "hops": args.hops, "k": args.k,
                               "num_nodes_with_test_edges": int(has.sum())}
    for name, values in (("tc", tc), ("atc", atc)):
        x, y = values[has].numpy(), hits[has].numpy()
        summary[name] = {"pearson": float(pearsonr(x, y)[0]), "spearman": float(spearmanr(x, y)[0]),
                         "mean": float(x.mean())}
    # quintile edges; many nodes share TC = 0, so equal edges merge into fewer bins
    bins = np.unique(np.quantile(tc[has].numpy(), np.linspace(0, 1, 6)))
    num_bins = max(len(bins) - 1, 1)
    idx = np.clip(np.searchsorted(bins, tc[has].numpy(), side="right") - 1, 0, num_bins - 1)
    summary["tc_quintiles"] = [
        {"tc_low": float(bins[b]), "tc_high": float(bins[min(b + 1, len(bins) - 1)]),
         "nodes": int((idx == b).sum()),
         f"hits@{args.k}": float(hits[has].numpy()[idx == b].mean())}
        for b in range(num_bins) if (idx == b).any()
    ]
    out_json = run_dir.path / "tc_analysis.json"
    out_json.write_text(json.dumps({"summary": summary, "per_node": {
        "tc": tc.tolist(), "atc": atc.tolist(), f"hits@{args.k}": hits.tolist()}}, allow_nan=True))
    _plot(run_dir.path / "tc_analysis.png", tc[has].numpy(), atc[has].numpy(), hits[has].numpy(),
          summary, args.k)
    print(f"seed {seed}: {int(has.sum())} nodes with test edges; per-node hits@{args.k} vs "
          f"TC: pearson {summary['tc']['pearson']:.3f}, spearman {summary['tc']['spearman']:.3f}; "
          f"vs ATC: pearson {summary['atc']['pearson']:.3f}, spearman {summary['atc']['spearman']:.3f}")
    for q in summary["tc_quintiles"]:
        print(f"  TC in [{q['tc_low']:.4f}, {q['tc_high']:.4f}]: {q['nodes']} nodes, "
              f"hits@{args.k} {q[f'hits@{args.k}']:.3f}")
    print(f"wrote {out_json} and {run_dir.path / 'tc_analysis.png'}")
    return 0


def _plot(path: Path, tc: np.ndarray, atc: np.ndarray, hits: np.ndarray, summary: dict,
          k: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes[0].scatter(tc, hits, s=6, alpha=0.4)
    axes[0].set(xlabel="TC (train→test)", ylabel=f"per-node Hits@{k}",
                title=f"TC: Spearman {summary['tc']['spearman']:.2f}")
    axes[1].scatter(atc, hits, s=6, alpha=0.4, color="tab:orange")
    axes[1].set(xlabel="ATC", ylabel=f"per-node Hits@{k}",
                title=f"ATC: Spearman {summary['atc']['spearman']:.2f}")
    quint = summary["tc_quintiles"]
    axes[2].bar(range(len(quint)), [q[f"hits@{k}"] or 0.0 for q in quint])
    axes[2].set(xticks=range(len(quint)), xticklabels=[f"Q{i + 1}" for i in range(len(quint))],
                xlabel="TC quintile", ylabel=f"mean Hits@{k}", title="performance by TC")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
