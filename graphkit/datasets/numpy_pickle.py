"""Reading third-party pickles of NumPy arrays without running pickled code.

Some published splits exist only as pickles (LRGB's split indices, OGB's ``split/*.pt``).
A plain ``pickle.load`` would run whatever callable the file names; these readers
resolve only NumPy's array-rebuilding globals and refuse anything else (the
"restricting globals" recipe of the ``pickle`` documentation, and ``torch.load``'s
weights-only unpickler with the same allow-list).
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import numpy as np
import torch

from graphkit.errors import DatasetError

# numpy >= 2 moved ``numpy.core`` to ``numpy._core``; files written by numpy 1 name the old path.
_RECONSTRUCT = np._core.multiarray._reconstruct
_SCALAR = np._core.multiarray.scalar
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy.core.multiarray", "scalar"): _SCALAR,
    ("numpy._core.multiarray", "scalar"): _SCALAR,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
}
# the concrete dtype classes (``numpy.dtypes.Int64DType`` ...) a numpy-2 pickle names
_DTYPE_CLASSES = {type(np.dtype(c)) for c in np.typecodes["All"]}
_TORCH_SAFE_GLOBALS = [
    (_RECONSTRUCT, "numpy.core.multiarray._reconstruct"), _RECONSTRUCT,
    (_SCALAR, "numpy.core.multiarray.scalar"), _SCALAR, np.ndarray, np.dtype, *_DTYPE_CLASSES,
]


class _NumpyOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return _ALLOWED[(module, name)]
        if module == "numpy.dtypes":
            found = next((c for c in _DTYPE_CLASSES if c.__name__ == name), None)
            if found is not None:
                return found
        raise pickle.UnpicklingError(f"refusing to load global {module}.{name}")


def load_numpy_pickle(payload: bytes, source: str) -> Any:
    """Unpickles ``payload`` (a plain pickle) allowing only NumPy arrays, dtypes and
    Python containers/scalars.

    Raises:
        DatasetError: the pickle names any other global, or is not a pickle.
    """
    try:
        return _NumpyOnlyUnpickler(io.BytesIO(payload)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as e:
        raise DatasetError(f"{source}: not a pickle of NumPy arrays ({e})") from None


def load_numpy_torch_file(payload: bytes, source: str) -> Any:
    """``torch.load(weights_only=True)`` of ``payload``, additionally allowing NumPy arrays
    (OGB's legacy-format split files store dicts of them).

    Raises:
        DatasetError: the file holds anything else, or is not a torch file.
    """
    try:
        with torch.serialization.safe_globals(_TORCH_SAFE_GLOBALS):
            return torch.load(io.BytesIO(payload), map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as e:
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        reason = next((line for line in lines if "Unsupported global" in line), lines[0] if lines else type(e).__name__)
        raise DatasetError(f"{source}: not a torch file of NumPy arrays ({reason[:300]})") from None
