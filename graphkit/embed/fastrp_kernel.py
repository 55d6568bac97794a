"""Builds and loads FastRP's CPU kernels (``csrc/fastrp_cpu.cpp``: CSR x dense product in
column panels, CSR x CSR into a dense array, fused row-normalised accumulation), compiled
on first use with torch's C++ extension loader and run on torch's intra-op threads.

On BlogCatalog (d = 512, 1 thread) they make FastRP ~2x faster than the same algorithm
on scipy's products (``benchmarks/fastrp_speed.py``). Building needs a C++ compiler and
``ninja``; where either is missing, or ``GRAPHKIT_FASTRP_KERNEL=scipy`` is set,
:func:`fastrp_kernel` returns ``None`` and FastRP uses scipy's products (one warning
when the build failed).
"""

from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path

from graphkit.native_build import extension_name, load_cpu_extension

_SOURCE = Path(__file__).parent / "csrc" / "fastrp_cpu.cpp"
# -march=native vectorises the panel loops for the CPU at hand, so the build is keyed
# by its feature flags; no -ffast-math (it would set flush-to-zero for the process).
_CFLAGS = ["-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=fast"]


@functools.lru_cache(maxsize=None)
def fastrp_kernel():
    """The compiled module (``csr_dense``, ``csr_csr_dense``, ``add_scaled_rows``), or
    ``None`` when disabled or not buildable (a warning says why, once)."""
    if os.environ.get("GRAPHKIT_FASTRP_KERNEL", "auto") == "scipy":
        return None
    try:
        return load_cpu_extension(extension_name("graphkit_fastrp", _SOURCE, _CFLAGS), _SOURCE, _CFLAGS,
                                  "FastRP CPU kernels")
    except Exception as error:  # no compiler, no ninja, unsupported platform
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        warnings.warn(f"graphkit: the FastRP CPU kernels could not be built ({first_line}); using scipy's "
                      "products (~2x slower). Set GRAPHKIT_FASTRP_KERNEL=scipy to skip the attempt.",
                      RuntimeWarning, stacklevel=2)
        return None
