"""The fused CPU kernels of the packed selective scan and of the causal convolution
before it (``csrc/packed_scan_cpu.cpp``), compiled on first use with torch's C++
extension loader, and their autograd wrappers.

The PyTorch step loop (:class:`graphkit.nn.selective_scan._PackedScan`) spends ~16
passes over a ``[T, G, N, D/G]`` state tensor per forward + backward; the kernel does
one pass per direction of time. On ZINC batches (1 thread) the bidirectional Mamba
branch took 7.4 ms with the kernels and 12.9 ms in pure PyTorch (fwd + bwd).
Building needs a C++ compiler and ``ninja`` (a dependency); where either is missing,
or ``GRAPHKIT_SCAN_KERNEL=torch`` is set, :func:`cpu_scan_kernel` returns ``None``
and the PyTorch paths run instead (with one warning when the build failed).
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import sys
import warnings
from pathlib import Path

import torch
from torch import Tensor

_SOURCE = Path(__file__).parent / "csrc" / "packed_scan_cpu.cpp"
# -march=native for AVX2/AVX-512 vectorisation of the inner loops, so the build is
# keyed by the CPU's feature flags (a cache shared across machines never mixes
# builds). Not -ffast-math: with GCC < 13 it links crtfastmath, which turns on
# flush-to-zero for the whole process; these flags only allow the reassociated
# reductions and vectorised floor the loops need.
_CFLAGS = ["-O3", "-march=native", "-fno-math-errno", "-fno-trapping-math",
           "-fno-signed-zeros", "-fassociative-math", "-ffp-contract=fast"]


def _cpu_flags() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return line
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _built(cpp_extension, name: str) -> bool:
    """Whether torch's extension cache already holds a build of ``name`` (only decides
    whether to announce the build; an unknown layout counts as built)."""
    try:
        return any(Path(cpp_extension._get_build_directory(name, False)).glob("*.so"))
    except Exception:
        return True


@functools.lru_cache(maxsize=None)
def cpu_scan_kernel():
    """The compiled extension module (``forward``, ``backward``), or ``None`` when it
    is disabled or cannot be built (a warning says why, once)."""
    if os.environ.get("GRAPHKIT_SCAN_KERNEL", "auto") == "torch":
        return None
    key = hashlib.sha256(b"\0".join([
        _SOURCE.read_bytes(), " ".join(_CFLAGS).encode(), _cpu_flags().encode(),
        torch.__version__.encode(),
    ])).hexdigest()[:12]
    name = f"graphkit_packed_scan_{key}"
    try:
        from torch.utils import cpp_extension

        if not _built(cpp_extension, name):
            print("graphkit: building the fused CPU Mamba kernels (once per machine, "
                  "~30 s)", file=sys.stderr, flush=True)
        return cpp_extension.load(name=name, sources=[str(_SOURCE)], extra_cflags=_CFLAGS,
                                  verbose=False)
    except Exception as error:  # no compiler, no ninja, unsupported platform
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        warnings.warn(
            "graphkit: the fused CPU selective scan could not be built "
            f"({first_line}); using the PyTorch paths (Mamba ~1.75x slower). Set "
            "GRAPHKIT_SCAN_KERNEL=torch to skip the attempt.", RuntimeWarning, stacklevel=2)
        return None


class FusedPackedScan(torch.autograd.Function):
    """Autograd wrapper of the kernel, with the arguments of
    :func:`graphkit.nn.selective_scan.packed_selective_scan` (float32, contiguous,
    CPU): ``(y + D u) * silu(z)`` of the scan with step sizes ``softplus(delta +
    delta_bias)`` (or ``delta + delta_bias``). ``D`` and ``delta_bias`` are tensors
    (zeros when the caller has none); ``z`` is ignored unless ``gate``. The layout's
    ``batch_sizes`` and ``offsets`` come as int64 tensors. The states ``[T, G, N,
    D/G]`` and the scan's readout are kept for the backward."""

    @staticmethod
    def forward(ctx, delta: Tensor, u: Tensor, A: Tensor, B: Tensor, C: Tensor, D: Tensor,
                z: Tensor, delta_bias: Tensor, softplus: bool, gate: bool,
                batch_sizes: Tensor, offsets: Tensor) -> Tensor:
        out, y, h = cpu_scan_kernel().forward(delta, u, A, B, C, D, z, delta_bias, softplus,
                                              gate, batch_sizes, offsets)
        ctx.save_for_backward(delta, u, A, B, C, D, z, delta_bias, y, h, batch_sizes, offsets)
        ctx.flags = (softplus, gate)
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        delta, u, A, B, C, D, z, delta_bias, y, h, batch_sizes, offsets = ctx.saved_tensors
        softplus, gate = ctx.flags
        grads = cpu_scan_kernel().backward(grad_out.contiguous(), delta, u, A, B, C, D, z,
                                           delta_bias, softplus, gate, y, h, batch_sizes,
                                           offsets)
        grad_delta, grad_u, grad_A, grad_B, grad_C, grad_D, grad_z, grad_bias = grads
        return (grad_delta, grad_u, grad_A, grad_B, grad_C, grad_D,
                grad_z if gate else None, grad_bias, None, None, None, None)


class FusedPackedConv(torch.autograd.Function):
    """Autograd wrapper of the kernel's causal depthwise convolution + SiLU over the
    lanes of a packed layout (see :func:`graphkit.nn.packed_causal_conv.packed_causal_conv_silu`)."""

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor, batch_sizes: Tensor,
                offsets: Tensor) -> Tensor:
        out, pre = cpu_scan_kernel().conv_forward(x, weight, bias, batch_sizes, offsets)
        ctx.save_for_backward(x, weight, pre, batch_sizes, offsets)
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        x, weight, pre, batch_sizes, offsets = ctx.saved_tensors
        grad_x, grad_weight, grad_bias = cpu_scan_kernel().conv_backward(
            grad_out.contiguous(), x, weight, pre, batch_sizes, offsets)
        return grad_x, grad_weight, grad_bias, None, None


def fused_kernel_available(*tensors: Tensor) -> bool:
    """True when the kernel is built and every tensor is a float32 CPU tensor."""
    return (all(t.device.type == "cpu" and t.dtype == torch.float32 for t in tensors)
            and cpu_scan_kernel() is not None)
