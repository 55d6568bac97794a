"""Epoch time of GRACE, GRACE + POT (graphkit) and PyGCL's GRACE, in one process.

One training step is one epoch of full-graph GRACE (two views, encoder, projection,
InfoNCE with intra- and inter-view negatives, backward, Adam); POT's is timed with each of
its two scores (``task.pot.score``: ``view``, the default, and ``certified``). The steps are timed
round-robin (``--rounds`` rounds after ``--warmup``), so machine load hits all of them
alike; the medians and their ratios go to ``benchmarks/results/gcl_speed-<dataset>.json``.

PyGCL (``pip install --no-deps PyGCL``; 0.1.2, not a graphkit dependency) is set up as its
``examples/GRACE.py``: ``EdgeRemoving`` + ``FeatureMasking``, a GCN encoder of the same
widths and activation, the same projection head, ``DualBranchContrast(InfoNCE(tau), 'L2L',
intraview_negs=True)``, with the example's extra encoder pass on the clean graph left out
(only the two views are encoded, as in graphkit). Its ``GCL.utils`` imports DGL at module
level, and its augmentor module ``torch_sparse`` / ``torch_scatter``, for helpers GRACE does
not use (neither compiled package is installed here); stub modules stand in for them.

    OMP_NUM_THREADS=1 python benchmarks/gcl_speed.py --config configs/gcl/grace-cora.yaml
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import types
from pathlib import Path

import torch
import torch.nn.functional as F

from graphkit.catalog import load
from graphkit.config import RunConfig
from graphkit.models import build_model
from graphkit.runs.config_loading import load_config
from graphkit.runs.run_setup import load_run_dataset, run_model_inputs, run_task


def _pygcl_step(cfg, data):
    from torch_geometric.utils import scatter

    # import-time names of optional compiled packages PyGCL's GRACE path never calls
    sys.modules.setdefault("dgl", types.SimpleNamespace(DGLGraph=object))
    sys.modules.setdefault("torch_sparse", types.SimpleNamespace(SparseTensor=object, coalesce=None))
    sys.modules.setdefault("torch_scatter", types.SimpleNamespace(scatter=scatter))
    import GCL.augmentors as A
    import GCL.losses as L
    from GCL.models import DualBranchContrast
    from torch_geometric.nn import GCNConv

    hidden, layers = cfg.model.hidden_channels, cfg.model.num_layers
    widths = [data.num_features] + [2 * hidden] * (layers - 1) + [hidden]
    convs = torch.nn.ModuleList(GCNConv(widths[i], widths[i + 1]) for i in range(layers))
    act = torch.nn.PReLU() if cfg.model.activation == "prelu" else torch.nn.ReLU()
    fc1 = torch.nn.Linear(hidden, cfg.model.projection_channels)
    fc2 = torch.nn.Linear(cfg.model.projection_channels, hidden)
    modules = torch.nn.ModuleList([convs, act, fc1, fc2])
    augment = [A.Compose([A.EdgeRemoving(pe=cfg.task.edge_drop[k]), A.FeatureMasking(pf=cfg.task.feature_mask[k])])
               for k in (0, 1)]
    contrast = DualBranchContrast(loss=L.InfoNCE(tau=cfg.task.tau), mode="L2L", intraview_negs=True)
    optimizer = torch.optim.Adam(modules.parameters(), lr=cfg.optim.lr, weight_decay=cfg.optim.weight_decay)

    def encode(x, edge_index, edge_weight):
        for conv in convs:
            x = act(conv(x, edge_index, edge_weight))
        return x

    def step():
        optimizer.zero_grad()
        views = [aug(data.x, data.edge_index, None) for aug in augment]
        h = [encode(*view) for view in views]
        z = [fc2(F.elu(fc1(v))) for v in h]
        loss = contrast(h1=z[0], h2=z[1])
        loss.backward()
        optimizer.step()
    return step


def _graphkit_step(config, dataset, pot_weight, score="view"):
    cfg = load_config(RunConfig, config, [f"task.pot.weight={pot_weight}", f"task.pot.score={score}"])
    task = run_task(cfg, dataset, data=cfg.data, split=0, seed=0, device=torch.device("cpu"))
    assert task.cfg.pot.weight == pot_weight
    model = build_model(cfg.model, run_model_inputs(task, cfg.model, dataset, task.cfg.name))
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.optim.lr, weight_decay=cfg.optim.weight_decay)

    def step():
        optimizer.zero_grad()
        task.training_step(model, 0).backward()
        optimizer.step()
    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/gcl/grace-cora.yaml")
    parser.add_argument("--pot-weight", type=float, default=0.4)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    load()
    cfg = load_config(RunConfig, args.config, [])
    dataset = load_run_dataset(cfg.data)
    torch.manual_seed(0)
    steps = {"graphkit_grace": _graphkit_step(args.config, dataset, 0.0),
             "graphkit_grace_pot": _graphkit_step(args.config, dataset, args.pot_weight),
             "graphkit_grace_pot_certified": _graphkit_step(args.config, dataset, args.pot_weight, "certified"),
             "pygcl_grace": _pygcl_step(cfg, dataset.data)}
    times: dict[str, list[float]] = {name: [] for name in steps}
    for r in range(args.warmup + args.rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            if r >= args.warmup:
                times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(t) for name, t in times.items()}
    result = {
        "config": args.config, "dataset": dataset.name, "num_nodes": int(dataset.data.num_nodes),
        "threads": torch.get_num_threads(), "rounds": args.rounds, "pot_weight": args.pot_weight,
        "median_epoch_seconds": median, "epoch_seconds": times,
        "ratio_pot_over_grace": median["graphkit_grace_pot"] / median["graphkit_grace"],
        "ratio_pot_certified_over_grace": median["graphkit_grace_pot_certified"] / median["graphkit_grace"],
        "ratio_grace_over_pygcl": median["graphkit_grace"] / median["pygcl_grace"],
    }
    out = args.out or Path(__file__).parent / "results" / f"gcl_speed-{dataset.name}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "epoch_seconds"}, indent=2))


if __name__ == "__main__":
    main()
