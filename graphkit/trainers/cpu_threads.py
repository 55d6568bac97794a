"""How many CPU threads torch gets when the config does not say."""

from __future__ import annotations

import os
from typing import Any

# Below this many nodes per training step, a graph op is a few milliseconds of work: on
# small, shared machines starting and synchronising an OpenMP team costs more than it
# saves (GCN on Cora, 2 cores: 93 s with torch's default against 14 s with 1 thread).
PARALLEL_MIN_NODES = 50_000


def nodes_per_step(dataset: Any, batch_size: int) -> int:
    """Nodes in one training step: the whole graph, or ``batch_size`` average graphs."""
    if not dataset.is_graph_level:
        return int(dataset.data.num_nodes)
    graphs = dataset.graphs
    store = getattr(graphs, "_data", None)
    total = int(store.num_nodes) if store is not None else sum(int(g.num_nodes) for g in graphs)
    return max(1, round(batch_size * total / max(len(graphs), 1)))


def default_threads(nodes: int, torch_default: int) -> int:
    """Threads for a step of ``nodes`` nodes when ``trainer.threads`` is unset.

    One thread below :data:`PARALLEL_MIN_NODES`; above it, torch's default (physical
    cores) capped by the cores other processes leave idle (1-minute load average), so a
    busy shared machine is not oversubscribed.
    """
    if nodes < PARALLEL_MIN_NODES:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    idle = cores - os.getloadavg()[0] if hasattr(os, "getloadavg") else cores
    return max(1, min(torch_default, round(idle)))
