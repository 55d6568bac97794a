"""Training-epoch time of NCN vs. GAE with the same encoder on Cora (target: NCN <= 1.5x GAE).

    OMP_NUM_THREADS=1 python benchmarks/lp_speed.py --epochs 10

Both use NCN's Cora encoder (configs/ncn/cora.yaml vs configs/gae/cora-puregcn.yaml),
batch size 1152 and target link removal, so the only difference is the predictor.
Epochs alternate between the models so machine load hits both alike; medians of the
process's CPU time per epoch are reported (on a shared, loaded machine wall time mostly
measures the other jobs), with wall-time medians beside them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lp_common import load_planetoid  # noqa: E402
from graphkit.config import ModelConfig, from_dict, load_yaml  # noqa: E402
from graphkit.models import build_model_for  # noqa: E402
from graphkit.config import DataConfig  # noqa: E402
from graphkit.tasks import TaskContext  # noqa: E402
from graphkit.tasks.link_prediction import LinkPredictionTaskConfig, build_link_prediction_task  # noqa: E402
from graphkit.catalog import load as load_catalog  # noqa: E402

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {"ncn": "configs/ncn/cora.yaml", "ncnc": "configs/ncnc/cora.yaml",
           "gae": "configs/gae/cora-puregcn.yaml"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--models", nargs="+", default=["gae", "ncn"], choices=list(CONFIGS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    dataset = load_planetoid("cora")
    link = replace(dataset, task="link_prediction", metric="hits@100")
    setups = {}
    for name in args.models:
        torch.manual_seed(0)
        cfg = load_yaml(ROOT / CONFIGS[name])
        task = build_link_prediction_task(
            LinkPredictionTaskConfig(name="link_prediction", metric="hits@100"), dataset,
            TaskContext(data=DataConfig(name=dataset.name, batch_size=cfg["data"]["batch_size"]), seed=0))
        model = build_model_for(from_dict(ModelConfig, cfg["model"], "model"), link, 1)
        optimizer = torch.optim.Adam(model.param_groups(cfg["optim"]["lr"]))
        setups[name] = (task, model, optimizer, [])
    for epoch in range(args.epochs + 1):
        for name, (task, model, optimizer, times) in setups.items():
            model.train()
            start, wall = time.process_time(), time.perf_counter()
            for batch in task.train_batches(epoch):
                optimizer.zero_grad()
                task.training_step(model, batch).backward()
                optimizer.step()
            if epoch > 0:  # the first epoch warms up allocators
                times.append((time.process_time() - start, time.perf_counter() - wall))
    medians = {name: statistics.median(t[0] for t in s[3]) for name, s in setups.items()}
    for name, value in medians.items():
        wall = statistics.median(t[1] for t in setups[name][3])
        print(f"{name}: median training epoch {value * 1000:.0f} ms CPU ({wall * 1000:.0f} ms wall) "
              f"over {args.epochs} epochs")
    if "gae" in medians:
        for name in medians:
            if name != "gae":
                print(f"{name} / gae epoch-time ratio: {medians[name] / medians['gae']:.2f}")


if __name__ == "__main__":
    main()
