"""GSM++'s recurrent mixer: a bidirectional Mamba over several node orderings, mixed per node."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from graphkit.nn.mamba.bi_mamba import BiMamba
from graphkit.nn.mamba.packed_sequences import PackedSequences


class TokenizationMixture(nn.Module):
    """The recurrent block of GSM++ (`Behrouz et al. <https://arxiv.org/abs/2411.15671>`_):
    the nodes, read as ``K`` sequences (one per tokenization), go through one bidirectional
    Mamba shared by the ``K`` sequences; each node weighs its ``K`` outputs with a softmax
    router on its own features, keeping its ``top_k`` best (weights renormalised over them)
    when ``0 < top_k < K``.

    Args:
        channels: hidden width ``C``.
        num_tokenizations: ``K`` (default 1, no router).
        top_k: tokenizations kept per node (0 = all, a soft mixture).
        state_channels, conv_kernel, expand: :class:`MambaBlock` settings.

    Shapes:
        ``x [N, C]``, ``layout`` (:class:`PackedSequences` of ``K * N`` tokens: token
        ``k * N + i`` is node ``i`` in tokenization ``k``) -> ``[N, C]``
    """

    def __init__(self, channels: int, num_tokenizations: int = 1, top_k: int = 0,
                 state_channels: int = 16, conv_kernel: int = 4, expand: int = 1) -> None:
        super().__init__()
        if num_tokenizations < 1 or not 0 <= top_k <= num_tokenizations:
            raise ValueError(f"need num_tokenizations >= 1 and 0 <= top_k <= num_tokenizations, "
                             f"got {num_tokenizations} and {top_k}")
        self.num_tokenizations, self.top_k = num_tokenizations, top_k
        self.mamba = BiMamba(channels, state_channels=state_channels, conv_kernel=conv_kernel,
                             expand=expand)
        self.router = nn.Linear(channels, num_tokenizations) if num_tokenizations > 1 else None

    def forward(self, x: Tensor, layout: PackedSequences) -> Tensor:
        num_nodes = x.size(0)
        tokens = x.repeat(self.num_tokenizations, 1)  # [K N, C], one copy per ordering
        out = self.mamba(tokens, layout=layout).view(self.num_tokenizations, num_nodes, -1)
        if self.router is None:
            return out[0]
        weights = torch.softmax(self.router(x), dim=-1)  # [N, K]
        if 0 < self.top_k < self.num_tokenizations:
            top, index = weights.topk(self.top_k, dim=-1)
            weights = torch.zeros_like(weights).scatter(-1, index, top / top.sum(-1, keepdim=True))
        return torch.einsum("nk,knc->nc", weights, out)

    def extra_repr(self) -> str:
        return f"tokenizations={self.num_tokenizations}, top_k={self.top_k}"
