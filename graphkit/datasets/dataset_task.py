"""The task a dataset name stands for, known before anything is loaded."""

from __future__ import annotations

from typing import Optional

from graphkit.datasets.dataset_registry import DATASET_FAMILIES, DATASETS
from graphkit.errors import GraphkitError


def registered_task(name: object) -> Optional[str]:
    """The registered task of dataset ``name``; ``None`` when the name is not a registered
    dataset or a family member whose task is known early (a path, or a ``pyg:`` class
    whose task is only known once it is loaded)."""
    if not isinstance(name, str):
        return None
    if name in DATASETS:
        return DATASETS.get(name).task
    prefix = name.split(":", 1)[0] if ":" in name else None
    if prefix is None or prefix not in DATASET_FAMILIES:
        return None
    family = DATASET_FAMILIES.get(prefix)
    if not family.task_known_early:
        return None
    try:
        return family.resolve(name.split(":", 1)[1], {}, DATASETS).task
    except GraphkitError:
        return None  # reported, with its reason, when the dataset is loaded
