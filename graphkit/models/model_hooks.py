"""Optional hooks a model may offer to the trainer and the tasks, declared once.

A model is any ``nn.Module``; these protocols name the extra methods the shared code
looks for, so a researcher's model can offer them knowingly.
"""

from __future__ import annotations

from typing import Iterable, Optional, Protocol, runtime_checkable

from torch import Tensor
from torch_geometric.data import Data


@runtime_checkable
class ParamGroups(Protocol):
    """Own optimizer parameter groups (e.g. a predictor with its own learning rate):
    :func:`graphkit.trainers.optim.build_optimizer` uses them instead of ``parameters()``."""

    def param_groups(self, lr: float) -> Iterable[dict]:
        """``torch.optim`` parameter groups for base learning rate ``lr``."""


@runtime_checkable
class LayerwiseInference(Protocol):
    """Full-graph inference layer by layer in node chunks, for graphs whose activations do
    not fit at once: neighbor-sampled node tasks evaluate through it."""

    def inference(self, data: Data, chunk_size: int) -> Tensor:
        """Model output for every node of ``data``, ``[num_nodes, out_channels]``."""


@runtime_checkable
class ContrastiveEncoder(Protocol):
    """A node encoder with a projection head, as graph contrastive learning trains it
    (GRACE, GCA: :class:`graphkit.models.gcl_encoder.GCLEncoder`)."""

    def encode(self, x: Tensor, edge_index: Tensor, first_product: Optional[Tensor] = None) -> Tensor:
        """Node embeddings ``[N, d]`` of one (augmented) view; ``first_product`` is the
        input layer's ``x @ W`` when the caller has computed it (POT)."""

    def project(self, h: Tensor) -> Tensor:
        """The projection head the contrastive loss reads, ``[N, d] -> [N, d']``."""


@runtime_checkable
class BoundedGCN(Protocol):
    """An encoder of GCN layers ``act(Â H W + b)`` whose output can be bounded over a range
    of graphs (POT's node compactness, :mod:`graphkit.pretrain.gcl.node_compactness`)."""

    def gcn_layers(self) -> list[tuple[Tensor, Tensor]]:
        """``(weight [in, out], bias [out])`` of each layer, input first."""

    def act(self, x: Tensor) -> Tensor:
        """The (leaky-ReLU family) activation after every layer."""

    def negative_slope(self) -> float:
        """The activation's slope below zero (0 for ReLU)."""
