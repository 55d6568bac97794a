"""Graph transforms: positional / structural encodings applied as cached pre-transforms, and
the dual hypergraph transformation (graph <-> dual hypergraph)."""

from graphkit.transforms.add_dual_incidence import AddDualIncidence
from graphkit.transforms.add_laplacian_pe import AddLaplacianPE
from graphkit.transforms.dual_hypergraph import DualHypergraph, DualHypergraphData
from graphkit.transforms.encodings import add_encodings
from graphkit.transforms.pe_transform import build_pe_transform

__all__ = ["AddDualIncidence", "AddLaplacianPE", "DualHypergraph", "DualHypergraphData", "add_encodings", "build_pe_transform"]
