"""What a model needs to know about its data, as plain values that a checkpoint can carry."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Optional

import torch
from torch import Tensor
from torch_geometric.utils import degree

from graphkit.datasets.loaded_dataset import LINK_PREDICTION, LoadedDataset

LEVELS = ("node", "graph", "link", "temporal")


@dataclass(frozen=True)
class ModelInputs:
    """The data-derived sizes every model build reads, instead of the dataset itself.

    nanoGPT saves ``model_args`` beside the weights; this is graphkit's equivalent: with the
    model config it rebuilds the model with no dataset on disk
    (:func:`graphkit.load_model`).

    Args:
        level: ``node``, ``graph``, ``link`` or ``temporal`` (the task level the model is built for).
        out_channels: width of the model output the task expects.
        num_features: input node feature width.
        node_encoder, num_node_types: how ``x`` is embedded (``linear``, ``embedding``,
            ``ogb_atom``) and the vocabulary of ``embedding``.
        edge_encoder, num_edge_features, num_edge_types: the same for ``edge_attr``
            (``edge_encoder`` is ``None`` without edge features).
        rwse_dim: steps of the precomputed RWSE (``data.rwse``), 0 if absent.
        lap_dim: Laplacian eigenvectors in ``data.lap_pe``, 0 if absent.
        num_nodes: nodes of a featureless link graph (one learned vector per node), else None.
        degree_histogram: in-degree histogram of the training graphs (PNA), else None.
    """

    level: str
    out_channels: int
    num_features: int = 0
    node_encoder: str = "linear"
    num_node_types: int = 0
    edge_encoder: Optional[str] = None
    num_edge_features: int = 0
    num_edge_types: int = 0
    rwse_dim: int = 0
    lap_dim: int = 0
    num_nodes: Optional[int] = None
    degree_histogram: Optional[tuple[int, ...]] = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {self.level!r}")

    @property
    def is_graph_level(self) -> bool:
        return self.level == "graph"

    @classmethod
    def from_dataset(cls, dataset: LoadedDataset, out_channels: int, task: Optional[str] = None,
                     with_degree_histogram: bool = False) -> "ModelInputs":
        """Reads the sizes off a loaded dataset; ``task`` is the run's task name (link
        prediction on Cora is link-level on a node dataset)."""
        if (task or dataset.task) == LINK_PREDICTION:
            level = "link"
        else:
            level = "graph" if dataset.is_graph_level else "node"
        sample = dataset.graphs[0] if dataset.is_graph_level else dataset.data
        rwse = getattr(sample, "rwse", None)
        lap = getattr(sample, "lap_pe", None)
        num_nodes = None
        if level == "link" and (getattr(dataset.data, "x", None) is None or dataset.num_features == 0):
            num_nodes = int(dataset.data.num_nodes)
        return cls(
            level=level, out_channels=int(out_channels), num_features=dataset.num_features,
            node_encoder=dataset.node_encoder, num_node_types=dataset.num_node_types,
            edge_encoder=dataset.edge_encoder, num_edge_features=dataset.num_edge_features,
            num_edge_types=dataset.num_edge_types,
            rwse_dim=int(rwse.size(-1)) if rwse is not None else 0,
            lap_dim=int(lap.size(-1)) if lap is not None else 0,
            num_nodes=num_nodes,
            degree_histogram=tuple(_in_degree_histogram(dataset).tolist()) if with_degree_histogram else None,
        )

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        if self.degree_histogram is not None:
            out["degree_histogram"] = list(self.degree_histogram)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelInputs":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown model input field(s): {', '.join(unknown)}")
        data = dict(data)
        if data.get("degree_histogram") is not None:
            data["degree_histogram"] = tuple(int(v) for v in data["degree_histogram"])
        return cls(**data)


def _in_degree_histogram(dataset: LoadedDataset) -> Tensor:
    """In-degree histogram over the training graphs of split 0 (PNA's ``deg``)."""
    graphs = dataset.graphs if dataset.is_graph_level else [dataset.data]
    if dataset.is_graph_level and dataset.splits:
        graphs = [dataset.graphs[int(i)] for i in dataset.splits[0]["train"]]
    hist = torch.zeros(1, dtype=torch.long)
    for g in graphs:
        d = degree(g.edge_index[1], g.num_nodes, dtype=torch.long)
        counts = torch.bincount(d)
        if counts.numel() > hist.numel():
            hist = torch.cat([hist, hist.new_zeros(counts.numel() - hist.numel())])
        hist[: counts.numel()] += counts
    return hist
