"""Does an unstructured-sparse weight make a GPS layer's linear maps faster on this CPU?

``python benchmarks/sparse_linear.py``: times ``x @ W.T`` for the linear maps of a
ZINC GPS layer (hidden 64, a 128-graph batch has ~2,900 nodes) with a dense ``W`` and
with ``W`` in CSR / COO at several sparsities, one thread, median of repeats. The
sparsifier keeps weights dense (zeros baked in) unless a sparse layout wins here.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import torch


def _time(fn, repeats: int = 50) -> float:
    for _ in range(5):
        fn()
    t = []
    for _ in range(repeats):
        s = time.perf_counter()
        fn()
        t.append(time.perf_counter() - s)
    return 1e3 * statistics.median(t)


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    n = 2900
    rows = []
    for fan_in, fan_out in ((64, 192), (64, 128), (128, 64)):
        x = torch.randn(n, fan_in)
        for sparsity in (0.5, 0.7, 0.9, 0.95):
            w = torch.randn(fan_out, fan_in)  # the dense product ignores the zeros
            w[torch.rand_like(w) < sparsity] = 0.0
            csr = w.to_sparse_csr()
            coo = w.to_sparse()
            xt = x.t().contiguous()  # sparse @ dense needs the transposed activations (not timed)
            dense = _time(lambda: torch.nn.functional.linear(x, w))
            t_csr = _time(lambda: torch.sparse.mm(csr, xt))
            t_coo = _time(lambda: torch.sparse.mm(coo, xt))
            rows.append({"fan_in": fan_in, "fan_out": fan_out, "sparsity": sparsity, "dense_ms": dense,
                         "csr_ms": t_csr, "coo_ms": t_coo})
            print(f"{fan_in:>4}->{fan_out:<4} sparsity {sparsity:.2f}: dense {dense:.3f} ms, "
                  f"CSR {t_csr:.3f} ms ({dense / t_csr:.2f}x), COO {t_coo:.3f} ms ({dense / t_coo:.2f}x)")
    out = Path(__file__).resolve().parent / "results" / "sparse_linear.json"
    out.write_text(json.dumps({"rows": n, "threads": 1, "results": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
