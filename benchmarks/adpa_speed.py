"""ADPA's epoch time against GCN (and SAGE, Dir-GNN) on the same directed graph, in one
process, and peak memory on tolokers.

Epoch = one full-batch training step (forward, backward, Adam) plus one evaluation
forward, as ``graphkit train`` runs them. The models are timed interleaved (A, B, A, B ...)
so that both see the same machine load, and the medians are compared: the ratio is a
same-run ratio. ADPA's one-off precomputation is timed separately. Memory: each model
trains a few steps in a fresh subprocess and reports its peak resident set size, next to
the bytes an N x N dense matrix would take.

    OMP_NUM_THREADS=1 python benchmarks/adpa_speed.py --datasets chameleon,cora_ml \\
        --memory tolokers --out benchmarks/results/adpa_speed.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from graphkit.catalog import load
from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.models import MODELS
from graphkit.models.adpa import ADPAConfig
from graphkit.models.dir_gnn import DirGNNConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.models.mpnn import MPNNConfig

CONFIGS = {
    "adpa": ADPAConfig(name="adpa"),
    "gcn": MPNNConfig(name="gcn", hidden_channels=64, num_layers=2),
    "sage": MPNNConfig(name="sage", hidden_channels=64, num_layers=2),
    "dir_gnn": DirGNNConfig(name="dir_gnn"),
}


def _setup(name: str, dataset: str, directed: bool = True):
    load()
    ds = load_dataset(DataConfig(name=dataset, directed=directed))
    inputs = ModelInputs(level="node", out_channels=ds.num_classes, num_features=ds.num_features)
    torch.manual_seed(0)
    model = MODELS.get(name).build(CONFIGS[name], inputs)
    optim = torch.optim.Adam(model.parameters(), lr=0.01)
    return ds, model, optim


def _epoch(ds, model, optim) -> float:
    start = time.perf_counter()
    train = ds.splits[0]["train"]
    model.train()
    optim.zero_grad()
    F.cross_entropy(model(ds.data)[train], ds.data.y[train]).backward()
    optim.step()
    model.eval()
    with torch.no_grad():
        model(ds.data)
    return time.perf_counter() - start


def time_dataset(dataset: str, models: list[str], reps: int) -> dict:
    setups = {m: _setup(m, dataset) for m in models}
    precompute = None
    if "adpa" in setups:
        ds, model, _ = setups["adpa"]
        start = time.perf_counter()
        model._propagated(ds.data)
        precompute = time.perf_counter() - start
    times = {m: [] for m in models}
    for m in models:  # warm-up
        _epoch(*setups[m])
    for _ in range(reps):
        for m in models:
            times[m].append(_epoch(*setups[m]))
    med = {m: statistics.median(t) for m, t in times.items()}
    data = setups[models[0]][0].data
    return {"dataset": dataset, "nodes": int(data.num_nodes), "edges": int(data.edge_index.size(1)),
            "features": int(data.num_features), "reps": reps, "median_epoch_s": med,
            "ratio_to_gcn": {m: med[m] / med["gcn"] for m in models},
            "adpa_precompute_s": precompute}


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak(model_name: str, dataset: str) -> dict:
    """Peak resident memory above the loaded dataset while ``model_name`` precomputes (ADPA)
    and trains 3 epochs, sampled every 5 ms (the process-wide high-water mark is set by
    loading the dataset, so it cannot show this)."""
    ds, model, optim = _setup(model_name, dataset)
    baseline = _rss_mib()
    samples, stop = [baseline], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(_rss_mib())
            time.sleep(0.005)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    for _ in range(3):
        _epoch(ds, model, optim)
    stop.set()
    thread.join()
    n = int(ds.data.num_nodes)
    return {"model": model_name, "dataset": dataset, "rss_after_loading_mib": baseline,
            "peak_above_loading_mib": max(samples) - baseline, "dense_nxn_float32_mib": n * n * 4 / 2**20}


def materialized_patterns(dataset: str) -> dict:
    """What the reference's materialized second-order pattern matrices would hold (scipy CSR,
    float64 values + int32 indices), computed one at a time."""
    import scipy.sparse as sp

    load()
    ds = load_dataset(DataConfig(name=dataset, directed=True))
    n = int(ds.data.num_nodes)
    row, col = ds.data.edge_index.numpy()
    a = sp.csr_matrix(([1.0] * len(row), (row, col)), shape=(n, n))
    a.data[:] = 1.0
    nnz = {name: int(m.nnz) for name, m in (("AA", a @ a), ("AAt", a @ a.T), ("AtA", a.T @ a), ("AtAt", a.T @ a.T))}
    return {"dataset": dataset, "edges": int(a.nnz), "second_order_nnz": nnz,
            "second_order_csr_mib": sum(nnz.values()) * 12 / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default="chameleon,cora_ml")
    parser.add_argument("--models", default="adpa,gcn,sage,dir_gnn")
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--memory", default="tolokers", help="dataset for the peak-memory check ('' = skip)")
    parser.add_argument("--out", default="benchmarks/results/adpa_speed.json")
    parser.add_argument("--peak", nargs=2, metavar=("MODEL", "DATASET"), help=argparse.SUPPRESS)
    parser.add_argument("--materialized", metavar="DATASET", help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.peak:
        print(json.dumps(peak(*args.peak)))
        return
    if args.materialized:
        print(json.dumps(materialized_patterns(args.materialized)))
        return
    models = args.models.split(",")
    out_path = Path(args.out)
    result = {"machine": f"{os.cpu_count()} CPU cores, shared with other jobs; torch threads 1",
              "timing": [time_dataset(d, models, args.reps) for d in args.datasets.split(",") if d]}
    if not args.datasets and out_path.is_file():  # memory only: keep the recorded timings
        result["timing"] = json.loads(out_path.read_text()).get("timing", [])
    if args.memory:
        result["memory"] = []
        for m in ("adpa", "gcn"):
            out = subprocess.run([sys.executable, __file__, "--peak", m, args.memory], capture_output=True,
                                 text=True, check=True)
            result["memory"].append(json.loads(out.stdout.strip().splitlines()[-1]))
        out = subprocess.run([sys.executable, __file__, "--materialized", args.memory], capture_output=True,
                             text=True, check=True)
        result["reference_materialized"] = json.loads(out.stdout.strip().splitlines()[-1])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
