"""TU-format graphs by name (``tu:<NAME>``, any of the ~130 TU datasets) or by path (the
user's own folder or zip in the `TU format <https://chrsmrrs.github.io/datasets/docs/format/>`_).

``tu:<NAME>`` reads ``tu/<NAME>.zip`` from the mirror, else downloads
``https://www.chrsmrrs.com/graphkerneldatasets/<NAME>.zip`` (PyG ``TUDataset``'s source),
trusted on first use (:mod:`graphkit.datasets.trust`). Processing is the curated TU
entries' (:mod:`graphkit.datasets.tu`): PyG's ``TUDataset`` parser, node labels one-hot
(node attributes too with ``data.args.use_node_attr: true``), edge labels / attributes as
``edge_attr``, one-hot degree for graphs without node features, 10-fold stratified CV;
the EHGNN / GIN reference folds (``data.split: ehgnn_folds``) for the datasets that have
them (DD, COLLAB, MUTAG, PROTEINS, IMDB-BINARY, IMDB-MULTI).

A folder or zip given as a path is checked file by file before parsing, so a missing file
or a row count that does not match names the file and what was expected.
"""

from __future__ import annotations

import dataclasses
import shutil
import zipfile
from functools import partial
from pathlib import Path, PurePosixPath

from torch_geometric.datasets import TUDataset

from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.fetch import fetch_file
from graphkit.datasets.fold_files import EHGNN_FOLDS, has_fold_files, read_fold_splits
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import GRAPH_CLASSIFICATION, LoadedDataset
from graphkit.datasets.own_data import OWN_ARGS, build_own_dataset, fingerprint, own_spec
from graphkit.datasets.trust import fetch_trusted
from graphkit.datasets.tu import TU_URL
from graphkit.errors import DatasetError

TU_FORMAT = "https://chrsmrrs.github.io/datasets/docs/format/"
TU_ARGS = OWN_ARGS + ("use_node_attr",)
_SUFFIX = "_A.txt"
# Files with one row per node / per edge (a line of <NAME>_A.txt) / per graph.
_PER_NODE = ("node_labels", "node_attributes")
_PER_EDGE = ("edge_labels", "edge_attributes")
_PER_GRAPH = ("graph_labels", "graph_attributes")


def check_args(args: dict, where: str, valid: tuple[str, ...]) -> dict:
    unknown = sorted(set(args) - set(valid))
    if unknown:
        raise DatasetError(f"data.args: unknown key {unknown[0]!r} for {where}; valid keys: {', '.join(valid)}")
    return dict(args)


def _rows(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip()]


def check_tu_folder(folder: Path, where: str) -> str:
    """Validates the TU files in ``folder``; returns the dataset prefix ``<NAME>``."""
    names = sorted(p.name[: -len(_SUFFIX)] for p in folder.glob(f"*{_SUFFIX}"))
    if len(names) != 1:
        found = "none" if not names else ", ".join(f"{n}{_SUFFIX}" for n in names)
        raise DatasetError(f"{where}: expected exactly one <NAME>{_SUFFIX} with <NAME>_graph_indicator.txt and "
                           f"<NAME>_graph_labels.txt (TU format, {TU_FORMAT}); found {found}")
    name = names[0]

    def file(kind: str) -> Path:
        return folder / f"{name}_{kind}.txt"

    indicator_path = file("graph_indicator")
    if not indicator_path.is_file():
        raise DatasetError(f"{where}: {indicator_path.name} not found; expected one graph id (1-based) per node")
    try:
        indicator = [int(v) for v in _rows(indicator_path)]
        edges = [[int(v) for v in row.split(",")] for row in _rows(file("A"))]
    except ValueError as e:
        raise DatasetError(f"{where}: {indicator_path.name} / {name}{_SUFFIX}: expected integers ({e})") from None
    num_nodes, num_graphs = len(indicator), max(indicator, default=0)
    if any(len(e) != 2 for e in edges):
        raise DatasetError(f"{where}: {name}{_SUFFIX}: expected two node ids 'i, j' per line")
    top = max((max(e) for e in edges), default=1)
    if min((min(e) for e in edges), default=1) < 1 or top > num_nodes:
        raise DatasetError(f"{where}: {name}{_SUFFIX} refers to node {top}; expected 1-based ids up to "
                           f"{num_nodes} (the rows of {indicator_path.name})")
    if not any(file(kind).is_file() for kind in _PER_GRAPH):
        raise DatasetError(f"{where}: {file('graph_labels').name} not found; expected one label per graph "
                           f"({num_graphs} graphs in {indicator_path.name})")
    for kinds, count, what in ((_PER_NODE, num_nodes, f"node ({indicator_path.name})"),
                               (_PER_EDGE, len(edges), f"edge ({name}{_SUFFIX})"),
                               (_PER_GRAPH, num_graphs, "graph")):
        for kind in kinds:
            path = file(kind)
            if path.is_file() and len(_rows(path)) != count:
                raise DatasetError(f"{where}: {path.name} has {len(_rows(path))} rows; expected one per {what}: "
                                   f"{count}")
    return name


def _extract(zip_path: Path, raw_dir: Path, where: str) -> None:
    # TU zips hold <NAME>/<NAME>_*.txt; PyG wants the files directly in <root>/<NAME>/raw.
    raw_dir.mkdir(parents=True)
    try:
        with zipfile.ZipFile(zip_path) as zf:
            for member in zf.namelist():
                if not member.endswith("/") and member.endswith(".txt"):
                    (raw_dir / PurePosixPath(member).name).write_bytes(zf.read(member))
    except zipfile.BadZipFile:
        raise DatasetError(f"{where}: not a valid zip archive; expected a zip of TU-format files ({TU_FORMAT})") \
            from None


def _parse(ctx: LoadContext, staged: Path, where: str, args: dict, tu_name: str | None = None) -> LoadedDataset:
    """Parses the TU files staged in ``staged`` with PyG and builds the dataset; with
    ``tu_name`` and ``data.split: ehgnn_folds``, its splits are the reference fold files."""
    name = check_tu_folder(staged, where)
    root = ctx.work_dir / "tu"
    shutil.copytree(staged, root / name / "raw")
    dataset = TUDataset(str(root), name, use_edge_attr=True, use_node_attr=bool(args.get("use_node_attr")))
    graphs = [dataset[i] for i in range(len(dataset))]
    if tu_name is not None and ctx.split == EHGNN_FOLDS:
        folds = read_fold_splits(lambda f: fetch_file(f, ctx.raw_dir, ctx.mirror), tu_name, len(graphs))
        built = build_own_dataset(dataclasses.replace(ctx, split="given"), graphs, args, where, given=folds)
        built.extra["split_protocol"] = EHGNN_FOLDS
        return built
    return build_own_dataset(ctx, graphs, args, where, given_hint="no split (TU files carry none)")


def _load_member(ctx: LoadContext, tu_name: str, args: dict) -> LoadedDataset:
    path = f"tu/{tu_name}.zip"
    zip_path = fetch_trusted(path, f"{TU_URL}/{tu_name}.zip", ctx.raw_dir.parent, ctx.mirror)
    staged = ctx.work_dir / "staged"
    _extract(zip_path, staged, str(zip_path))
    return _parse(ctx, staged, f"{path} (tu:{tu_name})", args, tu_name)


def tu_member_spec(tu_name: str, args: dict) -> DatasetSpec:
    """``tu:<NAME>`` for a TU dataset that is not curated: files trusted on first use."""
    args = check_args(args, f"tu:{tu_name}", TU_ARGS)
    return DatasetSpec(
        name=f"tu:{tu_name}", task=GRAPH_CLASSIFICATION, metric="accuracy",
        source="TUDataset (family member, not curated)", citation="https://arxiv.org/abs/2007.08663",
        description=f"TU dataset {tu_name} from {TU_URL}/{tu_name}.zip", files=(),
        loader=partial(_load_member, tu_name=tu_name, args=args),
        splits=("cv10", "random", EHGNN_FOLDS) if has_fold_files(tu_name) else ("cv10", "random"),
        integrity="trust-on-first-use", fingerprint=fingerprint([], args) if args else None,
    )


def _load_path(ctx: LoadContext, path: Path, args: dict) -> LoadedDataset:
    if path.is_dir():
        return _parse(ctx, path, str(path), args)
    staged = ctx.work_dir / "staged"
    _extract(path, staged, str(path))
    return _parse(ctx, staged, str(path), args)


def tu_path_spec(name: str, path: Path, args: dict) -> DatasetSpec:
    """The user's TU-format folder or zip at ``path``."""
    args = check_args(args, f"a TU folder or zip ({path})", TU_ARGS)
    if path.is_dir():
        check_tu_folder(path, str(path))
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix == ".txt")
    else:
        files = [path]
    return own_spec(name, "your TU-format files", f"TU-format graphs at {path}",
                    partial(_load_path, path=path, args=args), fingerprint(files, args))
