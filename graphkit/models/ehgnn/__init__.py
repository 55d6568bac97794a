"""EHGNN: edge representation learning on the dual hypergraph, with HyperDrop and
HyperCluster edge pooling (`Jo et al. 2021 <https://arxiv.org/abs/2106.15845>`_)."""

from graphkit.models.ehgnn.dual_hypergraph_conv import DualHypergraphConv
from graphkit.models.ehgnn.dual_operator import DualOperator
from graphkit.models.ehgnn.ehgnn import EHGNN, build_ehgnn
from graphkit.models.ehgnn.ehgnn_config import EHGNNConfig
from graphkit.models.ehgnn.ehgnn_conv import EHGNNConv
from graphkit.models.ehgnn.hyper_cluster import HyperCluster
from graphkit.models.ehgnn.hyper_drop import HyperDrop

__all__ = ["DualHypergraphConv", "DualOperator", "EHGNN", "EHGNNConfig", "EHGNNConv", "HyperCluster", "HyperDrop",
           "build_ehgnn"]
