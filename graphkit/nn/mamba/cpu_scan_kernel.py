"""Builds and loads the fused CPU kernels of the packed selective scan and of the
causal convolution before it (``csrc/packed_scan_cpu.cpp``), compiled on first use with
torch's C++ extension loader. Their autograd wrappers are
:class:`~graphkit.nn.mamba.fused_packed_scan.FusedPackedScan` and
:class:`~graphkit.nn.mamba.fused_packed_conv.FusedPackedConv`.

The PyTorch step loop (:class:`graphkit.nn.mamba.selective_scan._PackedScan`) spends ~16
passes over a ``[T, G, N, D/G]`` state tensor per forward + backward; the kernel does
one pass per direction of time. On ZINC batches (1 thread) the bidirectional Mamba
branch took 6.1 ms with the kernels and 12.7 ms in pure PyTorch (fwd + bwd).
Building needs a C++ compiler and ``ninja`` (a dependency); where either is missing,
or ``GRAPHKIT_SCAN_KERNEL=torch`` is set, :func:`cpu_scan_kernel` returns ``None``
and the PyTorch paths run instead (with one warning when the build failed).
"""

from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path

import torch
from torch import Tensor

from graphkit.native_build import extension_name, load_cpu_extension

_SOURCE = Path(__file__).parent / "csrc" / "packed_scan_cpu.cpp"
# -march=native for AVX2/AVX-512 vectorisation of the inner loops, so the build is
# keyed by the CPU's feature flags (a cache shared across machines never mixes
# builds). Not -ffast-math: with GCC < 13 it links crtfastmath, which turns on
# flush-to-zero for the whole process; these flags only allow the reassociated
# reductions and vectorised floor the loops need.
_CFLAGS = ["-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math",
           "-fno-signed-zeros", "-fassociative-math", "-ffp-contract=fast"]


@functools.lru_cache(maxsize=None)
def cpu_scan_kernel():
    """The compiled extension module (``forward``, ``backward``), or ``None`` when it
    is disabled or cannot be built (a warning says why, once)."""
    if os.environ.get("GRAPHKIT_SCAN_KERNEL", "auto") == "torch":
        return None
    try:
        return load_cpu_extension(extension_name("graphkit_packed_scan", _SOURCE, _CFLAGS), _SOURCE, _CFLAGS,
                                  "fused CPU Mamba kernels")
    except Exception as error:  # no compiler, no ninja, unsupported platform
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        warnings.warn(
            "graphkit: the fused CPU selective scan could not be built "
            f"({first_line}); using the PyTorch paths (the Mamba branch ~2x slower). Set "
            "GRAPHKIT_SCAN_KERNEL=torch to skip the attempt.", RuntimeWarning, stacklevel=2)
        return None


def fused_kernel_available(*tensors: Tensor) -> bool:
    """True when the kernel is built and every tensor is a float32 CPU tensor."""
    return (all(t.device.type == "cpu" and t.dtype == torch.float32 for t in tensors)
            and cpu_scan_kernel() is not None)
