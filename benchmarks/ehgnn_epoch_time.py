"""EHGNN (HyperDrop) vs GIN training-epoch time on PROTEINS, measured in one process.

Issue 33's speed target: an EHGNN epoch on PROTEINS within 2x of GIN's (same run). Both
models are built from their configs (``configs/ehgnn/proteins.yaml``: width 128, batch 128;
``configs/gin/proteins.yaml``: width 32, batch 32) and trained on the training graphs of
fold 0 of the reference folds for ``--rounds`` rounds of one epoch each, all settings
alternating within a round; the median epoch time of each setting is reported:

- each model at its config's batch size, and everything at batch size 128;
- GIN at EHGNN's width (``hidden_channels`` 128) and EHGNN at GIN's (32), so each model
  is also compared at one width;
- EHGNN without the dataset's dual-hypergraph cache (``data.pe.dual_hypergraph: false``:
  every batch sorts its dual's incidences).

Also timed: building the first layer's dual hypergraph of every batch of an epoch, with and
without the cache, and the dense products alone that an EHGNN epoch at its width cannot
avoid (each layer's ``X Θ`` / ``E Θ``, forward and backward): a floor under its epoch.

    OMP_NUM_THREADS=1 GRAPHKIT_MIRROR=../shared/datasets python benchmarks/ehgnn_epoch_time.py

Writes ``benchmarks/results/ehgnn_epoch_time.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch_geometric.loader import DataLoader

from graphkit.catalog import load
from graphkit.config import RunConfig
from graphkit.datasets import load_dataset
from graphkit.models import build_model_for
from graphkit.models.ehgnn.dual_operator import DualOperator
from graphkit.models.ehgnn.ehgnn import dual_operator
from graphkit.runs.config_loading import load_config

REPO = Path(__file__).resolve().parents[1]
CONFIGS = {"ehgnn_hyperdrop": REPO / "configs/ehgnn/proteins.yaml", "gin": REPO / "configs/gin/proteins.yaml"}


def _epoch(model, graphs, batch_size: int, seed: int) -> float:
    torch.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    started = time.perf_counter()
    for batch in DataLoader(graphs, batch_size=batch_size, shuffle=True):
        optimizer.zero_grad()
        F.cross_entropy(model(batch), batch.y.view(-1)).backward()
        optimizer.step()
    return time.perf_counter() - started


def _dual_time(graphs, batch_size: int, cached: bool) -> float:
    """Seconds to build the first layer's dual hypergraph of every batch of an epoch."""
    batches = list(DataLoader(graphs, batch_size=batch_size, shuffle=False))
    started = time.perf_counter()
    for batch in batches:
        if cached:
            dual_operator(batch, batch.batch, batch.num_graphs)
        else:
            DualOperator.build(batch.edge_index, batch.num_nodes)
    return time.perf_counter() - started


def _dense_floor(graphs, batch_size: int, width: int, layers: int, ratio: float) -> float:
    """Seconds of the dense products an EHGNN epoch cannot avoid at ``width``, forward and
    backward: each node convolution's ``X Θ`` over the nodes, and the edge convolutions'
    ``E Θ`` over the edges left after each drop (the first edge convolution reads the
    1-wide edge input, so it is left out)."""
    weight = torch.randn(width, width, requires_grad=True)
    shapes = []
    for batch in DataLoader(graphs, batch_size=batch_size, shuffle=False):
        edges = torch.bincount(batch.batch[batch.edge_index[0]], minlength=batch.num_graphs)
        rows = [batch.num_nodes] * layers
        for _ in range(1, layers - 1):
            edges = torch.ceil(ratio * edges)
            rows.append(int(edges.sum()))
        shapes.append(rows)
    started = time.perf_counter()
    for rows in shapes:
        for n in rows:
            x = torch.randn(n, width, requires_grad=True)
            (x @ weight).backward(torch.ones(n, width))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default=str(REPO / "benchmarks/results/ehgnn_epoch_time.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    load()
    cfgs = {name: load_config(RunConfig, path, ["data.split=ehgnn_folds"]) for name, path in CONFIGS.items()}
    ehgnn_cfg, gin_cfg = cfgs["ehgnn_hyperdrop"], cfgs["gin"]
    assert ehgnn_cfg.data.pe.dual_hypergraph and not gin_cfg.data.pe.dual_hypergraph
    plain = load_dataset(gin_cfg.data)
    cached = load_dataset(ehgnn_cfg.data)  # the dual's incidences cached with every graph
    train = plain.splits[0]["train"].tolist()
    assert cached.splits[0]["train"].tolist() == train
    graphs = {"plain": [plain.graphs[i] for i in train], "cached": [cached.graphs[i] for i in train]}
    assert "dht_edge" in graphs["cached"][0] and "dht_edge" not in graphs["plain"][0]
    ehgnn, gin = ehgnn_cfg.model, gin_cfg.model
    # key -> (model config, batch size, graphs)
    settings = {
        f"ehgnn_hyperdrop@{ehgnn_cfg.data.batch_size}": (ehgnn, ehgnn_cfg.data.batch_size, "cached"),
        f"gin@{gin_cfg.data.batch_size}": (gin, gin_cfg.data.batch_size, "plain"),
        "gin@128": (gin, 128, "plain"),
        "gin-hidden128@128": (dataclasses.replace(gin, hidden_channels=128), 128, "plain"),
        "ehgnn_hyperdrop-hidden32@128": (dataclasses.replace(ehgnn, hidden_channels=32), 128, "cached"),
        "ehgnn_hyperdrop-nocache@128": (ehgnn, 128, "plain"),
    }
    assert "ehgnn_hyperdrop@128" in settings and "gin@32" in settings
    models = {key: build_model_for(cfg, plain, plain.num_classes) for key, (cfg, _, _) in settings.items()}
    times: dict[str, list[float]] = {key: [] for key in settings}
    for r in range(args.rounds + 1):  # round 0 warms up
        for key, (_, batch_size, data) in settings.items():
            seconds = _epoch(models[key], graphs[data], batch_size, seed=r)
            if r:
                times[key].append(seconds)
        print(f"round {r}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items() if v), flush=True)
    median = {key: statistics.median(v) for key, v in times.items()}
    dual = {name: statistics.median(_dual_time(graphs[name], 128, name == "cached") for _ in range(args.rounds))
            for name in ("plain", "cached")}
    ehgnn_epoch = median["ehgnn_hyperdrop@128"]
    floor = statistics.median(_dense_floor(graphs["plain"], 128, ehgnn.hidden_channels, ehgnn.num_layers, ehgnn.ratio)
                              for _ in range(args.rounds))
    result = {
        "dataset": "proteins (fold 0 of ehgnn_folds: %d training graphs)" % len(train),
        "command": "OMP_NUM_THREADS=1 python benchmarks/ehgnn_epoch_time.py --rounds %d" % args.rounds,
        "machine": f"{platform.processor() or platform.machine()}, 1 thread, 2 shared cores under concurrent load",
        "median_epoch_seconds": median,
        "epoch_times": times,
        "params": {key: sum(p.numel() for p in m.parameters()) for key, m in models.items()},
        "ratio_ehgnn_to_gin_own_configs": ehgnn_epoch / median["gin@32"],
        "ratio_ehgnn_to_gin_batch_128": ehgnn_epoch / median["gin@128"],
        "ratio_ehgnn_to_gin_both_width_128_batch_128": ehgnn_epoch / median["gin-hidden128@128"],
        "ratio_ehgnn_to_gin_both_width_32_batch_128": median["ehgnn_hyperdrop-hidden32@128"] / median["gin@128"],
        "dense_products_seconds_per_ehgnn_epoch": floor,
        "ratio_dense_products_to_gin_batch_128": floor / median["gin@128"],
        "ratio_ehgnn_without_to_with_dual_cache": median["ehgnn_hyperdrop-nocache@128"] / ehgnn_epoch,
        "first_dual_seconds_per_epoch": {"without_cache": dual["plain"], "with_cache": dual["cached"]},
        "first_dual_share_of_ehgnn_epoch": {"without_cache": dual["plain"] / ehgnn_epoch,
                                            "with_cache": dual["cached"] / ehgnn_epoch},
    }
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "epoch_times"}, indent=1))


if __name__ == "__main__":
    main()
