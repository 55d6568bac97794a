"""Graphs in the MATLAB ``.mat`` layout of DeepWalk / node2vec / FastRP (``network``, ``group``),
and the registered BlogCatalog."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from graphkit.datasets.checksums import known_file
from graphkit.datasets.dataset_spec import DatasetSpec
from graphkit.datasets.load_context import LoadContext
from graphkit.datasets.loaded_dataset import NODE_MULTILABEL, LoadedDataset
from graphkit.errors import DatasetError

if TYPE_CHECKING:
    import scipy.sparse as sp
    from torch_geometric.data import Data

BLOGCATALOG_PATH = "node_embedding/blogcatalog.mat"


def read_mat_graph(path: str | Path) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Reads a ``.mat`` graph: ``network`` (adjacency ``[N, N]``) and ``group`` (labels ``[N, C]``).

    Args:
        path: a MATLAB file with variables ``network`` and ``group`` (sparse or dense).

    Returns:
        ``(adjacency, labels)`` as CSR matrices; adjacency keeps the file's weights and
        direction, labels are a 0/1 node-by-label indicator matrix.

    Raises:
        DatasetError: the file is missing, unreadable, or lacks / mis-shapes a variable.
    """
    import scipy.io
    import scipy.sparse as sp
    from scipy.io.matlab import MatReadError

    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"graph file not found: {path}")
    if path.stat().st_size == 0:
        raise DatasetError(f"{path}: empty file, not a .mat graph")
    try:
        mat = scipy.io.loadmat(path)
    # scipy's reader fails on empty, text or truncated files with whatever the parse hit
    except (ValueError, OSError, NotImplementedError, MatReadError, IndexError, TypeError, EOFError,
            KeyError, struct.error, zlib.error) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise DatasetError(f"{path}: not a readable .mat file ({reason}); expected a MATLAB file "
                           f"with variables network and group") from None
    missing = [k for k in ("network", "group") if k not in mat]
    if missing:
        found = sorted(k for k in mat if not k.startswith("__"))
        raise DatasetError(f"{path}: no variable {missing[0]!r} (found: {', '.join(found)})")
    adjacency = sp.csr_matrix(mat["network"])
    labels = sp.csr_matrix(mat["group"])
    n = adjacency.shape[0]
    if adjacency.shape != (n, n):
        raise DatasetError(f"{path}: network must be square, got {adjacency.shape}")
    if labels.shape[0] != n:
        raise DatasetError(f"{path}: group has {labels.shape[0]} rows for {n} nodes")
    return adjacency, labels


def mat_graph_to_data(adjacency: sp.spmatrix, labels: sp.spmatrix) -> Data:
    """PyG graph of a ``.mat`` graph: ``edge_index`` (one column per stored entry,
    ``edge_weight`` when weights are not all 1) and multi-hot float ``y`` ``[N, C]``."""
    import numpy as np
    import scipy.sparse as sp
    import torch
    from torch_geometric.data import Data

    coo = sp.coo_matrix(adjacency)
    edge_index = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
    data = Data(edge_index=edge_index, num_nodes=adjacency.shape[0])
    if not np.all(coo.data == 1):
        data.edge_weight = torch.from_numpy(coo.data.astype(np.float32))
    data.y = torch.from_numpy((labels.toarray() != 0).astype(np.float32))  # [N, C]
    return data


def _load_blogcatalog(ctx: LoadContext) -> LoadedDataset:
    data = mat_graph_to_data(*read_mat_graph(ctx.fetch(BLOGCATALOG_PATH)))
    # No canonical split: the DeepWalk/FastRP protocol draws train ratios at evaluation.
    return LoadedDataset(
        name=ctx.spec.name, task=ctx.spec.task, metric=ctx.spec.metric, data=data, splits=[],
        num_features=0, num_classes=data.y.size(1),
    )


SPECS = (
    DatasetSpec(
        name="blogcatalog",
        task=NODE_MULTILABEL,
        metric="micro_f1",
        source="BlogCatalog (Tang & Liu 2009), DeepWalk's .mat",
        citation="https://arxiv.org/abs/1403.6652",
        description="blogger social network, 39 interest groups (multi-label), no features",
        files=(known_file(
            BLOGCATALOG_PATH,
            "https://raw.githubusercontent.com/phanein/deepwalk/"
            "6e6dff245e4692e9bea47e9017c1034e51afbf29/example_graphs/blogcatalog.mat",
        ),),
        loader=_load_blogcatalog,
        splits=("none",),
        num_graphs=1,
        num_nodes=10312,
        num_edges=667966,
    ),
)
