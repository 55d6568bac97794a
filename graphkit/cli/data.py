"""``graphkit data {list,info,prepare,amud}``: browse the dataset registry, fill the cache,
decide a directed graph's direction with AMUD."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from graphkit.config import DataConfig, PEConfig, parse_override
from graphkit.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("data", help="list, inspect and prepare registered datasets",
                            description="Browse the dataset registry and prepare its cache.")
    actions = parser.add_subparsers(dest="data_command", required=True, metavar="ACTION")

    p = actions.add_parser("list", help="table of registered datasets (static sizes)")
    p.add_argument("--all", action="store_true",
                   help="also the dataset families (tu:<NAME>, ogb:<name>, pyg:...) and your own data")
    p.set_defaults(func=run_list, parts=False)

    for name, func, help_text in (
        ("info", run_info, "load a dataset and print its real sizes, splits and encoders"),
        ("prepare", run_prepare, "fetch, process and cache a dataset"),
    ):
        p = actions.add_parser(name, help=help_text, description=help_text)
        p.add_argument("name", help="dataset name, family member or path (see `graphkit data list --all`)")
        p.add_argument("--split", default="default", help="split protocol (default: the dataset's)")
        p.add_argument("--root", help="data root (default $GRAPHKIT_DATA or ~/.cache/graphkit)")
        p.add_argument("--mirror", help="offline mirror folder (default $GRAPHKIT_MIRROR)")
        p.add_argument("--pe-lap", type=int, default=0, metavar="K",
                       help="add K Laplacian eigenvectors as data.lap_pe")
        p.add_argument("--pe-rwse", type=int, default=0, metavar="K",
                       help="add K random-walk return probabilities as data.rwse")
        p.add_argument("--arg", action="append", default=[], metavar="KEY=VALUE",
                       help="data.args entry (pyg: constructor argument, task, metric); repeatable")
        p.add_argument("--directed", choices=("true", "false", "auto"),
                       help="data.directed: keep the raw direction, symmetrize, or let AMUD decide "
                            "(default: the dataset's own behaviour)")
        p.set_defaults(func=func)

    p = actions.add_parser("amud", help="AMUD: should this directed graph be modelled directed or undirected?",
                           description="Computes AMUD's statistic on the raw directed edges and the training "
                                       "labels of one split, prints it with its decision and writes it as JSON.")
    p.add_argument("name", help="a dataset that records its edge direction (graphkit data info NAME)")
    p.add_argument("--split", default="default", help="split protocol (default: the dataset's)")
    p.add_argument("--split-index", type=int, default=0, metavar="I", help="whose training labels are used")
    p.add_argument("--threshold", type=float, default=None, help="decision threshold (default: AMUD's)")
    p.add_argument("--out", default=None, metavar="FILE.json", help="where the JSON goes (default ./NAME-amud.json)")
    p.add_argument("--root", help="data root (default $GRAPHKIT_DATA or ~/.cache/graphkit)")
    p.add_argument("--mirror", help="offline mirror folder (default $GRAPHKIT_MIRROR)")
    p.set_defaults(func=run_amud)


def _config(args: argparse.Namespace) -> DataConfig:
    try:
        pe = PEConfig(lap_dim=args.pe_lap, rwse_steps=args.pe_rwse)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    data_args = {}
    for text in args.arg:
        keys, value = parse_override(text)
        data_args[".".join(keys)] = value
    directed = {None: None, "true": True, "false": False, "auto": "auto"}[args.directed]
    try:
        return DataConfig(name=args.name, root=args.root, mirror=args.mirror, split=args.split, pe=pe,
                          args=data_args, directed=directed)
    except ValueError as e:
        raise ConfigError(str(e)) from None


def _count(value) -> str:
    return "?" if value is None else f"{value:,}"


def run_list(args: argparse.Namespace) -> int:
    from graphkit.catalog import load_datasets
    from graphkit.datasets import DATASETS

    load_datasets()
    header = ("name", "task", "graphs", "nodes", "edges", "metric", "source")
    rows = [header]
    for name in DATASETS:
        spec = DATASETS.get(name)
        rows.append((name, spec.task, _count(spec.num_graphs), _count(spec.num_nodes),
                     _count(spec.num_edges), spec.metric, spec.source))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    numeric = {2, 3, 4}
    for row in rows:
        cells = [cell.rjust(w) if i in numeric and row is not header else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths))]
        print("  ".join(cells + [row[-1]]).rstrip())
    print("\nedges count both directions of an undirected edge (PyG's edge_index convention)")
    if args.all:
        from graphkit.catalog import load_dataset_families
        from graphkit.datasets import DATASET_FAMILIES
        from graphkit.datasets.resolve import OWN_DATA_FORMS

        load_dataset_families()
        print("\nfamilies and your own data, as data.name (a tu:/ogb: member curated above resolves to it; other")
        print("members are read from the mirror or their source, files trusted on first use):")
        rows = [(f.pattern, f.example, f.description) for f in map(DATASET_FAMILIES.get, DATASET_FAMILIES)]
        rows += list(OWN_DATA_FORMS)
        width = max(len(f[0]) for f in rows)
        for pattern, example, what in rows:
            print(f"  {pattern.ljust(width)}  {what}; e.g. {example}")
    return 0


def _integrity(spec, cfg: DataConfig) -> str:
    """How the dataset's raw files are verified, for `data info`."""
    from graphkit.datasets.fetch import dataset_dir, resolve_root
    from graphkit.datasets.trust import recorded_hashes

    if spec.integrity == "trust-on-first-use":
        folder = dataset_dir(resolve_root(cfg.root), spec.name)
        hashes = recorded_hashes(folder)
        shown = ", ".join(f"{path} sha256 {digest[:12]}..." for path, digest in list(hashes.items())[:2])
        more = f" (+{len(hashes) - 2} more)" if len(hashes) > 2 else ""
        return f"trusted on first use: {shown}{more}, recorded in {folder / 'trusted'}"
    if spec.integrity == "local":
        return "your own files, read in place (their sha256 keys the cache: an edit re-processes)"
    if spec.integrity != "pinned":
        return spec.integrity
    if not spec.files:
        return "downloaded by the source's own loader, no published checksums"
    return f"pinned: {len(spec.files)} file(s) checked against sha256 in graphkit.datasets.checksums"


def _direction(spec, ds) -> str:
    """Raw direction record, edges counted both ways and reciprocity, for `data info`."""
    from graphkit.amud import edge_direction_counts

    raw = {True: "raw edges directed", False: "raw edges undirected", None: "no direction recorded"}[spec.directed]
    if ds.is_graph_level:
        return raw
    counts = edge_direction_counts(ds.data.edge_index, int(ds.data.num_nodes))
    state = ""
    if "directed" in ds.extra:
        state = f"; kept {'directed' if ds.extra['directed'] else 'undirected (symmetrized)'}"
        if "amud" in ds.extra:
            state += f" by AMUD (statistic {ds.extra['amud']['statistic']:.4f})"
    elif spec.directed:
        state = "; kept directed (as loaded)" if spec.keep_direction else ""
    return (f"{raw}{state}; {counts['directed_edges']:,} ordered pairs, {counts['undirected_edges']:,} "
            f"undirected pairs, reciprocity {counts['reciprocity']:.3f}, self-loops {counts['self_loops']:,}")


def run_amud(args: argparse.Namespace) -> int:
    from graphkit.amud import DEFAULT_THRESHOLD, amud
    from graphkit.datasets import load_dataset
    from graphkit.datasets.resolve import resolve_dataset

    try:
        cfg = DataConfig(name=args.name, root=args.root, mirror=args.mirror, split=args.split,
                         splits=(args.split_index,), directed=True)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    spec = resolve_dataset(cfg)
    if spec.directed is not True:
        raise ConfigError(f"graphkit data amud: {spec.name!r} has no directed raw edge list "
                          f"({'undirected raw edges' if spec.directed is False else 'no direction recorded'})")
    ds = load_dataset(cfg)
    if not ds.splits:
        raise ConfigError(f"graphkit data amud: {spec.name!r} has no node splits, so no training labels")
    threshold = DEFAULT_THRESHOLD if args.threshold is None else args.threshold
    try:
        result = amud(ds.data.edge_index, ds.data.y, ds.splits[args.split_index]["train"],
                      int(ds.data.num_nodes), threshold=threshold)
    except ValueError as e:
        raise ConfigError(f"graphkit data amud: {spec.name}: {e}") from None
    record = {"dataset": spec.name, "split": cfg.split, "split_index": args.split_index, **result.to_dict()}
    out = Path(args.out or f"{spec.name.replace(':', '_').replace('/', '_')}-amud.json")
    out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"{spec.name}: AMUD statistic {result.statistic:.4f} (threshold {threshold}) -> model as "
          f"{result.decision}; I(y; y_nbr) {result.info_undirected:.4f}, I(y; y_nbr, direction) "
          f"{result.info_directed:.4f}, H(y) {result.label_entropy:.4f} nats over "
          f"{result.train_edges:,} training edges; written to {out}")
    return 0


def run_prepare(args: argparse.Namespace) -> int:
    from graphkit.datasets import cache_dir, load_dataset
    from graphkit.datasets.resolve import resolve_dataset

    cfg = _config(args)
    target = cache_dir(resolve_dataset(cfg), cfg)
    cached = target.is_dir()
    start = time.perf_counter()
    load_dataset(cfg)
    took = time.perf_counter() - start
    state = "already cached" if cached else f"prepared in {took:.1f}s"
    print(f"{cfg.name}: {state} at {target}")
    return 0


def run_info(args: argparse.Namespace) -> int:
    from graphkit.datasets import cache_dir, load_dataset
    from graphkit.datasets.loading import resolve_split
    from graphkit.datasets.resolve import resolve_dataset

    cfg = _config(args)
    spec = resolve_dataset(cfg)
    ds = load_dataset(cfg)
    if ds.is_graph_level:
        store = ds.graphs._data if hasattr(ds.graphs, "_data") else None
        num_graphs = len(ds.graphs)
        nodes = int(store.num_nodes) if store is not None else sum(g.num_nodes for g in ds.graphs)
        edges = (int(store.edge_index.size(1)) if store is not None
                 else sum(g.edge_index.size(1) for g in ds.graphs))
        sample = ds.graphs[0]
    else:
        num_graphs, nodes, edges, sample = 1, int(ds.data.num_nodes), int(ds.data.edge_index.size(1)), ds.data
    lines = [
        ("name", ds.name),
        ("description", spec.description),
        ("source", f"{spec.source} ({spec.citation})" if spec.citation else spec.source),
        ("files", _integrity(spec, cfg)),
        ("task / metric", f"{ds.task} / {ds.metric}"),
        ("graphs / nodes / edges", f"{num_graphs:,} / {nodes:,} / {edges:,}"),
        ("features", "none (a featureless graph: structure and labels only)"
         if ds.num_features == 0 and not ds.num_node_types
         else f"{ds.num_features} (node encoder: {ds.node_encoder}"
              + (f", {ds.num_node_types} types" if ds.num_node_types else "") + ")"
              + (f": {ds.extra['features']}" if "features" in ds.extra else "")),
        ("edge features", f"{ds.num_edge_features} (edge encoder: {ds.edge_encoder}"
                          + (f", {ds.num_edge_types} types" if ds.num_edge_types else "") + ")"),
        ("classes / tasks", str(ds.num_classes)),
        ("direction", _direction(spec, ds)),
        ("attributes", ", ".join(f"{k}{list(v.shape) if hasattr(v, 'shape') else ''}"
                                 for k, v in sample.items())),
        ("split protocol", f"{resolve_split(spec, cfg.split)}"
                           + (f" -> {ds.extra['split_protocol']}" if "split_protocol" in ds.extra
                              and ds.extra["split_protocol"] != resolve_split(spec, cfg.split) else "")
                           + f" (choices: {', '.join(spec.splits)})"),
    ]
    if ds.splits:
        sizes = {tuple(len(s[k]) for k in ("train", "valid", "test")) for s in ds.splits}
        shown = " | ".join(f"{a:,}/{b:,}/{c:,}" for a, b, c in sorted(sizes))
        lines.append(("splits", f"{len(ds.splits)}, train/valid/test sizes {shown}"))
    if "edge_split" in ds.extra:
        parts = [f"{split}: " + ", ".join(f"{k} {len(v):,}" for k, v in d.items())
                 for split, d in ds.extra["edge_split"].items()]
        lines.append(("edge split", "; ".join(parts)))
    extras = sorted(k for k in ds.extra if k != "edge_split")
    if extras:
        lines.append(("extra", ", ".join(extras)))
    lines.append(("cache", str(cache_dir(spec, cfg))))
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key.ljust(width)}  {value}")
    return 0
