"""``graphkit embed {fastrp,deepwalk,evaluate,tune}``: node embeddings and their F1 protocol.

Graphs come from the dataset registry (``--dataset NAME``) or from any ``.mat`` file with
``network`` and ``group`` variables (``--graph PATH.mat``)::

    graphkit embed fastrp --dataset blogcatalog --preset paper --out emb.npy
    graphkit embed evaluate --embedding emb.npy --dataset blogcatalog --preset paper --ratios 0.1,0.5,0.9
    graphkit embed tune --graph blogcatalog.mat --trials 20

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
from typing import TYPE_CHECKING, Any

from graphkit.errors import ConfigError

if TYPE_CHECKING:  # numpy loads inside the commands: `graphkit --help` stays fast
    import numpy as np

# The FastRP paper's BlogCatalog setting (Chen et al. 2019, Table 5 and the reference code).
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "default": {"fastrp": {"dim": 128, "weights": (0.0, 1.0, 1.0), "beta": 0.0}, "evaluate": {"C": 1.0}},
    "paper": {"fastrp": {"dim": 512, "weights": (0.0, 0.0, 1.0, 6.67), "beta": -0.64}, "evaluate": {"C": 0.1}},
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("embed", help="node embeddings (FastRP, DeepWalk) and their evaluation",
                       description="Unsupervised node embeddings of a registered dataset or a .mat graph "
                                   "(FastRP, DeepWalk), saved as .npy, and the DeepWalk/FastRP node "
                                   "classification protocol (Micro/Macro-F1 against train ratio).")
    commands = p.add_subparsers(dest="embed_command", required=True, metavar="EMBED_COMMAND")

    fastrp = commands.add_parser("fastrp", help="FastRP embedding of a graph, saved as .npy")
    _graph_source(fastrp)
    fastrp.add_argument("--preset", choices=tuple(PRESETS), default="default",
                        help="default: d 128, weights 0,1,1, beta 0 (Neo4j GDS's); paper: the FastRP "
                             "paper's BlogCatalog setting, d 512, weights 0,0,1,6.67, beta -0.64")
    fastrp.add_argument("--dim", type=int, help="embedding dimension (default: the preset's)")
    fastrp.add_argument("--weights", type=_floats,
                        help="iteration weights alpha_1..alpha_k, comma-separated (default: the preset's)")
    fastrp.add_argument("--beta", type=float, help="normalization strength (default: the preset's)")
    fastrp.add_argument("--projection", choices=("very_sparse", "sparse", "gaussian"), default="very_sparse")
    fastrp.add_argument("--no-l2-normalize", dest="l2_normalize", action="store_false",
                        help="skip the per-iteration L2 row normalization")
    fastrp.add_argument("--self-influence", type=float, default=0.0)
    fastrp.add_argument("--property-ratio", type=float, default=0.0,
                        help="share of dimensions projected from node features (needs a dataset with x)")
    fastrp.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    fastrp.add_argument("--seed", type=int, default=0)
    fastrp.add_argument("--out", type=Path, required=True, help="output .npy, [num_nodes, dim]")
    fastrp.set_defaults(func=run_fastrp)

    deepwalk = commands.add_parser("deepwalk", help="DeepWalk baseline embedding, saved as .npy")
    _graph_source(deepwalk)
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
    evaluate.add_argument("--embedding", type=Path, required=True, help=".npy [num_nodes, dim]")
    _graph_source(evaluate)
    evaluate.add_argument("--ratios", type=_floats, default=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
                          help="train ratios, comma-separated (default 0.1,...,0.9)")
    evaluate.add_argument("--shuffles", type=int, default=5)
    evaluate.add_argument("--preset", choices=tuple(PRESETS), default="default",
                          help="default: C 1.0; paper: C 0.1, the FastRP paper's setting")
    evaluate.add_argument("--C", type=float, help="logistic regression C (default: the preset's)")
    evaluate.add_argument("--no-standardize", dest="standardize", action="store_false",
                          help="use the embedding as is instead of z-scoring its columns")
    evaluate.add_argument("--jobs", type=int, help="BLAS threads of the logistic regressions (default: all)")
    evaluate.add_argument("--quiet", action="store_true", help="no progress bar")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--out-dir", type=Path, help="where results.json and f1.png go (default: beside the embedding)")
    evaluate.set_defaults(func=run_evaluate)

    tune = commands.add_parser("tune", help="Optuna search of FastRP's last weight and beta (paper protocol)")
    _graph_source(tune)
    tune.add_argument("--trials", type=int, default=20)
    tune.add_argument("--dim", type=int, default=64)
    tune.add_argument("--ratio", type=float, default=0.1)
    tune.add_argument("--shuffles", type=int, default=3)
    tune.add_argument("--C", type=float, default=0.1)
    tune.add_argument("--objective", choices=("macro_f1", "micro_f1"), default="macro_f1")
    tune.add_argument("--seed", type=int, default=0)
    tune.add_argument("--out", type=Path, help="write the search (best parameters, trials) as json")
    tune.set_defaults(func=run_tune)


def run_fastrp(args: argparse.Namespace) -> int:
    from graphkit.embed import FastRP

    _check_out(args.out)
    _apply_preset(args, "fastrp")
    graph, _, features = load_graph(args.dataset, args.graph)
    estimator = FastRP(
        args.dim,
        iteration_weights=args.weights,
        normalization_strength=args.beta,
        projection=args.projection,
        l2_normalize=args.l2_normalize,
        self_influence=args.self_influence,
        property_ratio=args.property_ratio,
        random_state=args.seed,
        dtype=args.dtype,
    )
    start = time.perf_counter()
    embedding = estimator.fit_transform(graph, x=features)
    seconds = time.perf_counter() - start
    _save(args.out, embedding)
    params = {"method": "fastrp", "preset": args.preset, "graph": args.dataset or str(args.graph),
              "dim": args.dim, "weights": list(args.weights), "beta": args.beta,
              "projection": args.projection, "l2_normalize": args.l2_normalize,
              "self_influence": args.self_influence, "property_ratio": args.property_ratio,
              "dtype": args.dtype, "seed": args.seed, "seconds": seconds}
    args.out.with_suffix(".json").write_text(json.dumps(params, indent=2) + "\n")
    print(f"fastrp: {embedding.shape[0]} nodes x {embedding.shape[1]} dims in {seconds:.3f}s -> {args.out}")
    return 0


def run_deepwalk(args: argparse.Namespace) -> int:
    from graphkit.embed import DeepWalk

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


def run_evaluate(args: argparse.Namespace) -> int:
    import numpy as np

    from graphkit.embed import evaluate_node_classification

    _apply_preset(args, "evaluate")
    if not args.embedding.is_file():
        raise ConfigError(f"embedding file not found: {args.embedding}")
    try:
        embedding = np.load(args.embedding)
    except (OSError, ValueError) as e:
        raise ConfigError(f"{args.embedding}: not a readable .npy array ({e})") from None
    _, labels, _ = load_graph(args.dataset, args.graph)
    if labels is None:
        raise ConfigError("the graph has no node labels to evaluate against")
    report = evaluate_node_classification(
        embedding, labels, train_ratios=args.ratios, n_shuffles=args.shuffles, C=args.C,
        standardize=args.standardize, random_state=args.seed, n_jobs=args.jobs, progress=not args.quiet,
    )
    report["embedding"] = str(args.embedding)
    report["graph"] = args.dataset or str(args.graph)
    report["preset"] = args.preset
    params = args.embedding.with_suffix(".json")
    if params.is_file():  # written by `embed fastrp`: the weights and beta that made the embedding
        report["embedding_params"] = json.loads(params.read_text())
    out_dir = args.out_dir or args.embedding.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    plot_f1(report, out_dir / "f1.png")
    for row in report["results"]:
        print(f"train {row['train_ratio']:.0%}: micro-F1 {row['micro_f1']['mean']:.4f} ± {row['micro_f1']['std']:.4f}"
              f"  macro-F1 {row['macro_f1']['mean']:.4f} ± {row['macro_f1']['std']:.4f}")
    print(f"wrote {out_dir / 'results.json'} and {out_dir / 'f1.png'}")
    return 0


def run_tune(args: argparse.Namespace) -> int:
    from graphkit.embed import tune_fastrp

    graph, labels, _ = load_graph(args.dataset, args.graph)
    if labels is None:
        raise ConfigError("the graph has no node labels to tune against")
    search = tune_fastrp(
        graph, labels, n_trials=args.trials, n_components=args.dim, train_ratio=args.ratio,
        n_shuffles=args.shuffles, C=args.C, objective=args.objective, random_state=args.seed,
    )
    best = search["best_params"]
    weights = ",".join(f"{w:.4g}" for w in best["iteration_weights"])
    print(f"best {search['objective']} {search['best_value']:.4f}: --weights {weights} "
          f"--beta {best['normalization_strength']:.4f}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(search, indent=2) + "\n")
    return 0


def load_graph(dataset: str | None, path: Path | None) -> tuple[Any, Any, Any]:
    """``(graph, labels, features)`` of a registered dataset or of a ``.mat`` file.

    The graph is a PyG ``Data`` (registry) or a scipy adjacency (``.mat``); labels are
    ``data.y`` or the ``group`` matrix; features are ``data.x`` or None.
    """
    if path is not None:
        from graphkit.datasets.mat_graph import read_mat_graph

        adjacency, labels = read_mat_graph(path)
        return adjacency, labels, None
    from graphkit.config import DataConfig
    from graphkit.datasets import load_dataset

    loaded = load_dataset(DataConfig(name=dataset))
    if loaded.data is None:
        raise ConfigError(f"dataset {dataset!r} is graph-level; node embeddings need a single graph")
    data = loaded.data
    return data, getattr(data, "y", None), getattr(data, "x", None)


def plot_f1(report: dict, path: Path) -> None:
    """Micro- and Macro-F1 (mean ± std over shuffles) against train ratio."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ratios = [row["train_ratio"] * 100 for row in report["results"]]
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for key, label in (("micro_f1", "Micro-F1"), ("macro_f1", "Macro-F1")):
        means = [row[key]["mean"] for row in report["results"]]
        stds = [row[key]["std"] for row in report["results"]]
        ax.errorbar(ratios, means, yerr=stds, marker="o", capsize=3, label=label)
    ax.set_xlabel("labeled nodes (%)")
    ax.set_ylabel("F1")
    ax.set_title(f"{report.get('graph', '')} (C={report['C']}, {report['n_shuffles']} shuffles)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _apply_preset(args: argparse.Namespace, command: str) -> None:
    """Fills every option left unset on the command line from ``--preset``."""
    for key, value in PRESETS[args.preset][command].items():
        if getattr(args, key) is None:
            setattr(args, key, value)


def _graph_source(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
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
