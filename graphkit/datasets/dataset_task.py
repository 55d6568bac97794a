"""The task a dataset name stands for, known before anything is loaded."""

from __future__ import annotations

from typing import Optional


def registered_task(name: object) -> Optional[str]:
    """The registered task of dataset ``name``; ``None`` when the name is not a registered
    dataset (a path or family member whose task is only known once it is loaded)."""
    from graphkit.datasets import DATASETS  # late: the registry imports every loader

    if isinstance(name, str) and name in DATASETS:
        return DATASETS.get(name).task
    return None
