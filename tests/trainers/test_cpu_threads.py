import os

from graphkit.trainers.cpu_threads import PARALLEL_MIN_NODES, default_threads, nodes_per_step
from tests.trainers.helpers import paths_and_cycles, two_communities


def test_default_threads_small_steps_use_one_thread():
    assert default_threads(2708, torch_default=8) == 1  # Cora, full batch
    assert default_threads(PARALLEL_MIN_NODES - 1, torch_default=8) == 1


def test_default_threads_large_steps_use_the_idle_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))
    monkeypatch.setattr(os, "getloadavg", lambda: (5.2, 0.0, 0.0))
    assert default_threads(10 * PARALLEL_MIN_NODES, torch_default=8) == 3  # 8 cores, 5.2 busy
    assert default_threads(10 * PARALLEL_MIN_NODES, torch_default=2) == 2  # never above torch's default
    monkeypatch.setattr(os, "getloadavg", lambda: (40.0, 0.0, 0.0))
    assert default_threads(10 * PARALLEL_MIN_NODES, torch_default=8) == 1


def test_nodes_per_step_node_and_graph_level():
    nodes = two_communities()
    assert nodes_per_step(nodes, batch_size=32) == nodes.data.num_nodes
    graphs = paths_and_cycles(12)
    mean = sum(g.num_nodes for g in graphs.graphs) / len(graphs.graphs)
    assert nodes_per_step(graphs, batch_size=4) == round(4 * mean)
