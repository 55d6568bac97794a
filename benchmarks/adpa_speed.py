"""ADPA's epoch time against GCN (and SAGE, Dir-GNN) on the same directed graph, in one
process, and peak memory on tolokers.

Baselines: ``gcn`` is graphkit's GCN (``model.name: gcn``, 2 layers, 64 hidden);
``gcn-cached`` is plain PyG ``GCNConv(cached=True)`` x 2 (normalisation computed once);
``gcn-sparse-x`` is the same with the first layer's ``X W`` taken as a sparse product
(bag-of-words features are ~1% non-zero), the strongest GCN we could write.
``adpa-stored`` is ADPA storing the propagated ``[P, K, N, F]`` features (the reference's
way, ``precompute=True``), ``adpa-propagated`` propagating the mapped features every
epoch (``precompute=False``); ``adpa`` picks per graph (``ADPA.precompute_pays``).

Epoch = one full-batch training step (forward, backward, Adam) plus one evaluation
forward, as ``graphkit train`` runs them. The models are timed interleaved (A, B, A, B ...)
so that both see the same machine load, and the medians are compared: the ratio is a
same-run ratio. ADPA's one-off precomputation is timed separately. Memory: each model
trains a few steps in a fresh subprocess and reports its peak resident set size, next to
the bytes an N x N dense matrix would take.

    OMP_NUM_THREADS=1 python benchmarks/adpa_speed.py --datasets chameleon,cora_ml \\
        --reps 15 --memory tolokers --out benchmarks/results/adpa_speed.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch_geometric.nn import GCNConv

from graphkit.catalog import load
from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.models import MODELS
from graphkit.models.adpa import ADPA, ADPAConfig
from graphkit.models.adpa.directed_patterns import sparse_pair, sparse_product
from graphkit.models.dir_gnn import DirGNNConfig
from graphkit.models.model_inputs import ModelInputs
from graphkit.models.mpnn import MPNNConfig
from graphkit.nn.fast_dropout import fast_dropout

CONFIGS = {
    "adpa": ADPAConfig(name="adpa"),
    "gcn": MPNNConfig(name="gcn", hidden_channels=64, num_layers=2),
    "sage": MPNNConfig(name="sage", hidden_channels=64, num_layers=2),
    "dir_gnn": DirGNNConfig(name="dir_gnn"),
}


class PygGCN(nn.Module):
    """Two PyG ``GCNConv(cached=True)`` layers, 64 hidden, dropout 0.5 before each (graphkit's
    ``fast_dropout``, as graphkit's GCN). With ``sparse_x`` the first layer's ``X W`` is a CSR
    product and the input dropout drops stored entries of ``X`` (the same function)."""

    def __init__(self, in_channels: int, out_channels: int, sparse_x: bool = False) -> None:
        super().__init__()
        self.conv1 = GCNConv(64 if sparse_x else in_channels, 64, cached=True)
        self.conv2 = GCNConv(64, out_channels, cached=True)
        self.weight = nn.Parameter(torch.randn(in_channels, 64) / in_channels ** 0.5) if sparse_x else None
        if sparse_x:
            self.conv1.lin = nn.Identity()
        self._pair = None

    def _dropped_x(self, x):
        if self._pair is None:
            mat, mat_t = sparse_pair(x)
            # position in mat's value order of each of mat_t's values
            keys = mat.col_indices() * x.size(0) + torch.repeat_interleave(
                torch.arange(x.size(0)), mat.crow_indices().diff())
            order = torch.argsort(keys)
            self._pair = (mat, mat_t, order)
        mat, mat_t, order = self._pair
        if not self.training:
            return mat, mat_t
        values = fast_dropout(mat.values(), 0.5, True)
        return (torch.sparse_csr_tensor(mat.crow_indices(), mat.col_indices(), values, mat.shape),
                torch.sparse_csr_tensor(mat_t.crow_indices(), mat_t.col_indices(), values[order], mat_t.shape))

    def forward(self, data):
        if self.weight is not None:
            x = sparse_product(*self._dropped_x(data.x), self.weight)  # [N, 64]
        else:
            x = fast_dropout(data.x, 0.5, self.training)
        x = fast_dropout(F.relu(self.conv1(x, data.edge_index)), 0.5, self.training)
        return self.conv2(x, data.edge_index)


def _setup(name: str, dataset: str, directed: bool = True):
    load()
    ds = load_dataset(DataConfig(name=dataset, directed=directed))
    inputs = ModelInputs(level="node", out_channels=ds.num_classes, num_features=ds.num_features)
    torch.manual_seed(0)
    if name in ("adpa-stored", "adpa-propagated"):
        model = ADPA(ds.num_features, 32, ds.num_classes, precompute=name == "adpa-stored")
    elif name in ("gcn-cached", "gcn-sparse-x"):
        model = PygGCN(ds.num_features, ds.num_classes, sparse_x=name == "gcn-sparse-x")
    else:
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
    precompute, stored = {}, None
    for name in ("adpa", "adpa-stored", "adpa-propagated"):
        if name in setups:
            ds, model, _ = setups[name]
            start = time.perf_counter()
            prepared = model._prepared(ds.data)
            precompute[name] = time.perf_counter() - start
            if name == "adpa":
                stored = prepared.features is not None
    times = {m: [] for m in models}
    for m in models:  # warm-up
        _epoch(*setups[m])
    for _ in range(reps):
        for m in models:
            times[m].append(_epoch(*setups[m]))
    med = {m: statistics.median(t) for m, t in times.items()}
    data = setups[models[0]][0].data
    gcns = [m for m in models if m.startswith("gcn")]
    fastest = min(gcns, key=med.get)
    return {"dataset": dataset, "nodes": int(data.num_nodes), "edges": int(data.edge_index.size(1)),
            "features": int(data.num_features), "feature_density": float((data.x != 0).float().mean()),
            "reps": reps, "median_epoch_s": med,
            "ratio_to_gcn": {g: {m: med[m] / med[g] for m in models} for g in gcns},
            "fastest_gcn": fastest, "adpa_over_fastest_gcn": med["adpa"] / med[fastest] if "adpa" in med else None,
            "adpa_stores_features": stored, "adpa_prepare_s": precompute}


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
    parser.add_argument("--models", default="adpa,adpa-stored,gcn,gcn-cached,gcn-sparse-x")
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
        for m in ("adpa", "adpa-propagated", "gcn"):
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
