"""A dataset family: every ``<prefix>:<member>`` name resolved by one function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from graphkit.datasets.dataset_spec import DatasetSpec
    from graphkit.registry import Registry

# resolve(member, args, curated) -> spec; ``curated`` is the table of registered datasets, so
# a member that is also a curated entry can resolve to it. No file may be read here: the
# spec's loader reads them when the dataset is built.
FamilyResolveFn = Callable[[str, dict, "Registry[DatasetSpec]"], "DatasetSpec"]


@dataclass(frozen=True)
class DatasetFamily:
    """Args:
    prefix: the part before ``:`` in ``data.name`` (``tu``, ``ogb``, ``pyg``).
    resolve: ``resolve(member, data.args, curated) -> DatasetSpec``.
    example: an example ``data.name`` (``tu:NCI109``), for ``graphkit data list --all``.
    description: one line, for ``graphkit data list --all``.
    task_known_early: the member's task is known without reading its files (so a config
        can be typed by that task's options before the data is loaded).
    member: what a member is called in help and errors (``tu:<NAME>``).
    """

    prefix: str
    resolve: FamilyResolveFn
    example: str
    description: str
    task_known_early: bool = True
    member: str = "member"

    @property
    def pattern(self) -> str:
        return f"{self.prefix}:<{self.member}>"
