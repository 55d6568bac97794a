"""Continuous-time link predictors: TGN (memory), GraphMixer (memory-free), Todyformer, on the
:class:`TemporalLinkModel` protocol of the temporal link-prediction task."""

from graphkit.models.temporal.temporal_link_model import TemporalLinkModel

__all__ = ["TemporalLinkModel"]
