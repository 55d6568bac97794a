"""``graphkit sweep``: an Optuna study over a config's keys, each trial a run directory."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

import optuna
import yaml
from optuna.trial import TrialState

from graphkit.atomic import write_text_atomic
from graphkit.catalog import load
from graphkit.config import RunConfig, from_dict, load_yaml, override_data, to_dict
from graphkit.errors import ConfigError, GraphkitError, TrainingError
from graphkit.runs.config_loading import load_config
from graphkit.sparsify.sparsify_config import SparsifyRunConfig
from graphkit.sweep.epoch_pruner import EpochPruner
from graphkit.sweep.search_space import SearchSpace, overrides_of
from graphkit.sweep.sparsify_trials import SparsifyTrials
from graphkit.sweep.study_store import ERROR, RETRY_OF, RUN_DIR, StudyStore
from graphkit.sweep.sweep_config import SweepConfig
from graphkit.sweep.sweep_report import importances, plot_history, plot_importances
from graphkit.sweep.train_trials import TrainTrials
from graphkit.sweep.trial_kind import TrialKind, count_epochs
from graphkit.tasks.metrics import metric_direction
from graphkit.trainers.run_stopped import RunStopped

SETUP = "sweep.yaml"


class Sweep:
    """A hyperparameter study in ``STUDY_DIR``: ``sweep.yaml`` (what it searches),
    ``study.db`` (Optuna, SQLite: the study's record), ``trials/trial-NNNN/`` (one run
    directory per trial, as ``graphkit train`` writes), then ``final/`` (the best trial
    re-run over the final seeds), ``best.yaml``, ``summary.json``, ``history.png`` and
    ``importance.png``.

    The trials train the base config (``graphkit train``; pretraining tasks too) or, given
    ``from_run``, sparsify that trained run with a sparsify config (``graphkit sparsify``).

    Any number of processes may :meth:`work` on one study at once (``--nproc`` or separate
    ``--resume`` invocations); a process killed at any moment leaves a study that the next
    :meth:`work` completes to exactly ``trials`` finished trials (see :class:`StudyStore`).

    Args:
        path: the study directory.
        cfg: what the study searches (``sweep.yaml``).
        log: where progress lines go.
    """

    def __init__(self, path: Path, cfg: SweepConfig, log: Callable[[str], None] = print) -> None:
        load()
        self.path, self.cfg, self.log = Path(path), cfg, log
        self.kind: TrialKind = (SparsifyTrials(cfg.base, cfg.from_run, cfg.name) if cfg.from_run
                                else TrainTrials(cfg.base, cfg.name))
        self.base = self.kind.base
        self.space = SearchSpace(cfg.space, self.base, where=f"{self.path / SETUP}: space")
        self.split, self.metric = cfg.metric.split(".", 1)
        self.maximize = cfg.direction == "max"
        if cfg.sampler == "grid" and cfg.trials > self.space.grid_size():
            raise ConfigError(f"--sampler grid: the grid has {self.space.grid_size()} points, fewer than "
                              f"--trials {cfg.trials}")
        self.store: Optional[StudyStore] = None

    # -- creating and opening ---------------------------------------------------------
    @classmethod
    def create(cls, path: Path, config: str | Path, space: str | Path, *, trials: int,
               overrides: Sequence[str] = (), plugins: Sequence[str] = (), metric: Optional[str] = None,
               direction: Optional[str] = None, sampler: str = "tpe", pruner: Optional[str] = None, seed: int = 0,
               final_seeds: Sequence[int] = (), name: Optional[str] = None, from_run: Optional[str | Path] = None,
               log: Callable[[str], None] = print) -> "Sweep":
        """A new study in ``path`` (refused if one is there) over ``config`` with ``overrides``;
        with ``from_run``, ``config`` is a sparsify config and each trial sparsifies that run."""
        load()
        path = Path(path)
        if (path / SETUP).is_file():
            raise ConfigError(f"{path} already holds a sweep; add --resume to continue it (or to join it "
                              f"from another process), or choose another --study-dir")
        raw = load_yaml(config)
        if from_run is None and isinstance(raw, dict) and "sparsify" in raw:
            raise ConfigError(f"{config} is a sparsify config: its trials start from a trained run; give "
                              f"--from-run RUN_DIR (a run of a GPS-family config)")
        base = load_config(SparsifyRunConfig if from_run is not None else RunConfig, config, overrides, plugins)
        SearchSpace.from_yaml(space, base)  # one-line errors before anything is written
        stem = Path(config)
        name = name or f"sweep-{base.name or f'{stem.parent.name}-{stem.stem}'}-{path.name}"
        from_run = str(Path(from_run).resolve()) if from_run is not None else None
        kind = SparsifyTrials(base, from_run, name) if from_run is not None else TrainTrials(base, name)
        if metric is None:
            metric = kind.default_metric()
        if direction is None:
            try:
                direction = "max" if metric_direction(metric.partition(".")[2]) else "min"
            except ConfigError:
                raise ConfigError(f"--metric {metric}: its direction is not known; give --direction max or "
                                  f"min") from None
        source = override_data(raw, list(overrides))
        if base.plugins:  # the records name each file absolutely, as the trials import it
            source["plugins"] = to_dict(base.plugins)
        cfg = from_dict(SweepConfig, {
            "config": str(config), "source": source, "base": to_dict(base), "space": load_yaml(space),
            "trials": trials, "metric": metric, "direction": direction, "sampler": sampler,
            **({"pruner": pruner} if pruner is not None else {}),
            "seed": seed, "final_seeds": list(final_seeds), "name": name, "from_run": from_run,
        })
        sweep = cls(path, cfg, log)
        path.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path / SETUP, yaml.safe_dump(to_dict(cfg), sort_keys=False))
        return sweep

    @classmethod
    def open(cls, path: Path, trials: Optional[int] = None, log: Callable[[str], None] = print) -> "Sweep":
        """The study in ``path`` (``--resume``); ``trials`` changes its trial count."""
        path = Path(path)
        if not (path / SETUP).is_file():
            raise ConfigError(f"--resume: {path} holds no sweep (no {SETUP})")
        data = load_yaml(path / SETUP)
        if trials is not None and trials != data.get("trials"):
            data["trials"] = trials
            cfg = from_dict(SweepConfig, data, SETUP)
            write_text_atomic(path / SETUP, yaml.safe_dump(to_dict(cfg), sort_keys=False))
        return cls(path, from_dict(SweepConfig, data, SETUP), log)

    # -- the study ----------------------------------------------------------------------
    def _sampler(self, index: int) -> optuna.samplers.BaseSampler:
        seed = self.cfg.seed + index
        if self.cfg.sampler == "grid":
            return optuna.samplers.GridSampler(self.space.grid(), seed=seed)
        if self.cfg.sampler == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        # a quarter of the budget (5 to 10 trials) drawn at random before TPE models the rest
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(10, max(5, self.cfg.trials // 4)))

    def _pruner(self) -> optuna.pruners.BasePruner:
        epochs = self.kind.epochs
        if self.cfg.pruner == "sha":
            # asynchronous successive halving: rungs at epochs/10, x3, x9...; a trial goes on past
            # a rung only in the top third of the trials that reached it. A median rule keeps
            # about half of the trials to the end, so it saves less than 2x by construction.
            return optuna.pruners.SuccessiveHalvingPruner(min_resource=max(1, epochs // 10), reduction_factor=3)
        if self.cfg.pruner == "median":
            # after 5 complete trials, from epoch epochs/20 on: below the median best-so-far -> pruned
            return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=max(1, epochs // 20))
        if self.cfg.pruner == "hyperband":
            return optuna.pruners.HyperbandPruner(min_resource=max(1, epochs // 27), max_resource=epochs,
                                                  reduction_factor=3)
        return optuna.pruners.NopPruner()

    def _open_store(self, index: int = 0) -> StudyStore:
        direction = "maximize" if self.maximize else "minimize"
        return StudyStore(self.path, self.cfg.name, direction, self._sampler(index), self._pruner())

    @property
    def study(self) -> optuna.Study:
        if self.store is None:
            self.store = self._open_store()
        return self.store.study

    def work(self) -> int:
        """Runs trials until the study has ``trials`` finished or claimed ones; returns how
        many this process ran. Trials of dead processes are retried first."""
        self.store = self.store or self._open_store()
        # the sampler seed offset by the worker index: two workers do not draw alike
        self.store.study.sampler = self._sampler(self.store.join())
        ran = 0
        try:
            while (trial := self.store.claim(self.cfg.trials)) is not None:
                self._run_trial(trial)
                ran += 1
        finally:
            self.store.leave()
        return ran

    def run_until_done(self, poll_seconds: float = 2.0) -> None:
        """:meth:`work`, then wait for trials other processes run; retries theirs if they die."""
        while True:
            self.work()
            if self.store.finished() >= self.cfg.trials:
                return
            time.sleep(poll_seconds)

    def trial_dir(self, number: int) -> Path:
        return self.path / "trials" / f"trial-{number:04d}"

    def _adopt(self, trial: optuna.Trial, run_dir: Path) -> bool:
        """A retried trial continues the run directory its killed predecessor left (moved to
        its own name, so each trial number has one directory); returns whether it resumes."""
        old = trial.user_attrs.get(RETRY_OF)
        if old is None:
            return False
        old_dir = self.trial_dir(int(old))
        if (old_dir / self.kind.record).is_file():
            os.replace(old_dir, run_dir)
            return True
        shutil.rmtree(old_dir, ignore_errors=True)  # killed before the run was written: nothing kept
        return False

    def _run_trial(self, trial: optuna.Trial) -> None:
        params = self.space.suggest(trial)
        run_dir = self.trial_dir(trial.number)
        trial.set_user_attr(RUN_DIR, str(run_dir.relative_to(self.path)))
        resume = self._adopt(trial, run_dir)
        pruner = EpochPruner(trial, self.metric, self.maximize, self.kind.first)
        started = time.perf_counter()
        state, value, note = TrialState.COMPLETE, None, ""
        try:
            results = self.kind.run(overrides_of(params), run_dir, resume, (pruner,), trial=True)
            scores = results[self.split]
            if self.metric in scores:
                value = float(scores[self.metric]["mean"])
            else:  # the study cannot go on: stop every worker with the reason
                state, note = TrialState.FAIL, (f"--metric {self.cfg.metric}: the runs report "
                                                f"{', '.join(scores)} on {self.split}; choose one of them")
        except RunStopped as stop:
            state, note = TrialState.PRUNED, stop.reason
        except GraphkitError as e:
            state, note = TrialState.FAIL, str(e)
        except KeyboardInterrupt:  # as a kill: not counted, retried in its directory by --resume
            with self.store.claim_lock():
                self.store.give_back(trial.number, trial._trial_id, params)
            raise
        except BaseException:
            trial.set_user_attr(ERROR, "crashed (see the worker's traceback)")
            self.store.study.tell(trial, state=TrialState.FAIL)
            raise
        if state == TrialState.FAIL:
            trial.set_user_attr(ERROR, note)
        epochs = count_epochs(run_dir)
        trial.set_user_attr("epochs", epochs)
        trial.set_user_attr("seconds", time.perf_counter() - started)
        if state == TrialState.COMPLETE:
            self.store.study.tell(trial, value)
        else:
            self.store.study.tell(trial, state=state)
        shown = f"{self.cfg.metric} {value:.4f}" if value is not None else note
        self.log(f"trial {trial.number}: {state.name.lower()}, {shown}, {epochs} epochs, "
                 f"{time.perf_counter() - started:.1f}s ({', '.join(f'{k}={_fmt(v)}' for k, v in params.items())})")
        if state == TrialState.FAIL and value is None and note.startswith("--metric"):
            raise ConfigError(note)

    # -- after the search ---------------------------------------------------------------
    def _runs_params(self, run: Path, params: dict[str, Any], seeds: list[int]) -> bool:
        """Whether ``run``'s config holds ``params`` and ``seeds``."""
        config = self.kind.config_of(run)
        for key, value in {**params, "seeds": seeds}.items():
            node: Any = config
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node != value:
                return False
        return True

    @contextlib.contextmanager
    def _final_lock(self) -> Iterator[None]:
        fd = os.open(self.path / ".final.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # a second finisher waits, then reads what the first wrote
            yield
        finally:
            os.close(fd)

    def finish(self) -> dict[str, Any]:
        """Re-runs the best trial over the final seeds (``final/``, resumable), writes
        ``best.yaml``, ``history.png``, ``importance.png`` and ``summary.json``."""
        with self._final_lock():
            study = self.study
            trials = study.get_trials(deepcopy=False)
            complete = [t for t in trials if t.state == TrialState.COMPLETE]
            if not complete:
                raise TrainingError(f"no trial of {self.path} completed (all pruned or failed); see "
                                    f"{self.path / 'trials'}")
            best = study.best_trial
            seeds = list(self.cfg.final_seeds or self.base.seeds)
            overrides = overrides_of(best.params) + [f"seeds={seeds}"]
            final = self.path / "final"
            started = (final / self.kind.record).is_file()
            if started and not self._runs_params(final, best.params, seeds):
                shutil.rmtree(final)  # the re-run of an earlier best (the study was extended since)
                started = False
            done = self.kind.finished(final) if started else None
            if done is not None and list(done.get("seeds", ())) == seeds:
                results = done
            else:  # a re-run cut short resumes where it was
                results = self.kind.run(overrides, final, started, (), trial=False)
            best_cfg = override_data(self.cfg.source, overrides)
            header = (f"# {self.kind.rerun.format(best=self.path / 'best.yaml')}\n"
                      f"# best of {len(trials)} trials of the sweep in {self.path}: trial {best.number}, "
                      f"{self.cfg.metric} {best.value:.4f}\n")
            write_text_atomic(self.path / "best.yaml", header + yaml.safe_dump(best_cfg, sort_keys=False))
            imp, why = importances(study, seed=self.cfg.seed)
            plot_history(study, self.cfg.metric, self.path / "history.png")
            if imp:
                plot_importances(imp, self.path / "importance.png")
            counted = [t for t in trials if StudyStore.counted(t)]
            states = {s: sum(t.state == getattr(TrialState, s.upper()) for t in counted)
                      for s in ("complete", "pruned", "fail")}
            summary = {
                "study": self.cfg.name, "trials": len(counted), "states": states,
                "epochs": sum(int(t.user_attrs.get("epochs", 0)) for t in counted),
                "trial_seconds": sum(float(t.user_attrs.get("seconds", 0.0)) for t in counted),
                "metric": self.cfg.metric, "direction": self.cfg.direction,
                "best": {"number": best.number, "value": best.value, "params": best.params,
                         "run_dir": best.user_attrs.get(RUN_DIR)},
                "importances": imp, "importances_unavailable": why or None,
                "final": {"run_dir": "final", "seeds": seeds, "metric": results["metric"],
                          "val": {k: {"mean": v["mean"], "std": v["std"]} for k, v in results["val"].items()},
                          "test": {k: {"mean": v["mean"], "std": v["std"]} for k, v in results["test"].items()}},
            }
            write_text_atomic(self.path / "summary.json", json.dumps(summary, indent=2) + "\n")
            return summary


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def describe(summary: dict[str, Any], path: Path) -> list[str]:
    """The lines ``graphkit sweep`` prints at the end."""
    s, best, final = summary["states"], summary["best"], summary["final"]
    metric = final["metric"]
    lines = [
        f"study {path}: {summary['trials']} trials ({s['complete']} complete, {s['pruned']} pruned, "
        f"{s['fail']} failed), {summary['epochs']} epochs, {summary['trial_seconds']:.1f}s of training",
        f"best trial {best['number']}: {summary['metric']} {best['value']:.4f} "
        f"({', '.join(f'{k}={_fmt(v)}' for k, v in best['params'].items())})",
    ]
    if summary["importances"]:
        lines.append("importance (fANOVA): " + ", ".join(f"{k} {v:.2f}" for k, v in summary["importances"].items()))
    else:
        lines.append(f"importance (fANOVA): unavailable ({summary['importances_unavailable']})")
    t, v = final["test"][metric], final["val"][metric]
    lines.append(f"best re-run over seeds {','.join(map(str, final['seeds']))}: test {metric} {t['mean']:.4f} ± "
                 f"{t['std']:.4f} (val {v['mean']:.4f} ± {v['std']:.4f}): {path / 'final'}")
    lines.append(f"wrote {path / 'best.yaml'}, {path / 'summary.json'}, {path / 'history.png'}"
                 + (f", {path / 'importance.png'}" if summary["importances"] else ""))
    return lines
