"""The protocol a continuous-time link predictor offers to the temporal link-prediction task."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from torch import Tensor


@runtime_checkable
class TemporalLinkModel(Protocol):
    """A model that reads the event stream as it is revealed, batch by batch.

    The task (:class:`graphkit.tasks.temporal_link_prediction.TemporalLinkPredictionTask`)
    scores a batch of candidate links with ``forward`` and only then shows the batch's true
    events with :meth:`observe`; a model keeps nothing else of the stream, so no prediction
    can read an event at or after its own time. ``forward(x, src, dst, t, batch=None) ->
    logits [P]`` scores pairs ``(src[p], dst[p])`` at times ``t[p]`` from node features
    ``x [N, F]`` and what was observed so far; ``batch`` (``(src, dst, t, msg)`` of the batch's
    true events, not yet observed) may be read only for queries at strictly later times: an
    event is then visible to the later events of its own batch, as DyGLib's neighbour sampler
    over the whole stream shows it (the task's ``within_batch`` option).
    """

    def reset_state(self) -> None:
        """Forgets every observed event (start of an epoch or of an evaluation replay)."""

    def detach_state(self) -> None:
        """Cuts the autograd history of the state (between training batches)."""

    def observe(self, src: Tensor, dst: Tensor, t: Tensor, msg: Tensor) -> None:
        """Adds a batch of true events (time order; ``msg [B, D]`` their features)."""
