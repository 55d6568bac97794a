"""The model registry. Each model module is imported and registered explicitly here."""

from __future__ import annotations

from typing import Optional

from torch import nn

from graphkit.config.run_config import ModelConfig
from graphkit.datasets.loaded_dataset import LoadedDataset
from graphkit.errors import ConfigError
from graphkit.models.model_entry import ModelEntry
from graphkit.models.model_inputs import ModelInputs
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

MODELS.register("gps", ModelEntry(GraphGPSConfig, build_graph_gps,
                                  needs_degree_histogram=lambda cfg: cfg.local_conv == "pna"))
from graphkit.models.graph_mamba import GraphMambaConfig, build_graph_mamba  # noqa: E402

MODELS.register("graph_mamba", ModelEntry(GraphMambaConfig, build_graph_mamba))
from graphkit.models.graph_clip import GraphCLIPConfig, build_graph_clip  # noqa: E402

MODELS.register("graphclip", ModelEntry(GraphCLIPConfig, build_graph_clip, levels=("graph",)))
from graphkit.sparsify.compact_gps import CompactGPSConfig, build_compact_gps  # noqa: E402

MODELS.register("gps_compact", ModelEntry(CompactGPSConfig, build_compact_gps))
from graphkit.models.gsm import GSMConfig, build_gsm  # noqa: E402

MODELS.register("gsm", ModelEntry(GSMConfig, build_gsm))


def build_model(cfg: ModelConfig, inputs: ModelInputs) -> nn.Module:
    """The one place where a model config becomes constructor arguments.

    ``inputs`` are the data-derived sizes (:meth:`ModelInputs.from_dataset`, or a
    checkpoint's ``build.inputs``); their ``level`` must be one the model supports.
    """
    entry = MODELS.get(cfg.name)
    if inputs.level not in entry.levels:
        raise ConfigError(
            f"model {cfg.name!r} does not support {inputs.level}-level tasks; "
            f"it supports: {', '.join(entry.levels)}"
        )
    try:
        return entry.build(cfg, inputs)
    except ValueError as e:
        raise ConfigError(str(e)) from None


def build_model_for(cfg: ModelConfig, dataset: LoadedDataset, out_channels: int,
                    task: Optional[str] = None) -> nn.Module:
    """:func:`build_model` with the inputs read off ``dataset`` (scripts and tests)."""
    return build_model(cfg, model_inputs_for(cfg, dataset, out_channels, task))


def model_inputs_for(cfg: ModelConfig, dataset: LoadedDataset, out_channels: int,
                     task: Optional[str] = None) -> ModelInputs:
    """The sizes ``cfg``'s model reads off ``dataset`` (the degree histogram only when the
    model uses it: it walks every training graph)."""
    entry = MODELS.get(cfg.name)
    return ModelInputs.from_dataset(dataset, out_channels, task,
                                    with_degree_histogram=entry.needs_degree_histogram(cfg))


__all__ = ["MODELS", "MPNN", "MPNNConfig", "ModelEntry", "ModelInputs", "build_model", "build_model_for",
           "model_inputs_for"]
