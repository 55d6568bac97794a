"""The model registry. Each model module is imported and registered explicitly here."""

from __future__ import annotations

from typing import Optional

from torch import nn

from graphkit.config.run_config import ModelConfig
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.errors import ConfigError
from graphkit.models.model_entry import ModelEntry
from graphkit.models.mpnn import CONVS, MPNN, MPNNConfig, build_mpnn
from graphkit.registry import Registry

MODELS: Registry[ModelEntry] = Registry("model")

for _conv in CONVS:
    MODELS.register(_conv, ModelEntry(MPNNConfig, build_mpnn))

# Further models register below, one line each (graph transformers, link predictors...).
from graphkit.models.gae import GAEConfig, build_gae  # noqa: E402
from graphkit.models.ncn import NCNConfig, build_ncn  # noqa: E402

for _ncn in ("ncn", "ncnc", "ncn2"):
    MODELS.register(_ncn, ModelEntry(NCNConfig, build_ncn, levels=("link",)))
MODELS.register("gae", ModelEntry(GAEConfig, build_gae, levels=("link",)))
from graphkit.models.graph_gps import GraphGPSConfig, build_graph_gps  # noqa: E402

MODELS.register("gps", ModelEntry(GraphGPSConfig, build_graph_gps))
from graphkit.models.graph_mamba import GraphMambaConfig, build_graph_mamba  # noqa: E402

MODELS.register("graph_mamba", ModelEntry(GraphMambaConfig, build_graph_mamba))
from graphkit.sparsify.compact_gps import CompactGPSConfig, build_compact_gps  # noqa: E402

MODELS.register("gps_compact", ModelEntry(CompactGPSConfig, build_compact_gps))


def build_model(
    cfg: ModelConfig, dataset: LoadedDataset, out_channels: int, task: Optional[str] = None
) -> nn.Module:
    """The one place where a model config becomes constructor arguments.

    ``task`` is the run's task name (default: the dataset's own); it decides the level
    (link prediction on Cora is a link-level task on a node-classification dataset).
    """
    entry = MODELS.get(cfg.name)
    if (task or dataset.task) == "link_prediction":
        level = "link"
    else:
        level = "graph" if dataset.is_graph_level else "node"
    if level not in entry.levels:
        raise ConfigError(
            f"model {cfg.name!r} does not support {level}-level tasks (dataset {dataset.name}); "
            f"it supports: {', '.join(entry.levels)}"
        )
    try:
        return entry.build(cfg, dataset, out_channels)
    except ValueError as e:
        raise ConfigError(str(e)) from None


__all__ = ["MODELS", "MPNN", "MPNNConfig", "ModelEntry", "build_model"]
