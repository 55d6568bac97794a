"""Atomic checkpoints and the RNG state that makes a resumed run identical to an uninterrupted one."""

from __future__ import annotations

import io
import pickle
import random
import re
import zipfile
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch

from graphkit.atomic import write_atomic
from graphkit.errors import TrainingError


def save_atomic(obj: Any, path: Path) -> None:
    """Writes ``obj`` with ``torch.save`` to a temp file beside ``path``, then renames:
    a kill at any moment leaves either the old or the new checkpoint, never half of one.

    The bytes are serialized in memory first: ``torch.save`` into a file reports a full
    disk as an opaque ``RuntimeError`` ("enforce fail at inline_container.cc"), a plain
    write as ``OSError(ENOSPC)`` naming the file, which the commands turn into one line."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    write_atomic(path, lambda f: f.write(buffer.getbuffer()))


def load(path: Path, device: torch.device | str = "cpu", *, remedy: Optional[str] = None) -> Any:
    """Loads a checkpoint with ``weights_only=True`` (no arbitrary unpickling).

    Args:
        path: the checkpoint file.
        device: where tensors go.
        remedy: what the user can do when the file is unusable (ends the error message).

    Raises:
        TrainingError: the file is missing, empty, truncated, garbled, or holds pickled
            objects other than tensors and plain data (which are refused, never run).
    """
    remedy = remedy or "delete it, or point to another checkpoint"
    try:
        return torch.load(path, map_location=device, weights_only=True)
    except FileNotFoundError:
        raise TrainingError(f"checkpoint {path} does not exist; {remedy}") from None
    except pickle.UnpicklingError as e:
        found = re.search(r"GLOBAL:? ([\w.]+)", str(e), re.IGNORECASE)  # torch words it two ways
        if found:
            raise TrainingError(
                f"checkpoint {path} holds pickled objects other than tensors and plain data "
                f"({found.group(1)}); refusing "
                f"to load it (it was not written by graphkit, or was tampered with); {remedy}"
            ) from None
        raise TrainingError(f"checkpoint {path} is corrupt or truncated (not a torch file); {remedy}") from None
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile) as e:
        what = "empty" if _is_empty(path) else f"corrupt or truncated ({_first_line(e)})"
        raise TrainingError(f"checkpoint {path} is {what}; {remedy}") from None


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    first = lines[0] if lines else type(error).__name__
    return first.split(". ")[0][:200]  # torch appends paragraphs of advice


def _is_empty(path: Path) -> bool:
    try:
        return Path(path).stat().st_size == 0
    except OSError:
        return False


def rng_state() -> dict[str, Any]:
    """Every RNG a training step may draw from, as tensors/plain types (weights_only-safe)."""
    np_state = np.random.get_state()
    state = {
        "torch": torch.get_rng_state(),
        "numpy": {
            "keys": torch.from_numpy(np_state[1].astype(np.int64)),
            "pos": int(np_state[2]),
            "has_gauss": int(np_state[3]),
            "cached_gaussian": float(np_state[4]),
        },
        "python": _python_state_to_tensor(random.getstate()),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"].cpu())
    n = state["numpy"]
    np.random.set_state(
        ("MT19937", n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["cached_gaussian"])
    )
    random.setstate(_python_state_from_tensor(state["python"]))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def _python_state_to_tensor(state: tuple) -> torch.Tensor:
    version, internal, gauss = state
    gauss_flag = 0 if gauss is None else 1
    return torch.tensor([version, gauss_flag, *internal], dtype=torch.int64), gauss


def _python_state_from_tensor(packed: Any) -> tuple:
    values, gauss = packed
    values = values.tolist()
    version, gauss_flag, internal = values[0], values[1], tuple(values[2:])
    return version, internal, gauss if gauss_flag else None
