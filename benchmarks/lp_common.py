"""Shared helpers of the link-prediction benchmark scripts (data loading, a plain
multi-seed training loop that follows the NCN reference protocol)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.catalog import load as load_catalog

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does

_PLANETOID = {"cora": "Cora", "citeseer": "CiteSeer", "pubmed": "PubMed"}


def load_planetoid(name: str) -> LoadedDataset:
    """Planetoid from the mirror through graphkit's registry when present, else PyG's
    loader on a temporary copy of the mirror's raw files."""
    try:
        from graphkit.config import DataConfig
        from graphkit.datasets import load_dataset

        return load_dataset(DataConfig(name=name))
    except ImportError:
        pass
    from torch_geometric.datasets import Planetoid

    mirror = Path(os.environ.get("GRAPHKIT_MIRROR", Path(__file__).parents[2] / "shared" / "datasets"))
    root = Path(tempfile.gettempdir()) / "graphkit-lp-bench"
    raw = root / _PLANETOID[name] / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for f in (mirror / "planetoid").glob(f"ind.{name}.*"):
        if not (raw / f.name).exists():
            shutil.copy(f, raw / f.name)
    data = Planetoid(str(root), _PLANETOID[name])[0]
    return LoadedDataset(name=name, task="node_classification", metric="accuracy", splits=[],
                         num_features=data.num_features, num_classes=int(data.y.max()) + 1,
                         data=data)


def run_seed(task, model, *, epochs: int, lr: float, select: str = "hits@100",
             log_every: int = 0) -> dict:
    """Trains one model, evaluating valid/test every epoch; returns the test metrics at
    the epoch of best validation ``select`` and the mean training-epoch time."""
    optimizer = torch.optim.Adam(model.param_groups(lr) if hasattr(model, "param_groups")
                                 else model.parameters(), lr=lr)
    best_valid, best = -1.0, {}
    epoch_times = []
    for epoch in range(1, epochs + 1):
        model.train()
        start = time.perf_counter()
        for batch in task.train_batches(epoch):
            optimizer.zero_grad()
            loss = task.training_step(model, batch)
            loss.backward()
            optimizer.step()
        epoch_times.append(time.perf_counter() - start)
        model.eval()
        valid = task.evaluate(model, "valid")
        if valid[select] > best_valid:
            best_valid = valid[select]
            best = {"epoch": epoch, "valid": valid, "test": task.evaluate(model, "test")}
        if log_every and epoch % log_every == 0:
            print(f"  epoch {epoch} loss {loss.item():.4f} valid {select} {valid[select]:.4f} "
                  f"best test {best['test'][select]:.4f}", flush=True)
    best["epoch_time_s"] = float(np.median(epoch_times))
    return best


def summarize(values: list[float]) -> str:
    arr = 100 * np.asarray(values)
    return f"{arr.mean():.2f} ± {arr.std():.2f}"
