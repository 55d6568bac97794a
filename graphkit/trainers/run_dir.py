"""The on-disk layout of a run: resolved config, per-epoch metrics, results, checkpoints."""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

import yaml

from graphkit.atomic import write_text_atomic
from graphkit.errors import GraphkitWarning, TrainingError


class RunDir:
    """``runs/<name>/<timestamp>/`` with ``config.yaml``, ``metrics.jsonl``,
    ``completed.jsonl`` (finished seed/split runs, for resume), ``results.json`` and
    ``checkpoints/{last,best}.pt`` (the run in progress; each finished run's best weights
    are kept as ``checkpoints/best-seed<S>-split<K>.pt``).

    Args:
        path: the directory.
        create: create it (with ``checkpoints/``) if missing and check it is writable;
            ``False`` only reads an existing run (nothing is created).
    """

    def __init__(self, path: Path, create: bool = True) -> None:
        self.path = Path(path)
        if create:
            self.create()

    # recipes that save no training state (zeroshot, embed, ...) leave ``checkpoints/`` out
    holds_checkpoints = True

    def create(self, bare: bool = False) -> None:
        """Creates the directory (and ``checkpoints/`` unless ``bare``: a directory to lock
        before anything is written in it) and checks they are writable."""
        try:
            (self.checkpoints if self.holds_checkpoints and not bare else self.path).mkdir(
                parents=True, exist_ok=True)
            # a uniquely named probe: every rank of a multi-process job checks the same dir
            fd, probe = tempfile.mkstemp(dir=self.path, prefix=".write-test-")
            os.close(fd)
            os.unlink(probe)
        except OSError as e:
            raise TrainingError(f"run directory {self.path} is not writable: {e.strerror}") from None

    @classmethod
    def existing(cls, path: Path) -> "RunDir":
        """An existing run directory opened for reading: nothing is created in it (it may
        be read-only); a directory without ``config.yaml`` is refused."""
        path = Path(path)
        if not (path / "config.yaml").is_file():
            what = "is not a directory" if not path.is_dir() else "is not a run directory (no config.yaml)"
            raise TrainingError(f"{path} {what}")
        return cls(path, create=False)

    @classmethod
    def new(cls, base: Path, name: str, create: bool = True) -> "RunDir":
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        return cls(Path(base) / name / stamp, create=create)

    def is_run(self) -> bool:
        """Whether a run was started here (its resolved config was written)."""
        return (self.path / "config.yaml").is_file()

    def remove_partial_writes(self) -> list[Path]:
        """Deletes the temporary files of atomic writes a killed process left behind
        (``.last.pt.*.tmp``, ``.metrics.jsonl.*.tmp``...); call only while holding the
        run's lock, when no other process can be writing them."""
        stale = [p for folder in (self.path, self.checkpoints) if folder.is_dir()
                 for p in folder.glob(".*.tmp") if p.is_file()]
        for path in stale:
            path.unlink(missing_ok=True)
        return stale

    @property
    def checkpoints(self) -> Path:
        return self.path / "checkpoints"

    @property
    def last(self) -> Path:
        return self.checkpoints / "last.pt"

    @property
    def best(self) -> Path:
        return self.checkpoints / "best.pt"

    def best_of(self, seed: int, split: int) -> Path:
        return self.checkpoints / f"best-seed{seed}-split{split}.pt"

    def write_config(self, data: dict) -> None:
        write_text_atomic(self.path / "config.yaml", yaml.safe_dump(data, sort_keys=False))

    def read_config(self) -> dict:
        path = self.path / "config.yaml"
        if not path.is_file():
            raise TrainingError(f"{self.path} is not a run directory (no config.yaml)")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as e:
            why = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise TrainingError(f"{path} does not parse ({why}); it is the run's record of its config: "
                                f"restore it (graphkit writes it once, at the start of the run)") from None
        if not isinstance(data, dict):
            raise TrainingError(f"{path} holds a {type(data).__name__}, not a config mapping; restore it")
        return data

    def append_metrics(self, row: dict[str, Any]) -> None:
        with open(self.path / "metrics.jsonl", "a") as f:
            f.write(json.dumps(row) + "\n")

    def read_metrics(self) -> list[dict[str, Any]]:
        path = self.path / "metrics.jsonl"
        if not path.is_file():
            return []
        return _jsonl_rows(path, "its row is dropped")

    def truncate_metrics(self, seed: int, split: int, last_epoch: int) -> None:
        """Drops rows of (seed, split) written after the checkpoint a resume starts from
        (``last_epoch`` -1: every row of it), and any repeated (seed, split, epoch) row,
        so the resumed run appends each remaining epoch exactly once."""
        rows, seen = [], set()
        for r in self.read_metrics():
            key = (r.get("seed"), r.get("split"), r.get("epoch"))
            if key in seen or (r.get("seed") == seed and r.get("split") == split and r.get("epoch", -1) > last_epoch):
                continue
            seen.add(key)
            rows.append(r)
        write_text_atomic(self.path / "metrics.jsonl", "".join(json.dumps(r) + "\n" for r in rows))

    def completed(self) -> list[dict[str, Any]]:
        path = self.path / "completed.jsonl"
        if not path.is_file():
            return []
        # a lost record costs a re-run of that (seed, split), never a result it did not measure
        rows = _jsonl_rows(path, "that (seed, split) is trained again")
        return [r for r in rows if isinstance(r.get("seed"), int) and isinstance(r.get("split"), int)]

    def mark_completed(self, result: dict[str, Any]) -> None:
        rows = self.completed() + [result]
        write_text_atomic(self.path / "completed.jsonl", "".join(json.dumps(r) + "\n" for r in rows))

    def write_results(self, results: dict[str, Any]) -> None:
        write_text_atomic(self.path / "results.json", json.dumps(results, indent=2) + "\n")

    def read_results(self) -> Optional[dict[str, Any]]:
        path = self.path / "results.json"
        if not path.is_file():
            return None
        try:
            results = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise TrainingError(f"{path} does not parse ({type(e).__name__}); delete it and run "
                                f"graphkit train --resume {self.path} to write it again") from None
        if not isinstance(results, dict):
            raise TrainingError(f"{path} is not a results mapping; delete it and resume the run to rewrite it")
        return results


def _jsonl_rows(path: Path, then: str) -> list[dict[str, Any]]:
    """The JSON objects of ``path``, one a line. The last line may be cut short by a kill
    (dropped silently); any other line that is not an object (non-UTF-8 bytes, a hand
    edit) is dropped with a warning saying ``then``."""
    lines = path.read_bytes().splitlines()
    rows = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            row = None
        if isinstance(row, dict):
            rows.append(row)
        elif number < len(lines):
            warnings.warn(f"{path}: line {number} is not a JSON object; {then}", GraphkitWarning, stacklevel=3)
    return rows
