"""DualHypergraphConv (two CSR products) vs PyG's HypergraphConv (message passing), same inputs.

One forward + backward of a 128 -> 128 hypergraph convolution on the dual hypergraph of a
PROTEINS batch of 128 graphs (the EHGNN config's batch), median of ``--repeats`` in one
process; ours is timed with and without building its CSR operator.

    OMP_NUM_THREADS=1 GRAPHKIT_MIRROR=../shared/datasets python benchmarks/ehgnn_hypergraph_conv.py

Writes ``benchmarks/results/ehgnn_hypergraph_conv.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch
from torch_geometric.data import Batch
from torch_geometric.nn import HypergraphConv

from graphkit.catalog import load
from graphkit.config import DataConfig
from graphkit.datasets import load_dataset
from graphkit.models.ehgnn import DualHypergraphConv
from graphkit.transforms.dual_hypergraph import incidence_with_loops

REPO = Path(__file__).resolve().parents[1]


def _time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", default=str(REPO / "benchmarks/results/ehgnn_hypergraph_conv.json"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    load()
    dataset = load_dataset(DataConfig(name="proteins"))
    batch = Batch.from_data_list([dataset.graphs[i] for i in range(128)])
    torch.manual_seed(0)
    x = torch.randn(batch.num_edges, 128, requires_grad=True)
    ours, pyg = DualHypergraphConv(128, 128), HypergraphConv(128, 128)
    incidence, hyperedges = incidence_with_loops(batch.edge_index, batch.num_nodes)
    operator = DualHypergraphConv.operator(batch.edge_index, batch.num_nodes)

    def run_pyg():
        pyg(x, incidence, num_edges=hyperedges).sum().backward()

    def run_ours():
        ours(x, operator).sum().backward()

    def run_ours_with_operator():
        ours(x, DualHypergraphConv.operator(batch.edge_index, batch.num_nodes)).sum().backward()

    seconds = {"pyg_hypergraph_conv": _time(run_pyg, args.repeats), "ours": _time(run_ours, args.repeats),
               "ours_with_operator_build": _time(run_ours_with_operator, args.repeats)}
    result = {
        "input": f"PROTEINS graphs 0..127: {batch.num_nodes} nodes, {batch.num_edges} edges (hypernodes), 128 channels",
        "command": f"OMP_NUM_THREADS=1 python benchmarks/ehgnn_hypergraph_conv.py --repeats {args.repeats}",
        "machine": "1 thread, 2 shared cores under concurrent load",
        "median_forward_backward_seconds": seconds,
        "speedup": seconds["pyg_hypergraph_conv"] / seconds["ours"],
        "speedup_with_operator_build": seconds["pyg_hypergraph_conv"] / seconds["ours_with_operator_build"],
    }
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
