"""CPU inference latency of two models, timed alternately in one process."""

from __future__ import annotations

import statistics
import time
from typing import Any

import torch
from torch import nn


def compare_latency(models: dict[str, nn.Module], batch: Any, repeats: int = 30, warmup: int = 3,
                    threads: int = 1) -> dict[str, dict[str, float]]:
    """Median (and quartiles) of the wall time of one forward pass of each model on
    ``batch``, in milliseconds.

    The models run in turn within each repeat (dense, compact, dense, ...), so that a
    noisy neighbour on a shared machine slows all of them alike; torch runs on
    ``threads`` intra-op threads (restored afterwards), in evaluation and inference mode.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    times: dict[str, list[float]] = {name: [] for name in models}
    try:
        for m in models.values():
            m.eval()
        with torch.inference_mode():
            for r in range(warmup + repeats):
                for name, m in models.items():
                    start = time.perf_counter()
                    m(batch)
                    if r >= warmup:
                        times[name].append(1000.0 * (time.perf_counter() - start))
    finally:
        torch.set_num_threads(before)
    out = {}
    for name, t in times.items():
        q = statistics.quantiles(t, n=4) if len(t) > 1 else [t[0]] * 3
        out[name] = {"median_ms": statistics.median(t), "q1_ms": q[0], "q3_ms": q[2], "repeats": len(t)}
    return out
