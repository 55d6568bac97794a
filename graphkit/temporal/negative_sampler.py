"""DyGLib's negative edge sampling strategies for dynamic link prediction.

Poursafaei et al., "Towards Better Evaluation for Dynamic Link Prediction" (NeurIPS 2022
Datasets and Benchmarks, https://arxiv.org/abs/2207.10128), as implemented by DyGLib's
``NegativeEdgeSampler`` (https://github.com/yule-BUAA/DyGLib, ``utils/utils.py``):

- ``random``: the negative keeps the positive's source; its destination is uniform over the
  destination nodes of the stream (DyGLib's evaluation; the sampled source is discarded).
- ``historical``: uniform without replacement over the distinct edges seen at or before the
  batch's first timestamp, minus the edges occurring in the batch's time range
  ``[t_first, t_last]``; when those are fewer than needed, all of them plus random
  (source, destination) pairs that are not edges of the batch.
- ``inductive``: the same over the historical edges that were not observed during training
  (first seen after ``last_observed_time``).

DyGLib draws the random fill from the Cartesian product of the stream's distinct sources and
destinations minus the batch's edges; rejection sampling from that product gives the same
distribution without materialising it.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch
from torch import Tensor

from graphkit.errors import ConfigError

STRATEGIES = ("random", "historical", "inductive")


class NegativeSampler:
    """One strategy's negatives for the events of a stream.

    Args:
        src, dst, t: the full stream (``[E]`` each, sorted by time).
        strategy: ``random``, ``historical`` or ``inductive``.
        last_observed_time: end of the training time range (``inductive`` only).
        seed: seed of the sampler's own generator (:meth:`reset` restarts it).
    """

    def __init__(self, src: Tensor, dst: Tensor, t: Tensor, *, strategy: str = "random",
                 last_observed_time: Optional[float] = None, seed: int = 0) -> None:
        if strategy not in STRATEGIES:
            raise ConfigError(f"negative sampling strategy {strategy!r}; valid: {', '.join(STRATEGIES)}")
        if strategy == "inductive" and last_observed_time is None:
            raise ConfigError("the inductive negative sampler needs last_observed_time (end of training)")
        self.strategy, self.seed = strategy, seed
        self.unique_src = np.unique(src.numpy())
        self.unique_dst = np.unique(dst.numpy())
        self.num_keys = int(max(self.unique_dst.max(initial=0), self.unique_src.max(initial=0))) + 1
        keys = src.numpy().astype(np.int64) * self.num_keys + dst.numpy().astype(np.int64)
        self._keys, self._t = keys, t.double().numpy()
        # distinct edges ordered by the time they first occur
        uniq, first = np.unique(keys, return_index=True)
        order = np.argsort(first, kind="stable")
        self._first_keys, self._first_time = uniq[order], self._t[first[order]]
        self._observed_end = 0
        if strategy == "inductive":
            self._observed_end = int(np.searchsorted(self._first_time, last_observed_time, side="right"))
        self.reset()

    def reset(self) -> None:
        """Restarts the generator (DyGLib draws every evaluation's negatives afresh from its seed)."""
        self._rng = np.random.RandomState(self.seed)

    def sample(self, src: Tensor, dst: Tensor, t: Tensor) -> tuple[Tensor, Tensor]:
        """(negative sources, negative destinations), one pair per event of the batch
        ``(src, dst, t)`` (events in time order)."""
        size = src.numel()
        if self.strategy == "random":
            pick = self._rng.randint(0, len(self.unique_dst), size)
            return src.clone(), torch.as_tensor(self.unique_dst[pick], dtype=torch.long)
        t_first, t_last = float(t[0]), float(t[-1])
        end = int(np.searchsorted(self._first_time, t_first, side="right"))
        pool = self._first_keys[self._observed_end:end]
        in_range = (self._t >= t_first) & (self._t <= t_last)
        pool = pool[~np.isin(pool, self._keys[in_range])]
        if size <= pool.size:
            keys = pool[self._rng.choice(pool.size, size=size, replace=False)]
        else:
            batch = src.numpy().astype(np.int64) * self.num_keys + dst.numpy().astype(np.int64)
            keys = np.concatenate([self._random_pairs(size - pool.size, batch), pool])
        return (torch.as_tensor(keys // self.num_keys, dtype=torch.long),
                torch.as_tensor(keys % self.num_keys, dtype=torch.long))

    def _random_pairs(self, size: int, batch_keys: np.ndarray) -> np.ndarray:
        """``size`` uniform (source, destination) pairs that are not edges of the batch."""
        out = np.empty(0, dtype=np.int64)
        while out.size < size:
            s = self.unique_src[self._rng.randint(0, len(self.unique_src), 2 * size)]
            d = self.unique_dst[self._rng.randint(0, len(self.unique_dst), 2 * size)]
            keys = s.astype(np.int64) * self.num_keys + d
            out = np.concatenate([out, keys[~np.isin(keys, batch_keys)]])
        return out[:size]
