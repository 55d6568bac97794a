"""Unsupervised node embeddings (FastRP, DeepWalk) and the node classification protocol
that scores them."""

from graphkit.embed.adjacency import as_adjacency
from graphkit.embed.deep_walk import DeepWalk
from graphkit.embed.evaluation import evaluate_node_classification
from graphkit.embed.fast_rp import FastRP
from graphkit.embed.tuning import tune_fastrp

__all__ = ["DeepWalk", "FastRP", "as_adjacency", "evaluate_node_classification", "tune_fastrp"]
