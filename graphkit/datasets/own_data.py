"""The user's own graphs -> :class:`LoadedDataset`: level, task, metric and splits.

Shared by every bring-your-own path (TU folder or zip, ``pyg:<class>``, a saved list of
graphs, an edge-list folder). The level is read from the labels (one per node of a
single graph: node level; one per graph: graph level). The task is inferred when the
labels leave one choice, otherwise ``data.args.task`` must name it:

- integer labels, one column: ``*_classification``; integer 0/1 columns: ``*_multilabel``;
- float labels with fractional values: ``graph_regression``; float 0/1/NaN columns:
  ``*_multilabel``; float labels that are all whole numbers are ambiguous at graph
  level (classes or regression targets?) and need ``data.args.task``.

Split protocols (``data.split``): ``given`` (the split the data carries), ``cv10`` (10
folds, stratified for single-label classes, as the TU benchmarks; fold ``i`` tests,
fold ``i-1`` validates), ``random`` (10 seeded 60/20/20 splits), ``default``: ``given`` when the data carries a
split, else ``cv10``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np
import torch
from sklearn.model_selection import KFold
from torch import Tensor
from torch_geometric.data import Data

from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.fetch import sha256sum
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import (GRAPH_CLASSIFICATION, GRAPH_MULTILABEL, GRAPH_REGRESSION,
                                              NODE_CLASSIFICATION, NODE_MULTILABEL, LoadedDataset)
from graphkit.datasets.splits import CV_SEED, random_splits, stratified_kfold_splits
from graphkit.datasets.tu import one_hot_degree
from graphkit.errors import DatasetError

OWN_SPLITS = ("default", "given", "cv10", "random")
LEVEL_TASKS = {
    "node": (NODE_CLASSIFICATION, NODE_MULTILABEL),
    "graph": (GRAPH_CLASSIFICATION, GRAPH_MULTILABEL, GRAPH_REGRESSION),
}
DEFAULT_METRIC = {
    NODE_CLASSIFICATION: "accuracy", NODE_MULTILABEL: "rocauc", GRAPH_CLASSIFICATION: "accuracy",
    GRAPH_MULTILABEL: "rocauc", GRAPH_REGRESSION: "mae",
}
# data.args keys graphkit reads itself; pyg:<class> passes every other key to the class.
OWN_ARGS = ("task", "metric")


def own_spec(name: str, source: str, description: str, loader: Callable[[LoadContext], LoadedDataset],
             fingerprint: str) -> DatasetSpec:
    """Spec of the user's own data; task and metric are known only once it is loaded."""
    return DatasetSpec(
        name=name, task="inferred", metric="inferred", source=source, citation="",
        description=description, files=(), loader=loader, splits=OWN_SPLITS,
        integrity="local", fingerprint=fingerprint,
    )


def fingerprint(paths: Sequence[Path], options: dict) -> str:
    """Digest of the files' names and contents plus the options: an edit re-processes."""
    digest = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode())
    for path in paths:
        digest.update(f"{path.resolve()}\0{sha256sum(path)}\0".encode())
    return digest.hexdigest()[:16]


def _float_is_binary(y: Tensor) -> bool:
    known = y[~torch.isnan(y)]
    return bool(((known == 0) | (known == 1)).all())


def _infer_task(level: str, y: Tensor, where: str) -> str:
    """``y`` is ``[items, columns]``; see the module docstring for the rules."""
    columns = y.size(1)
    ask = f"; set data.args.task to one of {', '.join(LEVEL_TASKS[level])}"
    if not y.is_floating_point():
        if columns == 1:
            return f"{level}_classification"
        if bool(((y == 0) | (y == 1)).all()):
            return f"{level}_multilabel"
        raise DatasetError(f"{where}: integer labels with {columns} columns that are not 0/1{ask}")
    if columns > 1 and _float_is_binary(y):
        return f"{level}_multilabel"
    whole = bool((y[~torch.isnan(y)] == y[~torch.isnan(y)].round()).all())
    if level == "node":
        if columns == 1 and whole:
            return NODE_CLASSIFICATION
        raise DatasetError(f"{where}: node labels are fractional (regression), which node tasks do not "
                           f"support{ask}")
    if whole and columns == 1:
        raise DatasetError(f"{where}: float labels with whole values could be classes or regression "
                           f"targets{ask}")
    return GRAPH_REGRESSION


def _check_graph(g: Data, where: str) -> None:
    """One line naming what is wrong with a user's graph, before anything indexes with it."""
    for key in ("x", "edge_index", "edge_attr", "y"):
        value = g[key] if key in g else None
        if value is not None and not isinstance(value, Tensor):
            raise DatasetError(f"{where}: {key} is a {type(value).__name__}; expected a tensor")
    ei = g.edge_index
    if ei is None:
        raise DatasetError(f"{where}: has no edge_index; expected a tensor of shape [2, num_edges]")
    if ei.dim() == 2 and ei.size(1) == 2 and ei.size(0) != 2:
        raise DatasetError(f"{where}: edge_index has shape {list(ei.shape)}, one edge per row; expected "
                           f"[2, num_edges] (transpose it: edge_index.t())")
    if ei.dim() != 2 or ei.size(0) != 2:
        raise DatasetError(f"{where}: edge_index has shape {list(ei.shape)}; expected [2, num_edges]")
    if ei.is_floating_point() or ei.is_complex() or ei.dtype == torch.bool:
        frac = (ei != ei.round()).nonzero() if ei.is_floating_point() else ei.new_zeros(0, 2)
        if len(frac):
            r, c = frac[0].tolist()
            raise DatasetError(f"{where}: edge_index[{r}, {c}] is {float(ei[r, c])}; expected integer node ids")
        raise DatasetError(f"{where}: edge_index has dtype {ei.dtype}; expected integer node ids (torch.long)")
    n = g.num_nodes
    if g.x is not None and (g.x.dim() == 0 or g.x.size(0) != n):
        raise DatasetError(f"{where}: x has {g.x.size(0) if g.x.dim() else 0} rows, expected one per node ({n})")
    if ei.numel():
        bad = ((ei < 0) | (ei >= n)).nonzero()
        if len(bad):
            r, c = bad[0].tolist()
            raise DatasetError(f"{where}: edge_index[{r}, {c}] is node {int(ei[r, c])}; expected node ids "
                               f"0..{n - 1}")
    if g.y is None:
        raise DatasetError(f"{where}: has no labels y")


def _level(graphs: Sequence[Data], where: str) -> str:
    if len(graphs) == 0:
        raise DatasetError(f"{where}: holds no graphs")
    first = graphs[0]
    if len(graphs) == 1 and first.y is not None and first.y.dim() > 0 and first.y.size(0) == first.num_nodes \
            and first.num_nodes > 1:
        return "node"
    return "graph"


def kfold_splits(num_items: int, labels: Optional[Tensor], num_folds: int = 10) -> list[dict[str, Tensor]]:
    """``num_folds`` CV splits (fold ``i`` tests, ``i-1`` validates), stratified by
    ``labels`` when given (:func:`stratified_kfold_splits`), else plain shuffled folds."""
    if labels is not None:
        return stratified_kfold_splits(labels.tolist(), num_folds)
    folds = KFold(num_folds, shuffle=True, random_state=CV_SEED).split(np.zeros(num_items))
    tests = [torch.from_numpy(idx).long() for _, idx in folds]
    splits = []
    for i in range(num_folds):
        train = torch.ones(num_items, dtype=torch.bool)
        train[tests[i]] = False
        train[tests[i - 1]] = False
        splits.append({"train": train.nonzero().view(-1), "valid": tests[i - 1], "test": tests[i]})
    return splits


def _splits(protocol: str, given: Optional[list[dict]], num_items: int, labels: Optional[Tensor],
            where: str, given_hint: str) -> tuple[str, list[dict[str, Tensor]]]:
    if protocol == "default":
        protocol = "given" if given else "cv10"
    if protocol == "given":
        if not given:
            raise DatasetError(f"{where}: data.split=given but the data carries no split; expected "
                               f"{given_hint} (or use data.split=cv10 / random)")
        splits = []
        for i, split in enumerate(given):
            missing = [k for k in ("train", "valid", "test") if k not in split]
            if missing:
                raise DatasetError(f"{where}: given split {i} has no {missing[0]!r} indices; expected "
                                   f"train, valid and test")
            out = {k: torch.as_tensor(split[k], dtype=torch.long).view(-1) for k in ("train", "valid", "test")}
            for k, idx in out.items():
                if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= num_items):
                    raise DatasetError(f"{where}: given split {i} {k} index {int(idx.max())} out of range; "
                                       f"expected 0..{num_items - 1}")
            splits.append(out)
        return protocol, splits
    if protocol == "cv10":
        try:
            return protocol, kfold_splits(num_items, labels)
        except ValueError as e:
            raise DatasetError(f"{where}: {num_items} items cannot be split into 10 folds ({e}); "
                               f"use data.split=random") from None
    return protocol, random_splits(num_items)


def build_own_dataset(ctx: LoadContext, graphs: list[Data], options: dict, where: str,
                      given: Optional[list[dict]] = None, given_hint: str = "a split") -> LoadedDataset:
    """Checks ``graphs``, infers level, task and metric, normalises labels and features,
    and computes the requested splits.

    Args:
        ctx: the load context (its ``split`` picks the protocol).
        graphs: one graph with a label per node (node level) or labelled graphs.
        options: ``data.args`` (``task`` and ``metric`` are read here).
        where: the file or folder the graphs came from, named in every error.
        given: the split(s) the data carries, as index lists, or ``None``.
        given_hint: what a given split would look like, for the error when it is absent.
    """
    level = _level(graphs, where)
    for i, g in enumerate(graphs):
        _check_graph(g, where if level == "node" else f"{where} (graph {i})")
    if level == "node":
        y = graphs[0].y.view(graphs[0].num_nodes, -1)  # [N, columns]
    else:
        sizes = {g.y.numel() for g in graphs}
        if len(sizes) != 1:
            raise DatasetError(f"{where}: graphs have {sorted(sizes)} label values each; expected the same "
                               f"number for every graph")
        y = torch.cat([g.y.reshape(1, -1) for g in graphs])  # [G, columns]
    task = options.get("task") or _infer_task(level, y, where)
    if task not in LEVEL_TASKS[level]:
        raise DatasetError(f"{where}: data.args.task {task!r} does not fit {level}-level data; valid options: "
                           f"{', '.join(LEVEL_TASKS[level])}")
    metric = options.get("metric") or DEFAULT_METRIC[task]
    classification = task.endswith("_classification")
    if classification:
        if y.size(1) != 1:
            raise DatasetError(f"{where}: {task} needs one label per item, got {y.size(1)} columns")
        labels = y.view(-1).long()
        if level == "node" and int(labels.min()) < 0:
            # -1 often marks "unlabelled"; renumbering would make it a class of its own
            node = int((labels < 0).nonzero()[0])
            raise DatasetError(f"{where}: node {node} has label {int(labels[node])}; expected class ids "
                               f">= 0 for every node (unlabelled nodes are not supported: give them any class "
                               f"id and leave them out of the split)")
        if y.is_floating_point() and not torch.equal(y.view(-1), y.view(-1).round()):
            item = int((y.view(-1) != y.view(-1).round()).nonzero()[0])
            raise DatasetError(f"{where}: label {float(y.view(-1)[item])} of item {item} is not a class id; "
                               f"expected integer class ids for {task}")
        if int(labels.min()) < 0:
            labels = labels.unique(sorted=True, return_inverse=True)[1]  # e.g. TU's -1/1 labels
        num_classes = int(labels.max()) + 1
    else:
        labels = y.float()
        num_classes = y.size(1)
    graphs = [g.clone() for g in graphs]
    if level == "node":
        graphs[0].y = labels
    else:
        for i, g in enumerate(graphs):
            g.y = labels[i:i + 1] if classification else labels[i:i + 1].view(1, -1)
    derived = any(g.x is None for g in graphs)
    if derived:
        graphs = one_hot_degree(graphs)  # no features: one-hot degree, as for TU social graphs
    for g in graphs:
        g.x = g.x.view(g.num_nodes, -1).float()
        if g.edge_attr is not None:
            g.edge_attr = g.edge_attr.view(g.edge_index.size(1), -1).float()
    num_items = graphs[0].num_nodes if level == "node" else len(graphs)
    protocol, splits = _splits(ctx.split, given, num_items, labels if classification else None, where,
                               given_hint)
    edge_features = graphs[0].edge_attr.size(1) if graphs[0].edge_attr is not None else 0
    return LoadedDataset(
        name=ctx.spec.name, task=task, metric=metric, splits=splits,
        num_features=graphs[0].x.size(1), num_classes=num_classes,
        data=graphs[0] if level == "node" else None, graphs=graphs if level == "graph" else None,
        edge_encoder="linear" if edge_features else None, num_edge_features=edge_features,
        extra={"split_protocol": protocol, "source_path": where,
               **({"features": "one-hot degree (the data has no node features)"} if derived else {})},
    )
