"""A sweep's Optuna study in SQLite, shared by every process that works on it."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import uuid
from pathlib import Path
from typing import Iterator, Optional

import optuna
from optuna.trial import FrozenTrial, TrialState

# user attributes a trial carries
WORKER, RUN_DIR, STALE, RETRY_OF, ERROR = "worker", "run_dir", "stale", "retry_of", "error"


class StudyStore:
    """``STUDY_DIR/study.db`` (Optuna's RDB storage) and the locks that let any number of
    processes work on one study, and a killed one be resumed.

    Each working process holds an ``flock`` on ``workers/<id>.lock`` for its lifetime and
    tags the trials it runs with that id; the kernel drops the lock with the process, so
    a trial left ``RUNNING`` by a killed process is recognised at once (its worker's lock
    is free), marked failed (``stale``) and its parameters enqueued again. Trials are
    claimed under ``.claim.lock`` so that K processes never start more than the study's
    trial count between them.

    Args:
        path: the study directory (created).
        name: the study's name.
        direction: ``maximize`` or ``minimize``.
        sampler, pruner: this process's Optuna sampler and pruner.
    """

    def __init__(self, path: Path, name: str, direction: str, sampler: optuna.samplers.BaseSampler,
                 pruner: optuna.pruners.BasePruner) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "workers").mkdir(exist_ok=True)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        with self.claim_lock():  # the first process creates the tables; K starting at once race
            # SQLite serialises writers; a long timeout rides out K processes telling at once
            self.storage = optuna.storages.RDBStorage(
                f"sqlite:///{(self.path / 'study.db').resolve()}", engine_kwargs={"connect_args": {"timeout": 300}})
            self.study = optuna.create_study(study_name=name, storage=self.storage, direction=direction,
                                             sampler=sampler, pruner=pruner, load_if_exists=True)
        self.worker: Optional[str] = None
        self._worker_fd: Optional[int] = None

    @contextlib.contextmanager
    def claim_lock(self) -> Iterator[None]:
        fd = os.open(self.path / ".claim.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def join(self) -> int:
        """Registers this process as a worker; returns how many had joined before it (its
        index, which offsets the sampler seed so two workers do not draw alike)."""
        with self.claim_lock():
            index = len(list((self.path / "workers").glob("*.lock")))
            self.worker = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
            fd = os.open(self.path / "workers" / f"{self.worker}.lock", os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._worker_fd = fd
        return index

    def leave(self) -> None:
        if self._worker_fd is not None:
            os.close(self._worker_fd)
            self._worker_fd = None

    def _alive(self, worker: Optional[str]) -> bool:
        if worker is None:  # asked but never tagged: its process died inside the claim
            return False
        if worker == self.worker:
            return True
        path = self.path / "workers" / f"{worker}.lock"
        if not path.is_file():
            return False
        fd = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # also drops the lock if we took it
        return False

    def fail_stale(self) -> list[int]:
        """Marks trials left ``RUNNING`` by dead workers failed (``stale``, not counted) and
        enqueues their parameters again; call under :meth:`claim_lock`. Returns their numbers."""
        stale = []
        for t in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if self._alive(t.user_attrs.get(WORKER)):
                continue
            self.give_back(t.number, t._trial_id, t.params)
            stale.append(t.number)
        return stale

    def give_back(self, number: int, trial_id: int, params: dict) -> None:
        """Marks a trial that did not finish (its process died, or was interrupted) failed
        and ``stale`` (not counted), and enqueues its parameters for a retry."""
        self.storage.set_trial_user_attr(trial_id, STALE, True)
        self.study.tell(number, state=TrialState.FAIL)
        if params:  # a trial killed before drawing its parameters leaves none to retry
            self.study.enqueue_trial(params, user_attrs={RETRY_OF: number})

    @staticmethod
    def counted(t: FrozenTrial) -> bool:
        """A finished trial: complete, pruned, or failed by an error of its own (not killed)."""
        return t.state in (TrialState.COMPLETE, TrialState.PRUNED) or (
            t.state == TrialState.FAIL and not t.user_attrs.get(STALE, False))

    def finished(self) -> int:
        return sum(self.counted(t) for t in self.study.get_trials(deepcopy=False))

    def claim(self, trials: int) -> Optional[optuna.Trial]:
        """A new trial for this worker, or ``None`` when finished and running trials already
        make ``trials``."""
        with self.claim_lock():
            self.fail_stale()
            all_trials = self.study.get_trials(deepcopy=False)
            taken = sum(self.counted(t) or t.state == TrialState.RUNNING for t in all_trials)
            if taken >= trials:
                return None
            trial = self.study.ask()
            trial.set_user_attr(WORKER, self.worker)
            return trial
