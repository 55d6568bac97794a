"""EHGNN (HyperDrop) vs GIN training-epoch time on PROTEINS, measured in one process.

Issue 33's speed target: an EHGNN epoch on PROTEINS within 2x of GIN's. Both models are
built from their configs (``configs/ehgnn/proteins.yaml``, ``configs/gin/proteins.yaml``),
trained on the training graphs of fold 0 of the reference folds for ``--rounds`` rounds
of one epoch each, alternating, and the median epoch time is reported: each model at its
config's batch size (128 and 32), both at batch size 128, and GIN also at EHGNN's width
(``hidden_channels`` 128 instead of 32). Also timed: the dual
hypergraph incidences an EHGNN epoch builds (``incidence_with_loops``, once per layer per
batch), as a share of the epoch.

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
from graphkit.runs.config_loading import load_config
from graphkit.transforms.dual_hypergraph import incidence_with_loops

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


def _incidence_time(graphs, batch_size: int, layers: int) -> float:
    started = time.perf_counter()
    for batch in DataLoader(graphs, batch_size=batch_size, shuffle=False):
        for _ in range(layers):
            incidence_with_loops(batch.edge_index, batch.num_nodes)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default=str(REPO / "benchmarks/results/ehgnn_epoch_time.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    load()
    cfgs = {name: load_config(RunConfig, path, ["data.split=ehgnn_folds"]) for name, path in CONFIGS.items()}
    dataset = load_dataset(cfgs["gin"].data)
    graphs = [dataset.graphs[int(i)] for i in dataset.splits[0]["train"]]
    settings = {f"{name}@{cfg.data.batch_size}": (name, cfg.data.batch_size) for name, cfg in cfgs.items()}
    settings["gin@128"] = ("gin", 128)
    settings["gin-hidden128@128"] = ("gin", 128)  # GIN at EHGNN's width
    models = {key: build_model_for(cfgs[name].model, dataset, dataset.num_classes) for key, (name, _) in settings.items()}
    models["gin-hidden128@128"] = build_model_for(dataclasses.replace(cfgs["gin"].model, hidden_channels=128), dataset,
                                                  dataset.num_classes)
    times: dict[str, list[float]] = {key: [] for key in settings}
    for r in range(args.rounds + 1):  # round 0 warms up
        for key, (_, batch_size) in settings.items():
            seconds = _epoch(models[key], graphs, batch_size, seed=r)
            if r:
                times[key].append(seconds)
        print(f"round {r}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items() if v), flush=True)
    median = {key: statistics.median(v) for key, v in times.items()}
    layers = cfgs["ehgnn_hyperdrop"].model.num_layers
    dht = statistics.median(_incidence_time(graphs, 128, layers) for _ in range(args.rounds))
    result = {
        "dataset": "proteins (fold 0 of ehgnn_folds: %d training graphs)" % len(graphs),
        "command": "OMP_NUM_THREADS=1 python benchmarks/ehgnn_epoch_time.py --rounds %d" % args.rounds,
        "machine": f"{platform.processor() or platform.machine()}, 1 thread, 2 shared cores under concurrent load",
        "median_epoch_seconds": median,
        "epoch_times": times,
        "params": {key: sum(p.numel() for p in m.parameters()) for key, m in models.items()},
        "ratio_ehgnn_to_gin_own_batch_size": median["ehgnn_hyperdrop@128"] / median["gin@32"],
        "ratio_ehgnn_to_gin_batch_128": median["ehgnn_hyperdrop@128"] / median["gin@128"],
        "ratio_ehgnn_to_gin_hidden_128_batch_128": median["ehgnn_hyperdrop@128"] / median["gin-hidden128@128"],
        "dual_incidence_seconds_per_epoch": dht,
        "dual_incidence_share_of_ehgnn_epoch": dht / median["ehgnn_hyperdrop@128"],
    }
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "epoch_times"}, indent=1))


if __name__ == "__main__":
    main()
