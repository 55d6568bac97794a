"""Training throughput of graphkit's GraphGPS vs PyG's GPSConv model, ZINC config.

    OMP_NUM_THREADS=1 python benchmarks/gps_throughput.py [--batches 20 --repeats 5] [--append]

Both models use the GraphGPS ZINC recipe (10 layers x 64, GINE + full attention with 4
heads and attention dropout 0.5, BatchNorm, RWSE-20 -> 28 channels, add pooling,
64-32-16-1 head). The PyG model is the one of PyG's ``examples/graph_gps.py``, rebuilt
from PyG's public layers (``GPSConv``, ``GINEConv``) with those hyper-parameters. Both
train on the same batches (forward + backward + AdamW step) in alternating rounds;
the median over rounds is reported. Both get the optimizer graphkit's trainer builds
(``build_optimizer``: fused AdamW on CPU). Writes ``benchmarks/results/gps_throughput.json``;
``--append`` adds this run to the runs already there and reports each run's speedup and
their median (the 2-core machine is shared, so single runs spread widely). The speedup
is wall-clock; each run also records it in process CPU time.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn
from torch_geometric.nn import GINEConv, GPSConv, global_add_pool

sys.path.insert(0, str(Path(__file__).parent))
from gps_zinc_batches import zinc_batches  # noqa: E402

from graphkit.config.run_config import OptimConfig  # noqa: E402
from graphkit.datasets.loaded_dataset import LoadedDataset  # noqa: E402
from graphkit.models.graph_gps import GraphGPSConfig, build_graph_gps  # noqa: E402
from graphkit.models.model_inputs import ModelInputs  # noqa: E402
from graphkit.trainers.optim import build_optimizer  # noqa: E402
from graphkit.catalog import load as load_catalog  # noqa: E402

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does

CHANNELS, PE_DIM, LAYERS, HEADS = 64, 28, 10, 4


class PygGPS(nn.Module):
    """PyG's example GPS model (examples/graph_gps.py) with the ZINC recipe's sizes."""

    def __init__(self) -> None:
        super().__init__()
        self.node_emb = nn.Embedding(28, CHANNELS - PE_DIM)
        self.pe_lin = nn.Linear(20, PE_DIM)
        self.pe_norm = nn.BatchNorm1d(20)
        self.edge_emb = nn.Embedding(4, CHANNELS)
        self.convs = nn.ModuleList()
        for _ in range(LAYERS):
            mlp = nn.Sequential(nn.Linear(CHANNELS, CHANNELS), nn.ReLU(), nn.Linear(CHANNELS, CHANNELS))
            self.convs.append(GPSConv(CHANNELS, GINEConv(mlp), heads=HEADS,
                                      attn_type="multihead", attn_kwargs={"dropout": 0.5}))
        self.mlp = nn.Sequential(
            nn.Linear(CHANNELS, CHANNELS // 2), nn.ReLU(), nn.Linear(CHANNELS // 2, CHANNELS // 4),
            nn.ReLU(), nn.Linear(CHANNELS // 4, 1))

    def forward(self, data):
        x = torch.cat((self.node_emb(data.x.squeeze(-1)), self.pe_lin(self.pe_norm(data.rwse))), 1)
        edge_attr = self.edge_emb(data.edge_attr)
        for conv in self.convs:
            x = conv(x, data.edge_index, data.batch, edge_attr=edge_attr)
        return self.mlp(global_add_pool(x, data.batch))


def ours(sample) -> nn.Module:
    ds = LoadedDataset(name="zinc", task="graph_regression", metric="mae", splits=[],
                       num_features=1, num_classes=1, graphs=[sample], node_encoder="embedding",
                       num_node_types=28, edge_encoder="embedding", num_edge_types=4)
    cfg = GraphGPSConfig(name="gps", hidden_channels=CHANNELS, num_layers=LAYERS,
                         local_conv="gine", global_model="transformer", heads=HEADS,
                         dropout=0.0, attn_dropout=0.5, pool="add", head_layers=2,
                         rwse_channels=PE_DIM, lap_channels=0)
    return build_graph_gps(cfg, ModelInputs.from_dataset(ds, 1))


def optimizer(model: nn.Module) -> torch.optim.Optimizer:
    """The ZINC recipe's optimizer as graphkit's trainer builds it, for either model."""
    return build_optimizer(model, OptimConfig(name="adamw", lr=1e-3, weight_decay=1e-5))


def trainer(model: nn.Module):
    opt = optimizer(model)
    model.train()

    def step(batch) -> None:
        opt.zero_grad()
        loss = (model(batch).squeeze(-1) - batch.y).abs().mean()
        loss.backward()
        opt.step()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results/gps_throughput.json")
    parser.add_argument("--append", action="store_true",
                        help="add this run to the runs in --out instead of replacing them")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    batches = zinc_batches(args.batches)
    steps = {"graphkit": trainer(ours(batches[0].get_example(0))), "pyg": trainer(PygGPS())}
    for step in steps.values():  # warm-up
        for b in batches[:3]:
            step(b)
    graphs = sum(b.num_graphs for b in batches)
    rates: dict[str, list[float]] = {k: [] for k in steps}
    cpu_rates: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(args.repeats):
        for name, step in steps.items():
            start, cpu_start = time.perf_counter(), time.process_time()
            for b in batches:
                step(b)
            rates[name].append(graphs / (time.perf_counter() - start))
            cpu_rates[name].append(graphs / (time.process_time() - cpu_start))
    med = {k: statistics.median(v) for k, v in rates.items()}
    cpu_med = {k: statistics.median(v) for k, v in cpu_rates.items()}
    # the speedup is wall-clock; the process-CPU-time one is beside it because time
    # slices lost to other jobs on a shared machine count in wall time only
    run = {"graphs_per_s_median": med, "graphs_per_s_all": rates,
           "speedup": med["graphkit"] / med["pyg"],
           "cpu_graphs_per_s_median": cpu_med, "cpu_speedup": cpu_med["graphkit"] / cpu_med["pyg"]}
    runs = []
    if args.append and args.out.exists():
        runs = json.loads(args.out.read_text()).get("runs", [])
    runs.append(run)
    speedups = [r["speedup"] for r in runs]
    cpu_speedups = [r["cpu_speedup"] for r in runs if "cpu_speedup" in r]
    probe = optimizer(nn.Linear(1, 1))
    result = {
        "speedup_median": statistics.median(speedups), "speedups": speedups,
        "cpu_speedup_median": statistics.median(cpu_speedups) if cpu_speedups else None,
        "cpu_speedups": cpu_speedups, "runs": runs,
        "batches": args.batches, "batch_size": 32, "repeats": args.repeats, "threads": 1,
        "optimizer": f"{type(probe).__name__}, fused={probe.defaults['fused']}",
        "torch": torch.__version__, "machine": platform.processor() or platform.machine(),
    }
    print(json.dumps(run, indent=1))
    print(f"run speedup {run['speedup']:.3f} (CPU time {run['cpu_speedup']:.3f}); "
          f"runs {', '.join(f'{v:.3f}' for v in speedups)}; median {result['speedup_median']:.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
