"""One writer per run directory: an advisory ``flock`` on ``RUN_DIR/.lock``."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
from pathlib import Path
from typing import Iterator, Optional

from graphkit.errors import TrainingError
from graphkit.trainers.run_dir import RunDir

# Set by ``graphkit train --nproc N`` for the processes it starts: the launcher holds
# the lock of this run directory for them.
HELD_ENV = "GRAPHKIT_RUN_LOCK_HELD"


class RunLock:
    """Exclusive lock of a run directory, held from :meth:`acquire` to :meth:`release`
    (or the holder's death: the kernel drops a ``flock`` with its process, so a killed
    run never blocks ``--resume``). The file records the holder's pid and host for the
    error a second process gets.

    Args:
        run_dir: the run directory (must exist).
    """

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / ".lock"
        self._fd: Optional[int] = None

    def acquire(self) -> "RunLock":
        """Takes the lock or raises :class:`TrainingError` naming the holder."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise TrainingError(f"cannot create the run-directory lock {self.path}: {e.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 256, 0).decode(errors="replace").split()
            os.close(fd)
            pid, host = (holder + ["?", "?"])[:2]
            raise TrainingError(
                f"run directory {self.path.parent} is in use by pid {pid} on host {host}; wait for "
                f"that run to end (or stop it), or choose another --run-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


@contextlib.contextmanager
def claimed(run_dir: RunDir, *, resume: bool, lock: bool) -> Iterator[dict]:
    """Creates ``run_dir`` (fresh runs) and holds its lock for the block. The block sets
    ``status["ok"]``; a fresh run that fails before its first epoch is logged leaves
    nothing behind (a directory it created is removed, with an empty parent it created)."""
    existed, parent_existed = run_dir.path.exists(), run_dir.path.parent.exists()
    status = {"ok": False}
    held = None
    try:
        run_dir.create(bare=lock)
        held = RunLock(run_dir.path).acquire() if lock else None
        run_dir.create()  # checkpoints/ only once it is ours
        if resume and held is not None:  # no other process writes here now
            run_dir.remove_partial_writes()
        yield status
    finally:
        if not status["ok"] and not resume and not existed and held is not None and not started(run_dir):
            shutil.rmtree(run_dir.path, ignore_errors=True)
            if not parent_existed:
                with contextlib.suppress(OSError):
                    run_dir.path.parent.rmdir()  # only if empty
        if held is not None:
            held.release()


def started(run_dir: RunDir) -> bool:
    return (run_dir.path / "metrics.jsonl").is_file() or run_dir.last.is_file()
