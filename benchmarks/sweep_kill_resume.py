"""Issue 36's resume target: ``graphkit sweep`` killed with SIGKILL at random moments, then
``--resume``d, ends with exactly N finished trials, none counted twice, one directory each.

Round 1 starts the sweep; every later round runs ``--resume``; each round is killed after
a random delay after it joined the study (uniform in [--min-delay, --max-delay] seconds:
while claiming a trial, inside a trial, between trials, inside the final re-run), then a last ``--resume`` runs to
the end. Uses a 10-node two-clique graph (tests/datasets/own_data_helpers.py) so the trials
are short and the kills land at every stage. Writes benchmarks/results/sweep_kill_resume.json::

    OMP_NUM_THREADS=1 nice -n 5 python benchmarks/sweep_kill_resume.py --rounds 8
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import yaml
from optuna.trial import TrialState

REPO = Path(__file__).resolve().parents[1]


def write_edge_list_folder(folder: Path) -> Path:
    """A 10-node graph: two 5-node cliques joined by one edge, labelled by clique (the
    graph of tests/datasets/own_data_helpers.py)."""
    folder.mkdir(parents=True)
    edges = [(i, j) for c in (0, 5) for i in range(c, c + 5) for j in range(i + 1, c + 5)] + [(4, 5)]
    (folder / "edges.csv").write_text("source,target\n" + "".join(f"{i},{j}\n" for i, j in edges))
    (folder / "labels.csv").write_text("".join(f"{int(i >= 5)}\n" for i in range(10)))
    (folder / "features.csv").write_text("".join(f"{1.0 if i < 5 else 0.0},{0.5}\n" for i in range(10)))
    names = ["train", "train", "valid", "test", "test"] * 2
    (folder / "split.csv").write_text("split\n" + "".join(f"{s}\n" for s in names))
    return folder


def check(study_dir: Path, trials: int) -> dict:
    name = yaml.safe_load((study_dir / "sweep.yaml").read_text())["name"]
    study = optuna.load_study(study_name=name, storage=f"sqlite:///{study_dir / 'study.db'}")
    counted = [t for t in study.trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)
               or (t.state == TrialState.FAIL and not t.user_attrs.get("stale"))]
    numbers = sorted(t.number for t in counted)
    dirs = sorted(p.name for p in (study_dir / "trials").iterdir())
    repeated_epochs = 0
    for d in dirs:
        rows = [json.loads(line) for line in (study_dir / "trials" / d / "metrics.jsonl").read_text().splitlines()]
        keys = [(r["seed"], r["split"], r["epoch"]) for r in rows]
        repeated_epochs += len(keys) - len(set(keys))
    return {"finished": len(counted), "expected": trials,
            "stale_retried": sum(bool(t.user_attrs.get("stale")) for t in study.trials),
            "trial_numbers_distinct": len(set(numbers)) == len(numbers),
            "one_directory_per_finished_trial": dirs == [f"trial-{n:04d}" for n in numbers],
            "repeated_epoch_rows": repeated_epochs,
            "ok": len(counted) == trials and dirs == [f"trial-{n:04d}" for n in numbers] and repeated_epochs == 0}


def stage(study_dir: Path) -> dict:
    """Where a kill landed: trials by state, and whether the final re-run had started."""
    name = yaml.safe_load((study_dir / "sweep.yaml").read_text())["name"]
    study = optuna.load_study(study_name=name, storage=f"sqlite:///{study_dir / 'study.db'}")
    states = [t.state.name.lower() for t in study.trials if not t.user_attrs.get("stale")]
    return {"trials_at_kill": {s: states.count(s) for s in sorted(set(states))},
            "in_final_rerun": (study_dir / "final").is_dir()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--min-delay", type=float, default=0.0)
    parser.add_argument("--max-delay", type=float, default=12.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/gk-sweep-kill"))
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "sweep_kill_resume.json")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    shutil.rmtree(args.work, ignore_errors=True)
    graph = write_edge_list_folder(args.work / "graph")
    space = args.work / "space.yaml"
    space.write_text("optim.lr: {log_uniform: [1.0e-3, 1.0e-1]}\nmodel.hidden_channels: {choice: [4, 8]}\n")
    study_dir = args.work / "study"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    start = [sys.executable, "-m", "graphkit", "sweep", str(REPO / "configs" / "gcn" / "cora.yaml"),
             f"data.name={str(graph)!r}", "data.split=default", "data.normalize_features=false",
             "trainer.epochs=40", "trainer.patience=null", "tracking.wandb.mode=disabled", "--space", str(space),
             "--trials", str(args.trials), "--final-seeds", "0,1", "--study-dir", str(study_dir)]
    resume = [sys.executable, "-m", "graphkit", "sweep", "--resume", "--study-dir", str(study_dir)]
    kills = []
    for round_ in range(args.rounds):
        argv = start if not (study_dir / "sweep.yaml").is_file() else resume
        workers = study_dir / "workers"
        before = len(list(workers.glob("*.lock"))) if workers.is_dir() else 0
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # start-up (imports) writes nothing: the clock starts when the process joins the study
        deadline = time.time() + 600
        while proc.poll() is None and time.time() < deadline and \
                (len(list(workers.glob("*.lock"))) if workers.is_dir() else 0) <= before:
            time.sleep(0.05)
        delay = rng.uniform(args.min_delay, args.max_delay)
        try:
            proc.wait(timeout=delay)
            kills.append({"round": round_, "delay": delay, "killed": False, "exit": proc.returncode})
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills.append({"round": round_, "delay": round(delay, 2), "killed": True, **stage(study_dir)})
        print(kills[-1], flush=True)
    done = subprocess.run(resume, env=env, capture_output=True, text=True)
    result = {"rounds": kills, "final_resume_exit": done.returncode, "final_resume_tail": done.stdout[-600:],
              **check(study_dir, args.trials), "best_yaml": (study_dir / "best.yaml").is_file()}
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
