"""Shared by the C++ kernels compiled on first use (Mamba scan, FastRP products)."""

from __future__ import annotations

import hashlib
import platform
import sys
import time
import warnings
from pathlib import Path
from typing import Sequence

# torch's loader guards a build directory with a `lock` file and waits, silently and for
# ever, while one exists; a build killed part-way (Ctrl-C, a killed job) leaves it behind,
# so a lock older than this is taken to be left over and removed.
STALE_LOCK_SECONDS = 600
# What a first build costs, as announced before it starts (each build then prints its own
# time). Measured for the Mamba and the FastRP kernels alike (`/usr/bin/time` on a fresh
# TORCH_EXTENSIONS_DIR): ~25 s of compiler CPU time; 67-112 s of wall time on 2 cores
# shared with other jobs (load average 9-13).
BUILD_TIME_NOTE = "~25 s of compiler CPU time, 1-2 min on a busy machine"


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


def extension_name(prefix: str, source: Path, cflags: Sequence[str]) -> str:
    """``prefix`` + a key over the source, the flags, the CPU and torch's version."""
    import torch

    key = hashlib.sha256(b"\0".join([source.read_bytes(), " ".join(cflags).encode(),
                                     cpu_flags().encode(), torch.__version__.encode()])).hexdigest()[:12]
    return f"{prefix}_{key}"


def wait_for_build_lock(build_dir: Path, stale_seconds: float = STALE_LOCK_SECONDS,
                        poll_seconds: float = 1.0) -> None:
    """Returns once ``build_dir`` holds no build lock: waits (saying so) while another
    process's build holds it, and removes it, with a warning, once it is older than
    ``stale_seconds``."""
    lock = Path(build_dir) / "lock"
    announced = False
    while True:
        try:
            age = time.time() - lock.stat().st_mtime
        except FileNotFoundError:
            return
        if age > stale_seconds:
            warnings.warn(f"graphkit: removing a build lock left {age / 60:.0f} min ago by an interrupted "
                          f"build ({lock})", RuntimeWarning, stacklevel=3)
            lock.unlink(missing_ok=True)
            return
        if not announced:
            print(f"graphkit: waiting for another process's kernel build ({lock}; it is removed "
                  f"after {stale_seconds / 60:.0f} min, or delete it if no build is running)",
                  file=sys.stderr, flush=True)
            announced = True
        time.sleep(poll_seconds)


def load_cpu_extension(name: str, source: Path, cflags: Sequence[str], what: str):
    """Compiles (once per machine, announced) and loads ``source`` as the torch extension
    ``name``; raises what torch's loader raises when it cannot build."""
    from torch.utils import cpp_extension

    build_dir = Path(cpp_extension._get_build_directory(name, False))
    wait_for_build_lock(build_dir)
    building = not any(build_dir.glob("*.so"))
    if building:
        print(f"graphkit: building the {what} (once per machine; {BUILD_TIME_NOTE})", file=sys.stderr, flush=True)
    start = time.perf_counter()
    module = cpp_extension.load(name=name, sources=[str(source)], extra_cflags=list(cflags), verbose=False)
    if building:
        print(f"graphkit: built the {what} in {time.perf_counter() - start:.0f} s ({build_dir})",
              file=sys.stderr, flush=True)
    return module
