"""``data.name`` -> :class:`DatasetSpec`: curated names, dataset families, the user's own data.

In order: a curated (registered) name; a member of a registered dataset family
(``<prefix>:<member>``, :data:`graphkit.datasets.DATASET_FAMILIES`): ``tu:<NAME>`` /
``ogb:<name>``, resolved to the curated entry when one holds that dataset (``tu:MUTAG`` is
``mutag``, with its pinned hashes), else built on the fly with files trusted on first use;
``pyg:<module.Class>`` with ``data.args`` as constructor arguments; a plugin's own family;
a path to a TU-format folder or zip, a ``.pt`` file of saved graphs, or an edge-list folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from graphkit.config import DataConfig
from graphkit.datasets.dataset_family import DatasetFamily
from graphkit.datasets.dataset_registry import DATASET_FAMILIES, DATASETS
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.dyglib import dyglib_member
from graphkit.datasets.edge_list import EDGES, LABELS, edge_list_spec
from graphkit.datasets.fetch import dataset_dir, resolve_mirror, resolve_root
from graphkit.datasets.ogb_family import ogb_member_spec
from graphkit.datasets.pyg_class import pyg_class_spec
from graphkit.datasets.saved_graphs import saved_graphs_spec
from graphkit.datasets.tgb import tgb_member
from graphkit.datasets.trust import verify_mirror
from graphkit.datasets.tu_family import tu_member_spec, tu_path_spec
from graphkit.errors import DatasetError, UnknownNameError
from graphkit.registry import Registry

# (how to name it, example, what it is), for `graphkit data list --all`, after the families.
OWN_DATA_FORMS = (
    ("<folder or .zip>", "./my_tu_graphs/", "your TU-format graphs (<NAME>_A.txt, _graph_indicator, "
                                            "_graph_labels, ...)"),
    ("<file.pt>", "./graphs.pt", "your graphs: torch.save([g.to_dict() for g in graphs]), "
                                 "optional graphs.yaml (task, metric, splits)"),
    ("<folder>", "./my_graph/", "your node-level graph: edges.csv, labels.csv, optional features.csv, "
                                "split.csv"),
)
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


def tu_member(member: str, args: dict, registry: Registry[DatasetSpec]) -> DatasetSpec:
    """``tu:<NAME>``: the curated entry holding that dataset, else one built on the fly."""
    if not _TU_NAME.match(member):
        raise DatasetError(f"data.name 'tu:{member}': expected tu:<NAME> with a TU dataset name such as tu:NCI109")
    return _curated_tu(member, registry) or tu_member_spec(member, args)


def ogb_member(member: str, args: dict, registry: Registry[DatasetSpec]) -> DatasetSpec:
    """``ogb:<name>``: the curated entry holding that dataset, else one built on the fly."""
    return _curated_ogb(member, registry) or ogb_member_spec(member)


def pyg_member(member: str, args: dict, registry: Registry[DatasetSpec]) -> DatasetSpec:
    """``pyg:<module.Class>`` with ``data.args`` as the class's constructor arguments."""
    return pyg_class_spec(f"pyg:{member}", args)


# The built-in families, registered by graphkit.catalog beside the curated datasets.
BUILTIN_FAMILIES = (
    DatasetFamily("tu", tu_member, "tu:NCI109", "any TU dataset (chrsmrrs.github.io/datasets), 10-fold CV; "
                                                "mirror tu/<NAME>.zip or the TU server", member="NAME"),
    DatasetFamily("ogb", ogb_member, "ogb:ogbg-molbbbp", "any OGB ogbg-*/ogbn-*/ogbl-* dataset with its "
                                                         "official split; mirror ogb/<name with _>/ or OGB's URL",
                  member="name"),
    # the task of a PyG class is known once its data is loaded
    DatasetFamily("pyg", pyg_member, "pyg:torch_geometric.datasets.Amazon + data.args: {name: Photo}",
                  "any PyG dataset class, data.args passed to it", task_known_early=False,
                  member="module.Class"),
    DatasetFamily("dyglib", dyglib_member, "dyglib:uci", "continuous-time event stream in DyGLib's ml_<name>.csv "
                                                         "layout; mirror dyglib/<name>/ or data.args.dir",
                  member="name"),
    DatasetFamily("tgb", tgb_member, "tgb:tgbl-wiki", "Temporal Graph Benchmark tgbl-* link dataset with its published "
                                                      "negatives (MRR); mirror tgb/<zip>, TGB's server or data.args.dir",
                  member="name"),
)


def family_of(name: object) -> Optional[DatasetFamily]:
    """The registered family whose prefix ``name`` starts with (``tu:NCI1`` -> ``tu``)."""
    if not isinstance(name, str) or ":" not in name:
        return None
    prefix = name.split(":", 1)[0]
    return DATASET_FAMILIES.get(prefix) if prefix in DATASET_FAMILIES else None


def family_member_spec(name: str, args: dict, registry: Registry[DatasetSpec]) -> DatasetSpec:
    """The spec of family member ``<prefix>:<member>`` (no file is read)."""
    family = family_of(name)
    if family is None:
        raise UnknownNameError(f"{name!r} names no registered dataset family; valid: "
                               f"{', '.join(DATASET_FAMILIES.get(p).pattern for p in DATASET_FAMILIES.names())}")
    return family.resolve(name.split(":", 1)[1], args, registry)


def resolve_dataset(cfg: DataConfig, registry: Optional[Registry[DatasetSpec]] = None) -> DatasetSpec:
    """The spec ``cfg.name`` stands for (see the module docstring).

    A family member whose files are trusted on first use is checked against its records
    here, on every load, when its source is a mirror.

    Raises:
        UnknownNameError: a bare name that is neither registered nor a path.
        DatasetError: an unknown family member, a missing or malformed path.
    """
    if registry is None:
        registry = DATASETS
    name = cfg.name
    if name in registry:
        return registry.get(name)
    if family_of(name) is not None:
        spec = family_member_spec(name, cfg.args, registry)
    elif _looks_like_path(name):
        return _own_path(name, cfg.args)
    else:
        try:
            return registry.get(name)
        except UnknownNameError as e:
            families = ", ".join(DATASET_FAMILIES.get(p).pattern for p in DATASET_FAMILIES.names())
            raise UnknownNameError(f"{e}; or a family member ({families}) or a "
                                   f"path to your own data (graphkit data list --all)") from None
    mirror = resolve_mirror(cfg.mirror)
    if spec.integrity == "trust-on-first-use" and mirror is not None:
        verify_mirror(dataset_dir(resolve_root(cfg.root), spec.name), mirror)
    return spec


def dataset_slug(name: str) -> str:
    """A folder name for a dataset name or path (``tag:cora`` -> ``tag-cora``, ``./my_graph/`` -> ``my_graph``)."""
    return name.replace(":", "-").replace("/", "-").strip("-.") or "dataset"
