"""A small check of ADPA's hyper-parameters: each row changes one setting of
``configs/adpa/<dataset>.yaml`` (or symmetrizes the graph) and trains on splits 0-2,
500 epochs, patience 50; validation and test accuracy, mean over the splits. The
reference code's own defaults are the ``adpa-ref`` variant of ``directed_results.py``.

    OMP_NUM_THREADS=1 python benchmarks/adpa_grid.py chameleon,cora_ml > benchmarks/results/adpa_grid.jsonl
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import yaml

GRID = [  # name, model changes, optimizer changes, data.directed
    ("sym", {}, {}, False),
    ("h64", {"hidden_channels": 64}, {}, True),
    ("h64-lr005", {"hidden_channels": 64}, {"lr": 0.005}, True),
    ("steps3", {"num_steps": 3}, {}, True),
    ("drop03", {"dropout": 0.3}, {}, True),
    ("wd5e-5", {}, {"weight_decay": 5e-5}, True),
    ("r0", {"r": 0.0}, {}, True),
]


def main() -> None:
    import graphkit

    for dataset in sys.argv[1].split(","):
        for name, model, optim, directed in GRID:
            config = yaml.safe_load(Path(f"configs/adpa/{dataset}.yaml").read_text())
            config["model"].update(model)
            config["optim"].update(optim)
            config["data"].update(directed=directed, splits=[0, 1, 2])
            config["trainer"].update(epochs=500, patience=50, quiet=True, threads=1)
            config["tracking"] = {"wandb": {"mode": "disabled"}}
            start = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                result = graphkit.train(config, run_dir=Path(tmp) / "run")
            print(json.dumps({"dataset": dataset, "name": name, "val": result.val["accuracy"]["mean"],
                              "test": result.test["accuracy"]["mean"], "test_std": result.test["accuracy"]["std"],
                              "s": time.perf_counter() - start}), flush=True)


if __name__ == "__main__":
    main()
