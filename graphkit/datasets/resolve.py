"""``data.name`` -> :class:`DatasetSpec`: curated names, dataset families, the user's own data.

In order: a curated (registered) name; ``tu:<NAME>`` / ``ogb:<name>``, resolved to the
curated entry when one holds that dataset (``tu:MUTAG`` is ``mutag``, with its pinned
hashes), else built on the fly with files trusted on first use; ``pyg:<module.Class>``
with ``data.args`` as constructor arguments; a path to a TU-format folder or zip, a
``.pt`` file of saved graphs, or an edge-list folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from graphkit.config import DataConfig
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.edge_list import EDGES, LABELS, edge_list_spec
from graphkit.datasets.fetch import resolve_mirror, resolve_root
from graphkit.datasets.loading import dataset_dir
from graphkit.datasets.ogb_family import ogb_member_spec
from graphkit.datasets.pyg_class import PREFIX as PYG_PREFIX
from graphkit.datasets.pyg_class import pyg_class_spec
from graphkit.datasets.saved_graphs import saved_graphs_spec
from graphkit.datasets.trust import verify_mirror
from graphkit.datasets.tu_family import tu_member_spec, tu_path_spec
from graphkit.errors import DatasetError, UnknownNameError
from graphkit.registry import Registry

# (how to name a member, example, what it is), for `graphkit data list --all`.
FAMILIES = (
    ("tu:<NAME>", "tu:NCI109", "any TU dataset (chrsmrrs.github.io/datasets), 10-fold CV; "
                               "mirror tu/<NAME>.zip or the TU server"),
    ("ogb:<name>", "ogb:ogbg-molbbbp", "any OGB ogbg-*/ogbn-*/ogbl-* dataset with its official split; "
                                       "mirror ogb/<name with _>/ or OGB's URL"),
    ("pyg:<module.Class>", "pyg:torch_geometric.datasets.Amazon + data.args: {name: Photo}",
     "any PyG dataset class, data.args passed to it"),
    ("<folder or .zip>", "./my_tu_graphs/", "your TU-format graphs (<NAME>_A.txt, _graph_indicator, "
                                            "_graph_labels, ...)"),
    ("<file.pt>", "./graphs.pt", "your graphs: torch.save([g.to_dict() for g in graphs]), "
                                 "optional graphs.yaml (task, metric, splits)"),
    ("<folder>", "./my_graph/", "your node-level graph: edges.csv, labels.csv, optional features.csv, "
                                "split.csv"),
)
FAMILY_PREFIXES = ("tu:", "ogb:")
OGB_PAPER = "https://arxiv.org/abs/2005.00687"
_TU_NAME = re.compile(r"^[A-Za-z0-9_()+\-]+$")
_OWN_HINT = ("a TU-format folder or .zip, a .pt file of saved graphs, or a folder with "
             f"{EDGES} and {LABELS}")


def _curated_tu(member: str, registry: Registry[DatasetSpec]) -> Optional[DatasetSpec]:
    name = member.lower()
    if name in registry and registry.get(name).source == "TUDataset":
        return registry.get(name)
    return None


def _curated_ogb(member: str, registry: Registry[DatasetSpec]) -> Optional[DatasetSpec]:
    # curated OGB entries drop the ogbg- prefix (molbace) and cite the OGB paper; molhiv is
    # rebuilt from MoleculeNet's CSV, so its source is not OGB's zip but its data is
    for name in (member, member.removeprefix("ogbg-")):
        if name in registry and registry.get(name).citation == OGB_PAPER:
            return registry.get(name)
    return None


def _own_path(name: str, args: dict) -> DatasetSpec:
    path = Path(name).expanduser()
    if not path.exists():
        raise DatasetError(f"{path}: not found; expected {_OWN_HINT}")
    label = f"own:{path.resolve().name or 'data'}"
    if path.is_dir():
        if (path / EDGES).is_file() or (path / LABELS).is_file():
            return edge_list_spec(label, path, args)
        if any(path.glob("*_A.txt")):
            return tu_path_spec(label, path, args)
        raise DatasetError(f"{path}: neither a TU-format folder (<NAME>_A.txt, <NAME>_graph_indicator.txt, "
                           f"<NAME>_graph_labels.txt) nor an edge-list folder ({EDGES}, {LABELS})")
    if path.suffix == ".zip":
        return tu_path_spec(label, path, args)
    if path.suffix == ".pt":
        return saved_graphs_spec(label, path, args)
    raise DatasetError(f"{path}: unknown file type {path.suffix or '(none)'!r}; expected {_OWN_HINT}")


def _looks_like_path(name: str) -> bool:
    return "/" in name or name.startswith((".", "~")) or name.endswith((".zip", ".pt")) or Path(name).exists()


def family_member_spec(name: str, args: dict, registry: Registry[DatasetSpec]) -> DatasetSpec:
    """The spec of family member ``tu:<NAME>`` / ``ogb:<name>``: the curated entry holding
    that dataset, else one built on the fly (no file is read)."""
    if name.startswith("tu:"):
        member = name[3:]
        if not _TU_NAME.match(member):
            raise DatasetError(f"data.name {name!r}: expected tu:<NAME> with a TU dataset name such as tu:NCI109")
        return _curated_tu(member, registry) or tu_member_spec(member, args)
    member = name[4:]
    return _curated_ogb(member, registry) or ogb_member_spec(member)


def resolve_dataset(cfg: DataConfig, registry: Optional[Registry[DatasetSpec]] = None) -> DatasetSpec:
    """The spec ``cfg.name`` stands for (see the module docstring).

    A family member whose files are trusted on first use is checked against its records
    here, on every load, when its source is a mirror.

    Raises:
        UnknownNameError: a bare name that is neither registered nor a path.
        DatasetError: an unknown family member, a missing or malformed path.
    """
    if registry is None:
        from graphkit.datasets import DATASETS

        registry = DATASETS
    name = cfg.name
    if name in registry:
        return registry.get(name)
    if name.startswith(FAMILY_PREFIXES):
        spec = family_member_spec(name, cfg.args, registry)
    elif name.startswith(PYG_PREFIX):
        return pyg_class_spec(name, cfg.args)
    elif _looks_like_path(name):
        return _own_path(name, cfg.args)
    else:
        try:
            return registry.get(name)
        except UnknownNameError as e:
            raise UnknownNameError(f"{e}; or a family member (tu:<NAME>, ogb:<name>, pyg:<module.Class>) or a "
                                   f"path to your own data (graphkit data list --all)") from None
    mirror = resolve_mirror(cfg.mirror)
    if spec.integrity == "trust-on-first-use" and mirror is not None:
        verify_mirror(dataset_dir(resolve_root(cfg.root), spec.name), mirror)
    return spec
