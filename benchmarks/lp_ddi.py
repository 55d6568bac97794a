"""NCN on ogbl-ddi under a CPU-time budget (the full recipe is 100 epochs; a CPU epoch
takes minutes).

    OMP_NUM_THREADS=1 python benchmarks/lp_ddi.py --budget-s 600 --out benchmarks/results/lp_ddi.json

Trains with configs/ncn/ogbl-ddi.yaml until ``--budget-s`` seconds of this process's CPU
time are spent (checked after every batch), then evaluates Hits@20/50/100, MRR and AUC on
the official valid and test splits. CPU time rather than wall time, so that a loaded
machine does not shrink the budget.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphkit.config import DataConfig, ModelConfig, from_dict, load_yaml  # noqa: E402
from graphkit.datasets import load_dataset  # noqa: E402
from graphkit.models import build_model_for  # noqa: E402
from graphkit.tasks import TaskContext  # noqa: E402
from graphkit.tasks.link_prediction import LinkPredictionTaskConfig, build_link_prediction_task  # noqa: E402
from graphkit.catalog import load as load_catalog  # noqa: E402

load_catalog()  # the built-in models, tasks and datasets, registered as the CLI does

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "configs/ncn/ogbl-ddi.yaml"))
    parser.add_argument("--budget-s", type=float, default=600.0, help="training CPU seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cfg = load_yaml(Path(args.config))
    dataset = load_dataset(DataConfig(name="ogbl-ddi"))
    torch.manual_seed(args.seed)
    task = build_link_prediction_task(
        LinkPredictionTaskConfig(name="link_prediction", metric="hits@20"), dataset,
        TaskContext(data=DataConfig(name=dataset.name, batch_size=cfg["data"]["batch_size"]), seed=args.seed))
    model = build_model_for(from_dict(ModelConfig, cfg["model"], "model"), dataset, 1)
    optimizer = torch.optim.Adam(model.param_groups(cfg["optim"]["lr"]))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    steps, epoch, done = 0, 0, False
    per_epoch = task.train_edge.size(0) // task.batch_size
    while not done:
        model.train()
        for batch in task.train_batches(epoch):
            optimizer.zero_grad()
            loss = task.training_step(model, batch)
            loss.backward()
            optimizer.step()
            steps += 1
            if steps % 10 == 0:
                print(f"step {steps} (epoch {steps / per_epoch:.2f}) loss {loss.item():.4f} "
                      f"cpu {time.process_time() - cpu0:.0f}s", flush=True)
            if time.process_time() - cpu0 >= args.budget_s:
                done = True
                break
        epoch += 1
    train_cpu, train_wall = time.process_time() - cpu0, time.perf_counter() - wall0
    cpu1 = time.process_time()
    result = {"seed": args.seed, "steps": steps, "epochs": steps / per_epoch,
              "train_cpu_s": train_cpu, "train_wall_s": train_wall,
              "valid": task.evaluate(model, "valid"), "test": task.evaluate(model, "test")}
    result["eval_cpu_s"] = time.process_time() - cpu1
    print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
