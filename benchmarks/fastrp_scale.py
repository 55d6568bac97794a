"""FastRP time and peak memory against graph size on Erdos-Renyi graphs (1M nodes, up to 10M edges).

    python benchmarks/fastrp_scale.py [--nodes 1000000] [--edges 1250000,2500000,5000000,10000000] [--dim 128]

Each size runs in its own subprocess so that its peak RSS (``ru_maxrss``) is its own: the
subprocess draws ``m`` undirected edges uniformly with NumPy (no Python loop; self-loops
dropped, duplicates merged), stores both directions in a CSR adjacency, and times
``FastRP.fit`` on one thread with the paper's setting (alpha = 0, 0, 1, 6.67, beta = -0.64).
Writes benchmarks/results/fastrp_scale.json and fastrp_scale.png.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def one(n: int, m: int, dim: int) -> dict:
    import numpy as np
    import scipy.sparse as sp

    from graphkit.embed import FastRP

    start = time.perf_counter()
    rng = np.random.default_rng(0)
    ends = rng.integers(0, n, size=(2, m), dtype=np.int32)
    ends = ends[:, ends[0] != ends[1]]
    rows = np.concatenate([ends[0], ends[1]])
    cols = np.concatenate([ends[1], ends[0]])
    del ends
    adjacency = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n, n))
    del rows, cols
    adjacency.sum_duplicates()
    generate = time.perf_counter() - start

    model = FastRP(dim, iteration_weights=(0.0, 0.0, 1.0, 6.67), normalization_strength=-0.64, random_state=0)
    wall, cpu = time.perf_counter(), time.process_time()
    embedding = model.fit_transform(adjacency)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "num_nodes": n, "num_edges": m, "num_stored_entries": int(adjacency.nnz), "dim": dim,
        "generate_s": generate, "fit_wall_s": wall, "fit_cpu_s": cpu,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
        "finite": bool(np.isfinite(embedding).all()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", default="1250000,2500000,5000000,10000000")
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.nodes, int(args.edges), args.dim)))
        return

    rows = []
    for m in (int(v) for v in args.edges.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", "--nodes", str(args.nodes), "--edges", str(m), "--dim", str(args.dim)],
            check=True, capture_output=True, text=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {"runs": rows, "threads": os.environ["OMP_NUM_THREADS"],
              "note": "2-core machine shared with other jobs; single run per size"}
    (RESULTS / "fastrp_scale.json").write_text(json.dumps(report, indent=2) + "\n")
    plot(rows, RESULTS / "fastrp_scale.png")


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    edges = [r["num_edges"] / 1e6 for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.plot(edges, [r["fit_wall_s"] for r in rows], "o-", label="fit wall")
    left.plot(edges, [r["fit_cpu_s"] for r in rows], "s--", label="fit cpu")
    left.set_xlabel("edges (millions), 1M nodes")
    left.set_ylabel("seconds")
    left.legend()
    right.plot(edges, [r["peak_rss_gb"] for r in rows], "o-")
    right.set_xlabel("edges (millions), 1M nodes")
    right.set_ylabel("peak RSS (GB)")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    fig.suptitle(f"FastRP d={rows[0]['dim']}, Erdos-Renyi, 1 thread")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    main()
