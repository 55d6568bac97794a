"""A padding-free, time-major layout of variable-length sequences (one per graph)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Optional

import torch
from torch import Tensor


@dataclass(frozen=True)
class PackedSequences:
    """Where each token of a set of variable-length sequences sits in a time-major pack.

    Sequences are sorted by length (longest first) into *lanes*; slot ``offsets[t] + j``
    holds step ``t`` of lane ``j``, and only the ``batch_sizes[t]`` lanes still running at
    step ``t`` have a slot (as in ``torch.nn.utils.rnn.PackedSequence``). A recurrence over
    time then touches the contiguous rows ``offsets[t] : offsets[t] + batch_sizes[t]``,
    whose predecessors are the first ``batch_sizes[t]`` rows of step ``t - 1``: no padding,
    no masking, and one slice per step. Each token has a slot in the forward direction and
    one in the reversed direction (step ``length - 1 - t``), so both directions of a
    bidirectional scan share the same lanes and steps and can be stacked along channels.

    Args:
        batch_sizes: lanes running at each step (non-increasing).
        offsets: first slot of each step.
        forward_slot: slot of each token ``[T]`` (tokens in the caller's order).
        backward_slot: slot of each token in the reversed sequences ``[T]``.
        forward_perm, backward_perm: token held by each slot (inverses of the slots).
        step, lane: step and lane of each slot ``[T]``.

    Shapes:
        ``gather``: ``[T, C]`` (token order) -> ``[T, C]`` (slot order); ``scatter`` back.
    """

    batch_sizes: tuple[int, ...]
    offsets: tuple[int, ...]
    forward_slot: Tensor
    backward_slot: Tensor
    forward_perm: Tensor
    backward_perm: Tensor
    step: Tensor
    lane: Tensor

    @property
    def num_tokens(self) -> int:
        return self.forward_slot.numel()

    @property
    def max_length(self) -> int:
        return len(self.batch_sizes)

    @property
    def num_lanes(self) -> int:
        return self.batch_sizes[0] if self.batch_sizes else 0

    @cached_property
    def step_tensors(self) -> tuple[Tensor, Tensor]:
        """``batch_sizes`` and ``offsets`` as int64 CPU tensors (for the fused kernels),
        built once per layout."""
        return (torch.tensor(self.batch_sizes, dtype=torch.long),
                torch.tensor(self.offsets, dtype=torch.long))

    @staticmethod
    def from_positions(seq: Tensor, pos: Tensor, num_sequences: Optional[int] = None) -> "PackedSequences":
        """Builds the layout from each token's sequence id and position in it.

        Args:
            seq: sequence id of each token ``[T]`` (e.g. PyG's ``batch``).
            pos: position of each token in its sequence ``[T]``; the positions of a
                sequence of length ``n`` must be ``0 .. n-1``.
            num_sequences: number of sequences; inferred from ``seq`` when omitted.
        """
        device = seq.device
        num_tokens = seq.numel()
        if num_sequences is None:
            num_sequences = int(seq.max()) + 1 if num_tokens > 0 else 0
        lengths = torch.bincount(seq, minlength=num_sequences)  # [S]
        by_length = torch.argsort(lengths, descending=True, stable=True)  # lane -> sequence
        lane_of_seq = torch.empty_like(by_length)
        lane_of_seq[by_length] = torch.arange(num_sequences, device=device)
        max_length = int(lengths.max()) if num_tokens > 0 else 0
        steps = torch.arange(max_length, device=device)
        sizes = (lengths.unsqueeze(0) > steps.unsqueeze(1)).sum(dim=1)  # [L]
        offsets = torch.cumsum(sizes, 0) - sizes
        lane = lane_of_seq[seq]
        forward_slot = offsets[pos] + lane
        backward_slot = offsets[lengths[seq] - 1 - pos] + lane
        step = torch.repeat_interleave(steps, sizes)  # [T]
        tokens = torch.arange(num_tokens, device=device)
        slot_lane = tokens - offsets[step]
        forward_perm, backward_perm = torch.empty_like(tokens), torch.empty_like(tokens)
        forward_perm[forward_slot] = tokens
        backward_perm[backward_slot] = tokens
        return PackedSequences(tuple(sizes.tolist()), tuple(offsets.tolist()), forward_slot,
                               backward_slot, forward_perm, backward_perm, step, slot_lane)

    @staticmethod
    def from_mask(mask: Tensor) -> "PackedSequences":
        """Layout of the rows of a padded ``[B, L]`` batch whose ``mask`` (True on real
        tokens, a prefix of each row) selects the tokens, in row-major order."""
        seq, pos = mask.nonzero(as_tuple=True)
        return PackedSequences.from_positions(seq, pos, mask.size(0))

    def gather(self, x: Tensor, reverse: bool = False) -> Tensor:
        """Token-order rows ``[T, C]`` -> slot order (of the reversed sequences if
        ``reverse``)."""
        return x.index_select(0, self.backward_perm if reverse else self.forward_perm)

    def scatter(self, x: Tensor, reverse: bool = False) -> Tensor:
        """Slot-order rows ``[T, C]`` -> token order."""
        return x.index_select(0, self.backward_slot if reverse else self.forward_slot)

    def shift_index(self, k: int) -> Tensor:
        """For each slot, the slot ``k`` steps earlier in the same lane, or ``T`` (meant
        to index an appended zero row) where the lane has no such step."""
        offsets = torch.tensor(self.offsets, device=self.step.device)
        earlier = self.step - k
        valid = earlier >= 0
        src = offsets[earlier.clamp_min(0)] + self.lane
        return torch.where(valid, src, torch.full_like(src, self.num_tokens))

    def padded_index(self) -> Tensor:
        """Flat position ``lane * max_length + step`` of each slot in a ``[lanes, L]``
        grid (for kernels that want padded input; trailing pads only)."""
        return self.lane * self.max_length + self.step
