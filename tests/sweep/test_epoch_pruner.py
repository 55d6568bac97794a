import optuna
import pytest

from graphkit.sweep.epoch_pruner import EpochPruner
from graphkit.trainers.run_stopped import RunStopped


def _trial(pruner):
    return optuna.create_study(direction="maximize", pruner=pruner).ask()


def test_epoch_pruner_reports_best_so_far_of_the_first_seed_only():
    trial = _trial(optuna.pruners.NopPruner())
    hook = EpochPruner(trial, "accuracy", maximize=True, first=(0, 0))
    for epoch, acc in enumerate([0.5, 0.7, 0.6, 0.8]):
        hook({"seed": 0, "split": 0, "epoch": epoch, "val_accuracy": acc})
    hook({"seed": 1, "split": 0, "epoch": 0, "val_accuracy": 0.1})  # a later seed: not reported
    hook({"seed": 0, "split": 0, "epoch": 4, "train_loss": 0.3})  # no validation round this epoch
    frozen = trial.study.get_trials()[0]
    assert frozen.intermediate_values == {0: 0.5, 1: 0.7, 2: 0.7, 3: 0.8}


def test_epoch_pruner_minimising_keeps_the_lowest():
    trial = _trial(optuna.pruners.NopPruner())
    hook = EpochPruner(trial, "mae", maximize=False, first=(0, 0))
    for epoch, mae in enumerate([0.9, 0.5, 0.7]):
        hook({"seed": 0, "split": 0, "epoch": epoch, "val_mae": mae})
    assert trial.study.get_trials()[0].intermediate_values == {0: 0.9, 1: 0.5, 2: 0.5}


def test_epoch_pruner_stops_the_run_when_the_pruner_says_so():
    # ThresholdPruner: below 0.6 after epoch 1 (warm-up 1 step) -> pruned
    trial = _trial(optuna.pruners.ThresholdPruner(lower=0.6, n_warmup_steps=1))
    hook = EpochPruner(trial, "accuracy", maximize=True, first=(0, 0))
    hook({"seed": 0, "split": 0, "epoch": 0, "val_accuracy": 0.4})  # within the warm-up
    with pytest.raises(RunStopped, match="pruned at epoch 1"):
        hook({"seed": 0, "split": 0, "epoch": 1, "val_accuracy": 0.5})
    assert hook.pruned_at == 1


def test_epoch_pruner_runs_steps_on_across_stages_and_restarts_the_best():
    # sparsify: the gate stage's epochs 0-1, then the fixed plan's epochs 0-2
    trial = _trial(optuna.pruners.NopPruner())
    hook = EpochPruner(trial, "accuracy", maximize=True, first=(0, 0))
    for epoch, acc in [(0, 0.9), (1, 0.95), (0, 0.6), (1, 0.7), (2, 0.65)]:
        hook({"seed": 0, "split": 0, "epoch": epoch, "val_accuracy": acc})
    assert trial.study.get_trials()[0].intermediate_values == {0: 0.9, 1: 0.95, 2: 0.6, 3: 0.7, 4: 0.7}
