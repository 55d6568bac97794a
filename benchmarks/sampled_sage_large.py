"""One epoch of neighbor-sampled GraphSAGE on a large synthetic graph (issue: scale-out).

    OMP_NUM_THREADS=1 python benchmarks/sampled_sage_large.py --nodes 2000000 --edges 20000000

Builds a random graph (uniform endpoints, no Python loops), 64 random features and 10
random classes, then trains one epoch with fan-out [10, 10] over every node as a seed,
through graphkit's own task (CSR sampler when pyg-lib/torch-sparse are absent) and
model. Reports seeds/s, sampling vs. compute time and peak RSS; writes a JSON line to
benchmarks/results/sampled_sage_large.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import torch
from torch_geometric.data import Data

from graphkit.datasets.loaded_dataset import NODE_CLASSIFICATION, LoadedDataset
from graphkit.models.mpnn import MPNN
from graphkit.tasks.sampled_node_task import SampledNodeTask
from graphkit.catalog import load as load_catalog

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2_000_000)
    parser.add_argument("--edges", type=int, default=20_000_000)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--fanout", default="10,10")
    parser.add_argument("--max-batches", type=int, default=0, help="stop early (0 = whole epoch)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "sampled_sage_large.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    n = args.nodes
    data = Data(edge_index=torch.randint(0, n, (2, args.edges)), x=torch.randn(n, args.features),
                y=torch.randint(0, 10, (n,)), num_nodes=n)
    everything = torch.arange(n)
    dataset = LoadedDataset(name="synthetic", task=NODE_CLASSIFICATION, metric="accuracy",
                            splits=[{"train": everything, "valid": everything[:1000], "test": everything[:1000]}],
                            num_features=args.features, num_classes=10, data=data)
    fanout = [int(k) for k in args.fanout.split(",")]
    task = SampledNodeTask(dataset, split_index=0, device=torch.device("cpu"), num_neighbors=fanout,
                           batch_size=args.batch_size, seed=0)
    build = time.perf_counter() - t0
    model = MPNN("sage", args.features, args.hidden, 10, num_layers=len(fanout), dropout=0.5)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model.train()
    seeds, sample_s, compute_s = 0, 0.0, 0.0
    start = time.perf_counter()
    batches = task.train_batches(epoch=0)
    while True:
        ts = time.perf_counter()
        batch = next(batches, None)
        sample_s += time.perf_counter() - ts
        if batch is None:
            break
        tc = time.perf_counter()
        optimizer.zero_grad()
        loss = task.training_step(model, batch)
        loss.backward()
        optimizer.step()
        compute_s += time.perf_counter() - tc
        seeds += batch.batch_size
        if args.max_batches and seeds >= args.max_batches * args.batch_size:
            break
    epoch = time.perf_counter() - start
    result = {
        "nodes": n, "edges": args.edges, "features": args.features, "hidden": args.hidden,
        "fanout": fanout, "batch_size": args.batch_size, "threads": args.threads,
        "sampler": "pyg" if task.use_pyg else "csr", "seeds": seeds,
        "setup_seconds": round(build, 1), "epoch_seconds": round(epoch, 1),
        "sampling_seconds": round(sample_s, 1), "compute_seconds": round(compute_s, 1),
        "seeds_per_second": round(seeds / epoch, 1), "peak_rss_gb": round(peak_rss_gb(), 2),
        "final_loss": round(float(loss.detach()), 4),
    }
    print(json.dumps(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
