"""The composition root: the one module that imports and registers every built-in part.

The tables (:data:`graphkit.models.MODELS`, :data:`graphkit.tasks.TASKS`,
:data:`graphkit.datasets.DATASETS` / ``DATASET_FAMILIES``, :data:`graphkit.text.SUMMARIZERS`)
import nothing of their members; this module fills them with the same decorators a plugin
uses (:mod:`graphkit.plugins`), hands the config loader the tables it resolves
``model.name`` / ``task.name`` with, and imports the installed packages' plugins.

Entry points call :func:`load` (the CLI, :func:`graphkit.train`, :func:`graphkit.load_run`);
it is idempotent. ``graphkit data list`` calls :func:`load_datasets` alone, which imports no
torch: the heavy parts are imported inside :func:`load` for that reason only.
"""

from __future__ import annotations

from graphkit.datasets import citation_full, dyglib, gcl_benchmarks, heterophilous, lrgb, mat_graph, moleculenet
from graphkit.datasets import ogb_graph, ogb_link, planetoid, tag, tag_dblp, tag_webkb, tu, webkb, wikipedia_network, zinc
from graphkit.datasets.dataset_registry import DATASET_FAMILIES, DATASETS

_CURATED_MODULES = (planetoid, webkb, tu, zinc, lrgb, moleculenet, ogb_graph, ogb_link, tag, mat_graph, tag_webkb, tag_dblp,
                    dyglib, gcl_benchmarks, wikipedia_network, heterophilous, citation_full)
_loaded = {"datasets": False, "families": False, "all": False}


def load_datasets() -> None:
    """Registers the curated datasets (static metadata; imports no torch)."""
    if _loaded["datasets"]:
        return
    for module in _CURATED_MODULES:
        for spec in module.SPECS:
            if spec.name not in DATASETS:
                DATASETS.register(spec.name, spec)
    _loaded["datasets"] = True


def load_dataset_families() -> None:
    """Registers the built-in dataset families (``tu:``, ``ogb:``, ``pyg:``); their
    resolvers import PyG, so ``graphkit data list`` without ``--all`` leaves them out."""
    if _loaded["families"]:
        return
    from graphkit.datasets.resolve import BUILTIN_FAMILIES

    for family in BUILTIN_FAMILIES:
        if family.prefix not in DATASET_FAMILIES:
            DATASET_FAMILIES.register(family.prefix, family)
    _loaded["families"] = True


def load() -> None:
    """Registers every built-in part, binds the config tables and imports installed plugins."""
    if _loaded["all"]:
        return
    load_datasets()
    load_dataset_families()
    _register_layers()
    _register_models()
    _register_tasks()
    _register_summarizers()
    _bind_config()
    _loaded["all"] = True
    from graphkit.plugins import load_entry_point_plugins

    load_entry_point_plugins()


def _register_layers() -> None:
    from graphkit.nn.attention.global_models import build_mamba, build_performer, build_transformer
    from graphkit.nn.conv.local_convs import build_gat, build_gatedgcn, build_gcn, build_gine, build_pna
    from graphkit.plugins import register_global_model, register_local_conv

    register_local_conv("gine", inputs=("edge_index", "edge_attr"))(build_gine)
    register_local_conv("gatedgcn", inputs=("edge_index", "edge_attr"), updates_edges=True)(build_gatedgcn)
    register_local_conv("gat", inputs=("edge_index", "edge_attr"))(build_gat)
    register_local_conv("gcn", inputs=("edge_index",))(build_gcn)
    register_local_conv("pna", inputs=("edge_index", "edge_attr"), needs_degrees=True)(build_pna)
    register_global_model("transformer", inputs=("batch", "padded"))(build_transformer)
    register_global_model("performer", inputs=("batch", "padded"))(build_performer)
    register_global_model("mamba", inputs=("edge_index", "batch"))(build_mamba)


def _register_models() -> None:
    from graphkit.models.adpa import ADPAConfig, build_adpa
    from graphkit.models.dir_gnn import DirGNNConfig, build_dir_gnn
    from graphkit.models.ehgnn import EHGNNConfig, build_ehgnn
    from graphkit.models.ehgnn.ehgnn_config import POOLINGS as EHGNN_POOLINGS
    from graphkit.models.gae import GAEConfig, build_gae
    from graphkit.models.gcl_encoder import GCLEncoderConfig, build_gcl_encoder
    from graphkit.models.graph_clip import GraphCLIPConfig, build_graph_clip
    from graphkit.models.graph_gps import GraphGPSConfig, build_graph_gps
    from graphkit.models.graph_mamba import GraphMambaConfig, build_graph_mamba
    from graphkit.models.gsm import GSMConfig, build_gsm
    from graphkit.models.mpnn import CONVS, MPNNConfig, build_mpnn
    from graphkit.models.ncn import NCNConfig, build_ncn
    from graphkit.models.node_pool import NODE_POOLS, NodePoolConfig, build_node_pool
    from graphkit.plugins import register_model
    from graphkit.sparsify.compact_gps import CompactGPSConfig, build_compact_gps

    for conv in CONVS:
        register_model(conv, MPNNConfig)(build_mpnn)
    for ncn in ("ncn", "ncnc", "ncn2"):
        register_model(ncn, NCNConfig, levels=("link",))(build_ncn)
    register_model("gae", GAEConfig, levels=("link",))(build_gae)
    register_model("gps", GraphGPSConfig, needs_degree_histogram=lambda cfg: cfg.local_conv == "pna")(build_graph_gps)
    register_model("graph_mamba", GraphMambaConfig)(build_graph_mamba)
    register_model("graphclip", GraphCLIPConfig, levels=("graph",))(build_graph_clip)
    register_model("gps_compact", CompactGPSConfig)(build_compact_gps)
    register_model("gsm", GSMConfig)(build_gsm)
    for ehgnn in EHGNN_POOLINGS:
        register_model(ehgnn, EHGNNConfig, levels=("graph",))(build_ehgnn)
    for node_pool in NODE_POOLS:
        register_model(node_pool, NodePoolConfig, levels=("graph",))(build_node_pool)
    register_model("gcl_gcn", GCLEncoderConfig, levels=("node",))(build_gcl_encoder)
    register_model("adpa", ADPAConfig, levels=("node",))(build_adpa)
    register_model("dir_gnn", DirGNNConfig, levels=("node",))(build_dir_gnn)
    _register_temporal_models()


def _register_temporal_models() -> None:
    from graphkit.models.temporal.graph_mixer import GraphMixerConfig, build_graph_mixer
    from graphkit.models.temporal.tgn import TGNConfig, build_tgn
    from graphkit.models.temporal.todyformer import TodyformerConfig, build_todyformer
    from graphkit.plugins import register_model

    register_model("tgn", TGNConfig, levels=("temporal",))(build_tgn)
    register_model("graphmixer", GraphMixerConfig, levels=("temporal",))(build_graph_mixer)
    register_model("todyformer", TodyformerConfig, levels=("temporal",))(build_todyformer)


def _register_tasks() -> None:
    from graphkit.datasets.loaded_dataset import (
        GRAPH_CLASSIFICATION,
        GRAPH_MULTILABEL,
        GRAPH_REGRESSION,
        LINK_PREDICTION,
        NODE_CLASSIFICATION,
        NODE_MULTILABEL,
    )
    from graphkit.plugins import register_task
    from graphkit.pretrain.build import build_graphclip
    from graphkit.pretrain.gcl.gcl_task import build_gca, build_grace
    from graphkit.pretrain.gcl.gcl_task_config import GCLTaskConfig
    from graphkit.pretrain.graph_clip_task_config import GraphCLIPTaskConfig
    from graphkit.tasks.builders import build_graph_task, build_node_task
    from graphkit.tasks.graph_task import GraphTaskConfig
    from graphkit.tasks.link_prediction import LinkPredictionTaskConfig, build_link_prediction_task
    from graphkit.tasks.node_task import NodeTaskConfig

    for name in (NODE_CLASSIFICATION, NODE_MULTILABEL):
        register_task(name, NodeTaskConfig)(build_node_task)
    for name in (GRAPH_CLASSIFICATION, GRAPH_MULTILABEL, GRAPH_REGRESSION):
        register_task(name, GraphTaskConfig)(build_graph_task)
    register_task(LINK_PREDICTION, LinkPredictionTaskConfig)(build_link_prediction_task)
    register_task("graphclip", GraphCLIPTaskConfig, pretraining=True)(build_graphclip)
    register_task("grace", GCLTaskConfig, pretraining=True)(build_grace)
    register_task("gca", GCLTaskConfig, pretraining=True)(build_gca)
    _register_temporal_task()


def _register_temporal_task() -> None:
    from graphkit.datasets.loaded_dataset import TEMPORAL_LINK_PREDICTION
    from graphkit.plugins import register_task
    from graphkit.tasks.temporal_link_prediction import (TemporalLinkPredictionTaskConfig,
                                                         build_temporal_link_prediction_task)

    register_task(TEMPORAL_LINK_PREDICTION, TemporalLinkPredictionTaskConfig)(build_temporal_link_prediction_task)


def _register_summarizers() -> None:
    from graphkit.plugins import register_summarizer
    from graphkit.text import generative_summarizer, jsonl_summarizer, template_summarizer

    register_summarizer("template")(template_summarizer)
    register_summarizer("generative")(generative_summarizer)
    register_summarizer("jsonl")(jsonl_summarizer)


def _bind_config() -> None:
    from graphkit.config import ConfigChoices, set_config_choices
    from graphkit.datasets.dataset_task import registered_task
    from graphkit.models import MODELS
    from graphkit.tasks import TASKS

    set_config_choices(ConfigChoices(
        sections={"model": lambda name: MODELS.get(name).config_class,
                  "task": lambda name: TASKS.get(name).config_class},
        dataset_task=registered_task,
    ))


__all__ = ["load", "load_dataset_families", "load_datasets"]
