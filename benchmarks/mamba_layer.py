"""Forward + backward time of a bidirectional Mamba layer vs a GPS attention layer.

    OMP_NUM_THREADS=1 python benchmarks/mamba_layer.py [--batches 10 --repeats 5]

On the same ZINC batches (32 graphs, nodes padded per graph, width 64) it times:
``attention``: GraphGPS's global branch (GraphSelfAttention, 4 heads, attention dropout
0.5); ``bimamba``: the bidirectional Mamba global branch (GraphSequenceMamba with
``bidirectional=True``: degree ordering, forward + reversed scan, d_state 16, expand 1,
Graph-Mamba's settings) with the defaults (the fused CPU kernels for the convolution and
the scan when they build); ``bimamba_torch_step_loop`` and ``bimamba_torch_parallel``:
the same in pure PyTorch, with the packed step loop or the padded chunked parallel
scan; and the whole GPS layers
(GINE + each). Target: bimamba <= 2x attention.
Writes ``benchmarks/results/gps_mamba_layer.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from gps_zinc_batches import zinc_batches  # noqa: E402

import graphkit.nn.mamba.packed_causal_conv as packed_causal_conv  # noqa: E402
import graphkit.nn.mamba.selective_scan as selective_scan  # noqa: E402
from graphkit.nn.mamba.cpu_scan_kernel import cpu_scan_kernel  # noqa: E402
from graphkit.nn.layers.gps_layer import GPSLayer  # noqa: E402
from graphkit.nn.attention.graph_self_attention import GraphSelfAttention  # noqa: E402
from graphkit.nn.mamba.graph_sequence_mamba import GraphSequenceMamba  # noqa: E402
from graphkit.catalog import load as load_catalog  # noqa: E402

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results/gps_mamba_layer.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    load = os.getloadavg()[0]  # the machine is shared: record how busy it was
    batches = zinc_batches(args.batches)
    inputs = [(torch.randn(b.num_nodes, 64), torch.randn(b.edge_index.size(1), 64), b)
              for b in batches]
    attn = GraphSelfAttention(64, heads=4, dropout=0.5).train()
    mamba = GraphSequenceMamba(64, state_channels=16, expand=1, bidirectional=True).train()
    gps_attn = GPSLayer(64, "gine", "transformer", heads=4, attn_dropout=0.5).train()
    gps_mamba = GPSLayer(64, "gine", "mamba", heads=4,
                         mamba_kwargs=dict(bidirectional=True)).train()
    def without_fused_kernel(x, e, b, parallel=False):
        # the pure-PyTorch paths: convolution by gathers, and the scan as the step loop
        # or the padded chunked parallel scan
        saved = (selective_scan.fused_kernel_available, packed_causal_conv.fused_kernel_available,
                 selective_scan.SEQUENTIAL_MAX_LENGTH)
        selective_scan.fused_kernel_available = lambda *tensors: False
        packed_causal_conv.fused_kernel_available = lambda *tensors: False
        if parallel:
            selective_scan.SEQUENTIAL_MAX_LENGTH = 0
        try:
            return mamba(x, b.edge_index, b.batch)
        finally:
            (selective_scan.fused_kernel_available, packed_causal_conv.fused_kernel_available,
             selective_scan.SEQUENTIAL_MAX_LENGTH) = saved

    cases = {
        "attention": lambda x, e, b: attn(x, b.batch),
        "bimamba": lambda x, e, b: mamba(x, b.edge_index, b.batch),
        "bimamba_torch_step_loop": without_fused_kernel,
        "bimamba_torch_parallel": lambda x, e, b: without_fused_kernel(x, e, b, parallel=True),
        "gps_layer_attention": lambda x, e, b: gps_attn(x, b.edge_index, e, b.batch)[0],
        "gps_layer_bimamba": lambda x, e, b: gps_mamba(x, b.edge_index, e, b.batch)[0],
    }
    times: dict[str, list[float]] = {k: [] for k in cases}

    def run(fn) -> float:
        start = time.perf_counter()
        for x, e, b in inputs:
            x = x.requires_grad_()
            fn(x, e, b).sum().backward()
        return (time.perf_counter() - start) / len(inputs) * 1e3

    for fn in cases.values():
        run(fn)  # warm-up
    for _ in range(args.repeats):
        for name, fn in cases.items():
            times[name].append(run(fn))
    med = {k: statistics.median(v) for k, v in times.items()}
    result = {
        "ms_per_batch_median": med, "ms_all": times,
        "ratio_bimamba_over_attention": med["bimamba"] / med["attention"],
        "ratio_bimamba_torch_step_loop_over_attention": med["bimamba_torch_step_loop"] / med["attention"],
        "ratio_bimamba_torch_parallel_over_attention": med["bimamba_torch_parallel"] / med["attention"],
        "fused_cpu_kernel": cpu_scan_kernel() is not None,
        "ratio_gps_layer_bimamba_over_attention": med["gps_layer_bimamba"] / med["gps_layer_attention"],
        "batches": args.batches, "batch_size": 32, "threads": 1, "torch": torch.__version__,
        "load_average_at_start": load,
    }
    print(json.dumps(result, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
