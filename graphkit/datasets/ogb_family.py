"""OGB property-prediction datasets by name: ``ogb:ogbg-*``, ``ogb:ogbn-*``, ``ogb:ogbl-*``
(`Hu et al. 2020 <https://arxiv.org/abs/2005.00687>`_).

Files come from the mirror's OGB layout (``ogb/<name with _>/raw/...``, OGB's zip
unpacked, as for the curated molbace) or from the URL in OGB's ``master.csv``; OGB
publishes no checksums, so each file is trusted on first use
(:mod:`graphkit.datasets.trust`). OGB's own ``Pyg*PropPredDataset`` parses them, with
OGB's official split; task and metric come from ``master.csv``. Molecule datasets use
OGB's atom / bond encoders; other graphs without node features get a constant one.
Heterogeneous graphs (``ogbn-mag``) and non-property tasks (``ogbg-code2``) are refused.
"""

from __future__ import annotations

import shutil
import zipfile
from functools import lru_cache, partial
from pathlib import Path

import pandas as pd
import torch
from torch_geometric.data.data import DataEdgeAttr, DataTensorAttr
from torch_geometric.data.storage import GlobalStorage

from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import (GRAPH_CLASSIFICATION, GRAPH_MULTILABEL, GRAPH_REGRESSION,
                                              LINK_PREDICTION, NODE_CLASSIFICATION, NODE_MULTILABEL,
                                              LoadedDataset)
from graphkit.datasets.trust import fetch_trusted
from graphkit.errors import DatasetError

_KINDS = {"ogbg": "graphproppred", "ogbn": "nodeproppred", "ogbl": "linkproppred"}
_TASKS = {
    ("ogbg", "binary classification"): GRAPH_MULTILABEL,
    ("ogbg", "multiclass classification"): GRAPH_CLASSIFICATION,
    ("ogbg", "regression"): GRAPH_REGRESSION,
    ("ogbn", "multiclass classification"): NODE_CLASSIFICATION,
    ("ogbn", "binary classification"): NODE_MULTILABEL,
    ("ogbl", "link prediction"): LINK_PREDICTION,
}
_METRICS = {"acc": "accuracy"}


@lru_cache(maxsize=None)
def ogb_master(kind: str) -> pd.DataFrame:
    """OGB's ``master.csv`` of one kind (``ogbg``, ``ogbn``, ``ogbl``): one column per dataset."""
    import ogb

    path = Path(ogb.__file__).parent / _KINDS[kind] / "master.csv"
    return pd.read_csv(path, index_col=0, keep_default_na=False)


def ogb_names() -> list[str]:
    return [name for kind in _KINDS for name in ogb_master(kind).columns]


def _meta(ogb_name: str) -> tuple[str, pd.Series]:
    kind = ogb_name.split("-", 1)[0]
    if kind not in _KINDS or ogb_name not in ogb_master(kind).columns:
        raise DatasetError(f"unknown OGB dataset {ogb_name!r}; valid names: {', '.join(ogb_names())}")
    return kind, ogb_master(kind)[ogb_name]


def _stage(ctx: LoadContext, ogb_name: str, meta: pd.Series) -> None:
    """Puts OGB's unpacked folder at ``work_dir/<dir_name>``, every file trusted."""
    dir_name = ogb_name.replace("-", "_")
    target = ctx.work_dir / dir_name
    dataset_dir = ctx.raw_dir.parent
    if ctx.mirror is not None:
        folder = ctx.mirror / "ogb" / dir_name
        if not folder.is_dir():
            raise DatasetError(f"mirror folder not found: {folder}; expected OGB's unpacked layout "
                               f"(raw/, split/, ...); without a mirror it is downloaded from {meta['url']}")
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = file.relative_to(folder)
            local = fetch_trusted(f"ogb/{dir_name}/{relative.as_posix()}", None, dataset_dir, ctx.mirror)
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(local, target / relative)
    else:
        archive = fetch_trusted(f"ogb/{meta['url'].rsplit('/', 1)[-1]}", meta["url"], dataset_dir, None)
        try:
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(ctx.work_dir)
        except zipfile.BadZipFile:
            raise DatasetError(f"{archive}: not a valid zip archive (from {meta['url']})") from None
        shutil.move(ctx.work_dir / meta["download_name"], target)
    # OGB asks interactively whether to re-download a folder that lacks its release marker.
    (target / f"RELEASE_v{meta['version']}.txt").touch()


def _load(ctx: LoadContext, ogb_name: str) -> LoadedDataset:
    kind, meta = _meta(ogb_name)
    _stage(ctx, ogb_name, meta)
    # OGB reloads its own processed file with a bare torch.load, which torch >= 2.6
    # restricts to allow-listed classes; that file was just written by OGB in our work dir.
    with torch.serialization.safe_globals([DataEdgeAttr, DataTensorAttr, GlobalStorage]):
        if kind == "ogbg":
            from ogb.graphproppred import PygGraphPropPredDataset as Dataset
        elif kind == "ogbn":
            from ogb.nodeproppred import PygNodePropPredDataset as Dataset
        else:
            from ogb.linkproppred import PygLinkPropPredDataset as Dataset
        dataset = Dataset(ogb_name, root=str(ctx.work_dir))
    task = ctx.spec.task
    mol = meta.get("data type") == "mol"
    common = dict(name=ctx.spec.name, task=task, metric=ctx.spec.metric, extra={"ogb_name": ogb_name})
    if kind == "ogbl":
        data = dataset[0]
        split = {k: {kk: torch.as_tensor(vv) for kk, vv in v.items()} for k, v in dataset.get_edge_split().items()}
        num_features = int(data.x.size(1)) if data.x is not None else 0
        common["extra"]["edge_split"] = split
        return LoadedDataset(**common, data=data, splits=[], num_features=num_features, num_classes=1)
    split = {k: torch.as_tensor(v, dtype=torch.long).view(-1) for k, v in dataset.get_idx_split().items()}
    graphs = [dataset[i] for i in range(len(dataset))]
    for g in graphs:
        if g.x is None:
            g.x = torch.ones(g.num_nodes, 1)  # no node features: a constant input
        if task in (GRAPH_MULTILABEL, GRAPH_REGRESSION):
            g.y = g.y.float().view(1, -1)  # [1, num_tasks]; NaN marks a missing label
        elif task == NODE_MULTILABEL:
            g.y = g.y.float()
        else:
            g.y = g.y.long().view(-1)
    num_classes = int(meta["num classes"]) if task in (GRAPH_CLASSIFICATION, NODE_CLASSIFICATION) \
        else int(meta["num tasks"])
    sample = graphs[0]
    edge_features = 0 if sample.edge_attr is None else sample.edge_attr.view(sample.edge_index.size(1), -1).size(1)
    encoders = dict(node_encoder="ogb_atom", edge_encoder="ogb_bond", num_edge_features=3, num_features=9) if mol \
        else dict(node_encoder="linear", edge_encoder="linear" if edge_features else None,
                  num_edge_features=edge_features, num_features=sample.x.size(1))
    level = dict(graphs=graphs) if kind == "ogbg" else dict(data=sample)
    return LoadedDataset(**common, **level, splits=[split], num_classes=num_classes, **encoders)


def ogb_member_spec(ogb_name: str) -> DatasetSpec:
    """``ogb:<name>`` for an OGB dataset that is not curated: files trusted on first use."""
    kind, meta = _meta(ogb_name)
    if meta.get("is hetero") == "True":
        raise DatasetError(f"ogb:{ogb_name}: heterogeneous graphs are not supported; graphkit loads homogeneous "
                           f"graph / node property and link prediction datasets")
    if (kind, meta["task type"]) not in _TASKS:
        raise DatasetError(f"ogb:{ogb_name}: task type {meta['task type']!r} is not supported; valid: "
                           f"{', '.join(sorted({t for _, t in _TASKS}))}")
    return DatasetSpec(
        name=f"ogb:{ogb_name}", task=_TASKS[(kind, meta["task type"])],
        metric=_METRICS.get(meta["eval metric"], meta["eval metric"]),
        source=f"OGB (family member, not curated), {meta['split']} split",
        citation="https://arxiv.org/abs/2005.00687",
        description=f"OGB {ogb_name} from {meta['url']}", files=(),
        loader=partial(_load, ogb_name=ogb_name), splits=(meta["split"],),
        integrity="trust-on-first-use",
    )
