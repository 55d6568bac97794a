"""The dataset tables: curated datasets by name and dataset families by prefix.

Plain tables, filled by :mod:`graphkit.catalog` (built-ins) and by plugins
(:func:`graphkit.plugins.register_dataset`, :func:`graphkit.plugins.register_dataset_family`).
"""

from __future__ import annotations

from graphkit.datasets.dataset_family import DatasetFamily
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.registry import Registry

DATASETS: Registry[DatasetSpec] = Registry("dataset")
DATASET_FAMILIES: Registry[DatasetFamily] = Registry("dataset family")
