"""The task a dataset name stands for, known before anything is loaded."""

from __future__ import annotations

from typing import Optional


def registered_task(name: object) -> Optional[str]:
    """The registered task of dataset ``name``; ``None`` when the name is not a registered
    dataset (a path or family member whose task is only known once it is loaded)."""
    from graphkit.datasets import DATASETS  # late: the registry imports every loader

    if isinstance(name, str) and name in DATASETS:
        return DATASETS.get(name).task
    from graphkit.datasets.resolve import FAMILY_PREFIXES, family_member_spec
    from graphkit.errors import GraphkitError

    if isinstance(name, str) and name.startswith(FAMILY_PREFIXES):
        try:
            return family_member_spec(name, {}, DATASETS).task
        except GraphkitError:
            return None  # reported, with its reason, when the dataset is loaded
    return None
