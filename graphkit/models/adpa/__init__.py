"""ADPA: Adaptive Directed Pattern Aggregation (Sun et al., ICDE 2024,
https://arxiv.org/abs/2312.04111)."""

from graphkit.models.adpa.adpa import ADPA, ADPAConfig, build_adpa
from graphkit.models.adpa.directed_patterns import DirectedPatternPropagator, pattern_words

__all__ = ["ADPA", "ADPAConfig", "DirectedPatternPropagator", "build_adpa", "pattern_words"]
