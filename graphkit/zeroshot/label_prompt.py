"""A learnable prompt on the label side: offsets added to the frozen class-text embeddings."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class LabelPrompt(nn.Module):
    """Class-text embeddings plus a learned offset per class, renormalized (the text
    encoder stays frozen; CoOp's learned label context, applied after the encoder). Starts
    at zero, so it scores as the plain class texts until tuned. It belongs to one dataset's
    classes and does not carry to another's.

    Args:
        class_emb: ``[C, d]`` unit-norm class-text embeddings (kept as a buffer).

    Shapes:
        ``forward()`` -> ``[C, d]`` unit-norm
    """

    def __init__(self, class_emb: Tensor):
        super().__init__()
        self.register_buffer("class_emb", class_emb.detach().clone())
        self.offset = nn.Parameter(torch.zeros_like(class_emb))

    def forward(self) -> Tensor:
        return F.normalize(self.class_emb + self.offset, dim=-1)
