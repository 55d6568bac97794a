"""Shared by the C++ kernels compiled on first use (Mamba scan, FastRP products)."""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_flags() -> str:
    """The CPU's feature flags: builds use ``-march=native``, so their cache key includes
    them and a cache shared across machines never mixes builds."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return line
    except OSError:
        pass
    return platform.processor() or platform.machine()
