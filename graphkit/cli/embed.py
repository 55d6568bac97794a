"""``graphkit embed {fastrp,deepwalk,evaluate,tune}``: node embeddings and their F1 protocol.

Graphs come from the dataset registry (``--dataset NAME``) or from any ``.mat`` file with
``network`` and ``group`` variables (``--graph PATH.mat``)::

    graphkit embed fastrp --dataset blogcatalog --preset paper --out emb.npy
    graphkit embed evaluate --embedding emb.npy --dataset blogcatalog --preset paper --ratios 0.1,0.5,0.9
    graphkit embed tune --graph blogcatalog.mat --trials 20

``fastrp``, ``evaluate`` and ``tune`` are typed recipes
(:class:`~graphkit.embed.fast_rp_run_config.FastRPRunConfig`,
:class:`~graphkit.embed.embed_evaluate_config.EmbedEvaluateConfig`,
:class:`~graphkit.embed.fast_rp_tune_config.FastRPTuneConfig`): ``--config FILE.yaml`` and
``key.path=value`` overrides, the flags being shortcuts for their keys; each writes
``config.yaml`` and ``results.json`` (:mod:`graphkit.runs.embed_recipes`).

``--preset paper`` is the FastRP paper's BlogCatalog setting (d = 512, weights 0,0,1,6.67,
beta -0.64; logistic regression C = 0.1); explicit flags override single values. ``fastrp``
writes its parameters beside the embedding (``emb.json``) and ``evaluate`` copies them
into ``results.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from graphkit.cli.arguments import add_recipe_arguments, load_recipe
from graphkit.errors import ConfigError

if TYPE_CHECKING:  # numpy loads inside the commands: `graphkit --help` stays fast
    import numpy as np

PRESET_NAMES = ("default", "paper")  # graphkit.embed.fast_rp_presets.PRESETS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("embed", help="node embeddings (FastRP, DeepWalk) and their evaluation",
                       description="Unsupervised node embeddings of a registered dataset or a .mat graph "
                                   "(FastRP, DeepWalk), saved as .npy, and the DeepWalk/FastRP node "
                                   "classification protocol (Micro/Macro-F1 against train ratio).")
    commands = p.add_subparsers(dest="embed_command", required=True, metavar="EMBED_COMMAND")

    fastrp = commands.add_parser("fastrp", help="FastRP embedding of a graph, saved as .npy")
    add_recipe_arguments(fastrp, "preset=paper dim=64")
    _graph_source(fastrp)
    fastrp.add_argument("--preset", choices=PRESET_NAMES,
                        help="default: d 128, weights 0,1,1, beta 0 (Neo4j GDS's); paper: the FastRP "
                             "paper's BlogCatalog setting, d 512, weights 0,0,1,6.67, beta -0.64")
    fastrp.add_argument("--dim", type=int, help="embedding dimension (default: the preset's)")
    fastrp.add_argument("--weights", type=_floats,
                        help="iteration weights alpha_1..alpha_k, comma-separated (default: the preset's)")
    fastrp.add_argument("--beta", type=float, help="normalization strength (default: the preset's)")
    fastrp.add_argument("--projection", choices=("very_sparse", "sparse", "gaussian"),
                        help="random projection (default very_sparse)")
    fastrp.add_argument("--no-l2-normalize", dest="l2_normalize", action="store_false", default=None,
                        help="skip the per-iteration L2 row normalization")
    fastrp.add_argument("--self-influence", type=float, help="(default 0)")
    fastrp.add_argument("--property-ratio", type=float,
                        help="share of dimensions projected from node features (default 0; needs a dataset with x)")
    fastrp.add_argument("--dtype", choices=("float32", "float64"), help="(default float32)")
    fastrp.add_argument("--seed", type=int, help="(default 0)")
    fastrp.add_argument("--out", type=Path, required=True,
                        help="output .npy, [num_nodes, dim], with its parameters in <out>.json")
    _run_dir_arguments(fastrp, "fastrp")
    fastrp.set_defaults(func=run_fastrp)

    deepwalk = commands.add_parser("deepwalk", help="DeepWalk baseline embedding, saved as .npy")
    _graph_source(deepwalk, required=True)
    deepwalk.add_argument("--dim", type=int, default=128)
    deepwalk.add_argument("--walk-length", type=int, default=40)
    deepwalk.add_argument("--walks-per-node", type=int, default=80)
    deepwalk.add_argument("--window", type=int, default=10)
    deepwalk.add_argument("--epochs", type=int, default=1)
    deepwalk.add_argument("--workers", type=int, default=1)
    deepwalk.add_argument("--seed", type=int, default=0)
    deepwalk.add_argument("--out", type=Path, required=True, help="output .npy, [num_nodes, dim]")
    deepwalk.set_defaults(func=run_deepwalk)

    evaluate = commands.add_parser("evaluate", help="Micro/Macro-F1 against train ratio: results.json + f1.png")
    add_recipe_arguments(evaluate, "ratios=[0.1,0.5] shuffles=2")
    evaluate.add_argument("--embedding", type=Path, help=".npy [num_nodes, dim] (config key `embedding`)")
    _graph_source(evaluate)
    evaluate.add_argument("--ratios", type=_floats, help="train ratios, comma-separated (default 0.1,...,0.9)")
    evaluate.add_argument("--shuffles", type=int, help="(default 5)")
    evaluate.add_argument("--preset", choices=PRESET_NAMES,
                          help="default: C 1.0; paper: C 0.1, the FastRP paper's setting")
    evaluate.add_argument("--C", type=float, help="logistic regression C (default: the preset's)")
    evaluate.add_argument("--no-standardize", dest="standardize", action="store_false", default=None,
                          help="use the embedding as is instead of z-scoring its columns")
    evaluate.add_argument("--jobs", type=int, help="BLAS threads of the logistic regressions (default: all)")
    evaluate.add_argument("--quiet", action="store_true", default=None, help="no progress bar")
    evaluate.add_argument("--seed", type=int, help="(default 0)")
    evaluate.add_argument("--out-dir", type=Path,
                          help="run directory: config.yaml, results.json, f1.png (default: beside the embedding)")
    evaluate.set_defaults(func=run_evaluate)

    tune = commands.add_parser("tune", help="Optuna search of FastRP's last weight and beta (paper protocol)")
    add_recipe_arguments(tune, "trials=50 objective=micro_f1")
    _graph_source(tune)
    tune.add_argument("--trials", type=int, help="(default 20)")
    tune.add_argument("--dim", type=int, help="(default 64)")
    tune.add_argument("--ratio", type=float, help="(default 0.1)")
    tune.add_argument("--shuffles", type=int, help="(default 3)")
    tune.add_argument("--C", type=float, help="(default 0.1)")
    tune.add_argument("--objective", choices=("macro_f1", "micro_f1"), help="(default macro_f1)")
    tune.add_argument("--seed", type=int, help="(default 0)")
    _run_dir_arguments(tune, "fastrp-tune")
    tune.add_argument("--out", type=Path, help="also write the search (best parameters, trials) as json")
    tune.set_defaults(func=run_tune)


def _run_dir_arguments(parser: argparse.ArgumentParser, prefix: str) -> None:
    parser.add_argument("--run-dir", type=Path,
                        help=f"exact run directory: config.yaml, results.json (default runs/{prefix}-<graph>/<timestamp>)")
    parser.add_argument("--runs-root", type=Path, default=Path("runs"), help="parent of run directories")


def _run_dir(args: argparse.Namespace, cfg, prefix: str) -> Path:
    """``--run-dir``, else a new ``<runs-root>/<prefix>-<graph>/<timestamp>``."""
    from graphkit.trainers.run_dir import RunDir

    label = cfg.dataset if cfg.dataset is not None else Path(cfg.graph).stem
    return args.run_dir or RunDir.new(args.runs_root, f"{prefix}-{label}", create=False).path


def _source(args: argparse.Namespace) -> dict:
    return {"dataset": args.dataset, "graph": args.graph}


def fastrp_config(args: argparse.Namespace):
    """The typed ``fastrp`` recipe: ``--config``, overrides, then the flags."""
    from graphkit.embed.fast_rp_run_config import FastRPRunConfig

    return load_recipe(FastRPRunConfig, args, {
        **_source(args), "preset": args.preset, "dim": args.dim, "weights": args.weights, "beta": args.beta,
        "projection": args.projection, "l2_normalize": args.l2_normalize, "self_influence": args.self_influence,
        "property_ratio": args.property_ratio, "dtype": args.dtype, "seed": args.seed})


def run_fastrp(args: argparse.Namespace) -> int:
    from graphkit.runs.embed_recipes import fastrp_recipe

    _check_out(args.out)
    cfg = fastrp_config(args)
    run_dir = _run_dir(args, cfg, "fastrp")
    results = fastrp_recipe(cfg, args.out, run_dir)
    print(f"fastrp: {results['num_nodes']} nodes x {results['dim']} dims in {results['seconds']:.3f}s -> {args.out} "
          f"(dataset loading {results['load_seconds']:.1f}s, CPU kernels {results['kernel_seconds']:.1f}s, "
          f"apart)")
    print(f"run directory: {run_dir}")
    return 0


def run_deepwalk(args: argparse.Namespace) -> int:
    from graphkit.embed import DeepWalk
    from graphkit.embed.graph_source import load_graph

    _check_out(args.out)
    graph, _, _ = load_graph(args.dataset, args.graph)
    estimator = DeepWalk(
        args.dim, walk_length=args.walk_length, walks_per_node=args.walks_per_node, window=args.window,
        epochs=args.epochs, workers=args.workers, random_state=args.seed,
    )
    start = time.perf_counter()
    embedding = estimator.fit_transform(graph)
    seconds = time.perf_counter() - start
    _save(args.out, embedding)
    print(f"deepwalk: {embedding.shape[0]} nodes x {embedding.shape[1]} dims in {seconds:.1f}s -> {args.out}")
    return 0


def evaluate_config(args: argparse.Namespace):
    """The typed ``evaluate`` recipe: ``--config``, overrides, then the flags."""
    from graphkit.embed.embed_evaluate_config import EmbedEvaluateConfig

    return load_recipe(EmbedEvaluateConfig, args, {
        "embedding": args.embedding, **_source(args), "ratios": args.ratios, "shuffles": args.shuffles,
        "preset": args.preset, "C": args.C, "standardize": args.standardize, "jobs": args.jobs,
        "quiet": args.quiet, "seed": args.seed})


def run_evaluate(args: argparse.Namespace) -> int:
    from graphkit.runs.embed_recipes import evaluate_recipe

    cfg = evaluate_config(args)
    report = evaluate_recipe(cfg, args.out_dir)
    for row in report["results"]:
        print(f"train {row['train_ratio']:.0%}: micro-F1 {row['micro_f1']['mean']:.4f} ± {row['micro_f1']['std']:.4f}"
              f"  macro-F1 {row['macro_f1']['mean']:.4f} ± {row['macro_f1']['std']:.4f}")
    out_dir = args.out_dir or Path(cfg.embedding).parent
    print(f"wrote {out_dir / 'results.json'} and {out_dir / 'f1.png'}")
    return 0


def tune_config(args: argparse.Namespace):
    """The typed ``tune`` recipe: ``--config``, overrides, then the flags."""
    from graphkit.embed.fast_rp_tune_config import FastRPTuneConfig

    return load_recipe(FastRPTuneConfig, args, {
        **_source(args), "trials": args.trials, "dim": args.dim, "ratio": args.ratio, "shuffles": args.shuffles,
        "C": args.C, "objective": args.objective, "seed": args.seed})


def run_tune(args: argparse.Namespace) -> int:
    from graphkit.runs.embed_recipes import tune_recipe

    cfg = tune_config(args)
    run_dir = _run_dir(args, cfg, "fastrp-tune")
    search = tune_recipe(cfg, run_dir)
    best = search["best_params"]
    weights = ",".join(f"{w:.4g}" for w in best["iteration_weights"])
    print(f"best {search['objective']} {search['best_value']:.4f}: --weights {weights} "
          f"--beta {best['normalization_strength']:.4f}")
    print(f"run directory: {run_dir}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(search, indent=2) + "\n")
    return 0


def _graph_source(parser: argparse.ArgumentParser, required: bool = False) -> None:
    """``--dataset`` or ``--graph`` (a recipe may name its graph in ``--config`` instead)."""
    source = parser.add_mutually_exclusive_group(required=required)
    source.add_argument("--dataset", help="a registered dataset (graphkit data list)")
    source.add_argument("--graph", type=Path, help="a .mat file with `network` and `group`")


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def _check_out(path: Path) -> None:
    if path.suffix != ".npy":
        raise ConfigError(f"--out must end in .npy, got {path}")


def _save(path: Path, embedding: np.ndarray) -> None:
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, embedding)
