"""Suite-wide setup: the offline mirror beside the repo and a per-session data root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("GRAPHKIT_MIRROR", REPO.parent / "shared" / "datasets"))


def pytest_configure(config: pytest.Config) -> None:
    os.environ["GRAPHKIT_MIRROR"] = str(MIRROR)
    os.environ.setdefault("WANDB_SILENT", "true")
    # Two spinning OpenMP threads on a busy 2-core box are several times slower than one.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    # the built-in parts, as every entry point registers them (units of lower layers look
    # names up in the tables the composition root fills)
    from graphkit.catalog import load

    load()
    if "GRAPHKIT_DATA" not in os.environ:
        # One processed-data cache per session, shared by every test (datasets are
        # processed once); tmp_path_factory is not available this early.
        import tempfile

        os.environ["GRAPHKIT_DATA"] = tempfile.mkdtemp(prefix="graphkit-test-data-")
        config._graphkit_data_tmp = os.environ["GRAPHKIT_DATA"]


def pytest_unconfigure(config: pytest.Config) -> None:
    tmp = getattr(config, "_graphkit_data_tmp", None)
    if tmp is not None:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def mirror() -> Path:
    if not (MIRROR / "MANIFEST.tsv").is_file():
        pytest.skip(f"dataset mirror not found at {MIRROR}")
    return MIRROR
