"""Graph transforms: positional / structural encodings applied as cached pre-transforms."""

from graphkit.transforms.add_laplacian_pe import AddLaplacianPE
from graphkit.transforms.encodings import add_encodings
from graphkit.transforms.pe_transform import build_pe_transform

__all__ = ["AddLaplacianPE", "add_encodings", "build_pe_transform"]
