"""Issue 36's targets for ``graphkit sweep``: a 20-trial TPE search of GCN on Cora (lr,
weight decay, dropout, hidden size; configs/sweeps/gcn-cora.yaml over configs/gcn/cora.yaml).

1. the hand-written config over 5 seeds: ``graphkit train configs/gcn/cora.yaml --seeds 0,1,2,3,4``
2. the sweep (default pruner: successive halving), its best trial re-run over seeds 0-4, timed
   end to end:
   ``graphkit sweep configs/gcn/cora.yaml --space configs/sweeps/gcn-cora.yaml --trials 20
   --final-seeds 0,1,2,3,4``
3. epochs with and without pruning over the same trials: the 20 parameter sets of (2),
   enqueued in the same order into a study without pruner (and ones with the median and
   Hyperband pruners), each trial's epochs counted from its metrics.jsonl.

W&B is disabled in every run (the timing is of training, not of W&B's offline writer).
Writes benchmarks/results/sweep_gcn_cora.json::

    OMP_NUM_THREADS=1 GRAPHKIT_MIRROR=../shared/datasets nice -n 5 python benchmarks/sweep_gcn_cora.py --out-dir /tmp/gk-sweep-bench
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "gcn" / "cora.yaml"
SPACE = REPO / "configs" / "sweeps" / "gcn-cora.yaml"
QUIET = ["tracking.wandb.mode=disabled"]


def graphkit(*args: str) -> float:
    start = time.perf_counter()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "graphkit", *args], check=True, env=env, cwd=REPO)
    return time.perf_counter() - start


def replay(study_dir: Path, source_dir: Path, pruner: str) -> dict:
    """The trials of ``source_dir``'s study, same parameters in the same order, under ``pruner``."""
    from optuna.trial import TrialState

    from graphkit.sweep import Sweep

    source = Sweep.open(source_dir, log=lambda line: None)
    params = [t.params for t in sorted(source.study.get_trials(), key=lambda t: t.number)
              if source.store.counted(t)]
    sweep = Sweep.create(study_dir, CONFIG, SPACE, trials=len(params), overrides=QUIET, pruner=pruner,
                         log=lambda line: print(f"[{pruner}] {line}", flush=True))
    for p in params:
        sweep.study.enqueue_trial(p)
    start = time.perf_counter()
    sweep.work()
    seconds = time.perf_counter() - start
    trials = [t for t in sweep.study.get_trials() if sweep.store.counted(t)]
    return {"pruner": pruner, "trials": len(trials), "seconds": seconds,
            "epochs": sum(t.user_attrs["epochs"] for t in trials),
            "pruned": sum(t.state == TrialState.PRUNED for t in trials),
            "same_params": [t.params for t in sorted(trials, key=lambda t: t.number)] == params}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=Path("/tmp/gk-sweep-bench"))
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "sweep_gcn_cora.json")
    args = parser.parse_args()
    shutil.rmtree(args.out_dir, ignore_errors=True)
    out = args.out_dir
    load_start = os.getloadavg()[0]
    hand_seconds = graphkit("train", str(CONFIG), "--seeds", "0,1,2,3,4", "--run-dir", str(out / "handwritten"),
                            "--quiet", *QUIET)
    study = out / "study"
    sweep_seconds = graphkit("sweep", str(CONFIG), "--space", str(SPACE), "--trials", str(args.trials),
                             "--final-seeds", "0,1,2,3,4", "--study-dir", str(study), *QUIET)
    summary = json.loads((study / "summary.json").read_text())
    hand = json.loads((out / "handwritten" / "results.json").read_text())
    replays = {p: replay(out / f"replay-{p}", study, p) for p in ("none", "median", "hyperband")}
    none = replays["none"]["epochs"]
    record = {
        "machine": f"2 CPU cores shared with other agents' jobs; load average {load_start:.1f} at the start, "
                   f"{os.getloadavg()[0]:.1f} at the end",
        "command": f"graphkit sweep configs/gcn/cora.yaml --space configs/sweeps/gcn-cora.yaml --trials {args.trials} "
                   f"--final-seeds 0,1,2,3,4 tracking.wandb.mode=disabled",
        "handwritten": {"test_accuracy": hand["test"]["accuracy"], "seconds": hand_seconds},
        "sweep": {"seconds": sweep_seconds, "trials": summary["trials"], "states": summary["states"],
                  "epochs": summary["epochs"], "best": summary["best"], "importances": summary["importances"],
                  "final_test_accuracy": summary["final"]["test"]["accuracy"]},
        "same_trials": {"sha": {"epochs": summary["epochs"], "pruned": summary["states"]["pruned"]}, **replays,
                        "epochs_ratio_none_over_sha": none / summary["epochs"],
                        **{f"epochs_ratio_none_over_{p}": none / replays[p]["epochs"] for p in ("median", "hyperband")}},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
