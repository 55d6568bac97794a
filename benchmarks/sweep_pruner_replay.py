"""Epochs each ``graphkit sweep`` pruner would run over studies recorded without pruning.

A study run with ``--pruner none`` holds every trial's full validation curve
(``trials/trial-NNNN/metrics.jsonl``). This replays those curves, in trial order, through
each pruner exactly as a sweep configures it (``Sweep._pruner``, the best value so far
reported after each epoch) and counts the epochs each trial would have run, and which trial
the study would then pick. Training is deterministic per seed, so a pruned trial's first
epochs are the unpruned trial's: the replay of the median pruner on the study of
``benchmarks/sweep_gcn_cora.py`` gives the epochs that sweep measured.

The studies of ``benchmarks/results/sweep_pruner_replay.json`` (GCN on Cora, three TPE
seeds, 20 trials each; the first is ``sweep_gcn_cora.py``'s ``replay-none``)::

    graphkit sweep configs/gcn/cora.yaml --space configs/sweeps/gcn-cora.yaml --trials 20 --pruner none \\
        --seed 1 --study-dir /tmp/heldout1 tracking.wandb.mode=disabled          # and --seed 2
    python benchmarks/sweep_pruner_replay.py /tmp/gk-sweep-bench/replay-none /tmp/heldout1 /tmp/heldout2
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
from pathlib import Path

import optuna
from optuna.trial import TrialState

from graphkit.sweep import Sweep
from graphkit.trainers.run_dir import RunDir

REPO = Path(__file__).resolve().parents[1]
PRUNERS = ("sha", "median", "hyperband")


def curves(study_dir: Path, metric: str) -> list[tuple[list[float], float | None]]:
    """Each trial's per-epoch validation values and its final value, in trial order."""
    out = []
    for trial in sorted((study_dir / "trials").iterdir()):
        rows = RunDir(trial, create=False).read_metrics()
        results = RunDir(trial, create=False).read_results()
        values = [r[f"val_{metric}"] for r in rows if f"val_{metric}" in r]
        out.append((values, results["val"][metric]["mean"] if results else None))
    return out


def replay(sweep: Sweep, trials: list, name: str) -> dict:
    study = optuna.create_study(direction="maximize" if sweep.maximize else "minimize",
                                pruner=sweep._pruner(), study_name=name)
    epochs, pruned = 0, 0
    for values, final in trials:
        trial, best = study.ask(), None
        for epoch, value in enumerate(values):
            epochs += 1
            best = value if best is None or (value > best if sweep.maximize else value < best) else best
            trial.report(best, epoch)
            if trial.should_prune():
                study.tell(trial, state=TrialState.PRUNED)
                pruned += 1
                break
        else:
            study.tell(trial, final)
    return {"epochs": epochs, "pruned": pruned, "best_trial": study.best_trial.number}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("studies", nargs="+", type=Path, help="study directories run with --pruner none")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "sweep_pruner_replay.json")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    record = {"studies": []}
    for path in args.studies:
        sweep = Sweep.open(path, log=lambda line: None)
        trials = curves(path, sweep.metric)
        finals = [f for _, f in trials]
        best = max(range(len(finals)), key=lambda i: finals[i] if sweep.maximize else -finals[i])
        none = sum(len(v) for v, _ in trials)
        entry = {"study": str(path), "trials": len(trials), "none": {"epochs": none, "best_trial": best}}
        for pruner in PRUNERS:
            s = Sweep(path, dataclasses.replace(sweep.cfg, pruner=pruner), log=lambda line: None)
            # Hyperband assigns trials to brackets by a hash of the study name: several names
            names = [f"{sweep.cfg.name}-{pruner}-{k}" for k in range(8 if pruner == "hyperband" else 1)]
            runs = [replay(s, trials, n) for n in names]
            ratios = [none / r["epochs"] for r in runs]
            entry[pruner] = {"epochs": [r["epochs"] for r in runs], "pruned": [r["pruned"] for r in runs],
                             "best_trial": [r["best_trial"] for r in runs],
                             "fewer_than_none_median": statistics.median(ratios),
                             "fewer_than_none_min": min(ratios), "fewer_than_none_max": max(ratios)}
            print(f"{path}: {pruner}: {none} -> {statistics.median([r['epochs'] for r in runs]):.0f} epochs, "
                  f"{statistics.median(ratios):.2f}x fewer (min {min(ratios):.2f}, max {max(ratios):.2f}); "
                  f"best trial {sorted(set(r['best_trial'] for r in runs))} (unpruned best: {best})")
        record["studies"].append(entry)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
