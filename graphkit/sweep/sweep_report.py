"""A finished study's summary: parameter importances (fANOVA) and the optimisation history."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional

import optuna
from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global figure state
from matplotlib.ticker import MaxNLocator
from optuna.trial import TrialState


def importances(study: optuna.Study, seed: int = 0) -> tuple[Optional[dict[str, float]], str]:
    """fANOVA importance of each parameter over the complete trials (Hutter et al. 2014,
    https://proceedings.mlr.press/v32/hutter14.html), or ``None`` and why not."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if len(complete) < 2:
        return None, f"needs at least 2 complete trials, the study has {len(complete)}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = optuna.importance.get_param_importances(
                study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=seed))
    except (RuntimeError, ValueError) as e:  # e.g. every complete trial drew the same values
        return None, str(e)
    return {k: float(v) for k, v in values.items()}, ""


def plot_history(study: optuna.Study, metric: str, path: Path) -> Path:
    """Each trial's objective (pruned trials at their last reported value) and the best so far."""
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
    done = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]
    pruned = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.PRUNED and t.intermediate_values]
    if done:
        ax.plot([t.number for t in done], [t.value for t in done], "o", color="C0", label="complete")
        best, xs, ys = None, [], []
        for t in sorted(done, key=lambda t: t.number):
            if best is None or (t.value > best if maximize else t.value < best):
                best = t.value
            xs.append(t.number)
            ys.append(best)
        ax.step(xs, ys, where="post", color="C3", label="best so far")
    if pruned:
        last = [t.intermediate_values[max(t.intermediate_values)] for t in pruned]
        ax.plot([t.number for t in pruned], last, "x", color="0.5", label="pruned (last reported)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("trial")
    ax.set_ylabel(metric)
    ax.set_title("optimisation history")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def plot_importances(values: dict[str, float], path: Path) -> Path:
    fig = Figure(figsize=(6, 1 + 0.4 * len(values)))
    ax = fig.subplots()
    names = list(values)[::-1]
    ax.barh(names, [values[n] for n in names], color="C0")
    ax.set_xlabel("fANOVA importance")
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path
