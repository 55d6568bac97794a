"""A batch of events of a stream, as the temporal link-prediction task hands it around."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from torch import Tensor


@dataclass(frozen=True)
class EventBatch:
    """Events ``index`` of the stream to score, with their negatives and what comes first.

    Args:
        index: event ids ``[B]`` (time order).
        neg_src, neg_dst: ``[S, B]`` one negative per event and strategy.
        number: the batch's position in its split.
        reset: reset the model's state before this batch.
        history: event ids to observe (unscored) after the reset, before scoring.
        ranked: ``[B, K]`` destinations each event is ranked against (TGB's one-vs-many
            negatives; ``-1`` pads), or ``None``.
    """

    index: Tensor
    neg_src: Tensor
    neg_dst: Tensor
    number: int
    reset: bool = False
    history: Optional[Tensor] = None
    ranked: Optional[Tensor] = None
