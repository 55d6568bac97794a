"""What every dataset loader returns: graphs, splits and the facts models need."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Sequence

if TYPE_CHECKING:
    from torch import Tensor
    from torch_geometric.data import Data

# Task names shared by datasets, tasks and configs.
NODE_CLASSIFICATION = "node_classification"
NODE_MULTILABEL = "node_multilabel"
GRAPH_CLASSIFICATION = "graph_classification"
GRAPH_MULTILABEL = "graph_multilabel"  # several binary tasks with missing labels (NaN), OGB-style
GRAPH_REGRESSION = "graph_regression"
LINK_PREDICTION = "link_prediction"
TEMPORAL_LINK_PREDICTION = "temporal_link_prediction"  # continuous-time event streams


@dataclass
class LoadedDataset:
    """A processed dataset, ready for a task.

    Args:
        name: registry name.
        task: one of the task names above.
        metric: primary metric name (``accuracy``, ``rocauc``, ``ap``, ``mae``, ``hits@20`` ...).
        data: the graph for single-graph (node / link) datasets.
        graphs: the graphs for graph-level datasets (a PyG ``InMemoryDataset`` or list).
        splits: one dict per split index (geom-gcn split, CV fold), mapping
            ``train``/``valid``/``test`` to LongTensors of node or graph indices.
            Link datasets put their edge splits in ``extra['edge_split']`` instead.
        num_features: input node feature width (number of columns of ``x``).
        num_classes: classes (classification), tasks (multi-label / multi-task) or
            targets (regression).
        node_encoder: how ``x`` is to be embedded: ``linear`` (float features),
            ``embedding`` (one integer type per node, ``num_node_types`` values),
            ``ogb_atom`` (OGB's 9 categorical atom features).
        edge_encoder: ``None`` (no edge features), ``linear``, ``embedding``
            (``num_edge_types`` values) or ``ogb_bond``.
        extra: dataset-specific extras (``raw_texts``, ``label_names``, ``edge_split``...).
    """

    name: str
    task: str
    metric: str
    splits: list[dict[str, Tensor]]
    num_features: int
    num_classes: int
    data: Optional[Data] = None
    graphs: Optional[Sequence[Data]] = None
    node_encoder: str = "linear"
    num_node_types: int = 0
    edge_encoder: Optional[str] = None
    num_edge_features: int = 0
    num_edge_types: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_graph_level(self) -> bool:
        return self.graphs is not None
