"""DyGLib's chronological split of an event stream, with its new-node (inductive) sets.

Yu et al., "Towards Better Dynamic Graph Learning: New Architecture and Unified Library"
(NeurIPS 2023, https://arxiv.org/abs/2303.13047), ``utils/DataLoader.get_link_prediction_data``
of https://github.com/yule-BUAA/DyGLib, itself TGN's protocol (Rossi et al. 2020):

- ``val_time`` / ``test_time`` are the ``1 - val - test`` and ``1 - test`` quantiles of the
  timestamps; validation holds the events in ``(val_time, test_time]``, test those after
  ``test_time``.
- 10 % of all nodes are drawn (Python ``random`` seeded 2020, as in DyGLib) among the nodes
  active after ``val_time``; every event touching one of them is removed from training,
  which keeps the events up to ``val_time`` that touch none.
- New nodes are all nodes absent from the training events; the inductive validation / test
  sets are the validation / test events with at least one new node.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from graphkit.errors import DatasetError


@dataclass(frozen=True)
class TemporalSplit:
    """Boolean masks over the events of a stream (``[E]`` each) and the split times.

    Args:
        train, valid, test: the transductive sets.
        new_node_valid, new_node_test: the inductive sets (events with a node never seen
            in training).
        new_test_nodes: the held-out node ids (sorted).
        val_time, test_time: last timestamp of training / validation time range.
    """

    train: Tensor
    valid: Tensor
    test: Tensor
    new_node_valid: Tensor
    new_node_test: Tensor
    new_test_nodes: Tensor
    val_time: float
    test_time: float

    def mask(self, split: str) -> Tensor:
        """The mask of ``train`` / ``valid`` / ``test`` / ``new_node_valid`` / ``new_node_test``."""
        return getattr(self, split)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def chronological_split(src: Tensor, dst: Tensor, t: Tensor, *, val_ratio: float = 0.15,
                        test_ratio: float = 0.15, new_node_ratio: float = 0.1, seed: int = 2020) -> TemporalSplit:
    """DyGLib's split of events ``(src[e], dst[e], t[e])`` (sorted by time; see the module).

    Args:
        val_ratio, test_ratio: fractions of the time quantiles (default 0.15 each).
        new_node_ratio: fraction of all nodes held out as new test nodes (default 0.1).
        seed: seed of Python's ``random`` draw of those nodes (DyGLib's 2020).
    """
    if not (0 < val_ratio and 0 < test_ratio and val_ratio + test_ratio < 1):
        raise DatasetError(f"temporal split ratios must be positive and sum below 1; got val {val_ratio}, "
                           f"test {test_ratio}")
    if t.numel() > 1 and bool((t[1:] < t[:-1]).any()):
        raise DatasetError("events must be sorted by timestamp (ts column non-decreasing)")
    src_np, dst_np, t_np = src.numpy(), dst.numpy(), t.double().numpy()
    val_time, test_time = (float(q) for q in np.quantile(t_np, [1 - val_ratio - test_ratio, 1 - test_ratio]))
    node_set = set(src_np) | set(dst_np)
    late = t_np > val_time
    # built exactly as DyGLib builds it, so the set's iteration order (and the draw) match
    test_node_set = set(src_np[late]).union(set(dst_np[late]))
    k = int(new_node_ratio * len(node_set))
    if k > len(test_node_set):
        raise DatasetError(f"cannot hold out {k} new nodes: only {len(test_node_set)} nodes are active after "
                           f"the validation time")
    new_test = random.Random(seed).sample(tuple(test_node_set), k)
    held = torch.zeros(int(max(node_set)) + 1, dtype=torch.bool)
    held[torch.as_tensor(np.asarray(new_test, dtype=np.int64))] = True
    observed = ~held[src] & ~held[dst]
    t64 = t.double()
    train = (t64 <= val_time) & observed
    seen = torch.zeros_like(held)
    seen[src[train]] = True
    seen[dst[train]] = True
    present = torch.zeros_like(held)
    present[src] = True
    present[dst] = True
    new_node = present & ~seen
    touches_new = new_node[src] | new_node[dst]
    valid = (t64 > val_time) & (t64 <= test_time)
    test = t64 > test_time
    return TemporalSplit(
        train=train, valid=valid, test=test, new_node_valid=valid & touches_new,
        new_node_test=test & touches_new, new_test_nodes=torch.as_tensor(sorted(int(v) for v in new_test)),
        val_time=val_time, test_time=test_time,
    )
