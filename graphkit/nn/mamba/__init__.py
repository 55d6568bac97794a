"""Selective state-space (Mamba) sequence layers over graph tokens, with fused CPU kernels
(``csrc/``, built on first use) and a pure-PyTorch fallback."""

from graphkit.nn.mamba.bi_mamba import BiMamba
from graphkit.nn.mamba.graph_sequence_mamba import GraphSequenceMamba
from graphkit.nn.mamba.mamba_block import MambaBlock
from graphkit.nn.mamba.neighborhood_mamba import NeighborhoodMamba
from graphkit.nn.mamba.neighborhood_tokenizer import NeighborhoodTokenizer
from graphkit.nn.mamba.packed_sequences import PackedSequences
from graphkit.nn.mamba.tokenization_mixture import TokenizationMixture

__all__ = ["BiMamba", "GraphSequenceMamba", "MambaBlock", "NeighborhoodMamba", "NeighborhoodTokenizer", "PackedSequences",
           "TokenizationMixture"]
