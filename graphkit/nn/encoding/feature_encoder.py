"""Embeds raw node or edge features into the hidden width, whatever their kind."""

from __future__ import annotations

from typing import Optional


from torch import Tensor, nn


class FeatureEncoder(nn.Module):
    """Maps ``x`` (or ``edge_attr``) of one of the dataset's encoder kinds to ``out_channels``.

    Args:
        kind: ``linear`` (float features, ``in_channels`` wide), ``embedding`` (one integer
            type per row, ``num_types`` values; a trailing singleton dim is allowed),
            ``ogb_atom`` / ``ogb_bond`` (OGB's categorical molecule features, summed
            embeddings as in OGB's ``AtomEncoder``/``BondEncoder``).
        out_channels: output width.
        in_channels: input width for ``linear``.
        num_types: vocabulary size for ``embedding``.

    Shapes:
        input ``[N, in_channels]`` (linear, ogb) or ``[N]`` / ``[N, 1]`` (embedding) ->
        ``[N, out_channels]``
    """

    def __init__(
        self,
        kind: str,
        out_channels: int,
        in_channels: int = 0,
        num_types: int = 0,
    ) -> None:
        super().__init__()
        self.kind = kind
        if kind == "linear":
            self.encoder: nn.Module = nn.Linear(in_channels, out_channels)
        elif kind == "embedding":
            self.encoder = nn.Embedding(num_types, out_channels)
        elif kind == "ogb_atom":
            from ogb.graphproppred.mol_encoder import AtomEncoder

            self.encoder = AtomEncoder(out_channels)
        elif kind == "ogb_bond":
            from ogb.graphproppred.mol_encoder import BondEncoder

            self.encoder = BondEncoder(out_channels)
        else:
            raise ValueError(
                f"unknown encoder kind {kind!r}; valid: linear, embedding, ogb_atom, ogb_bond"
            )

    def forward(self, x: Tensor) -> Tensor:
        if self.kind == "embedding":
            if x.dim() == 2:
                x = x[:, 0]
            return self.encoder(x.long())
        if self.kind in ("ogb_atom", "ogb_bond"):
            return self.encoder(x.long())
        return self.encoder(x.float())

    @staticmethod
    def for_edges(
        kind: Optional[str], out_channels: int, in_channels: int = 0, num_types: int = 0
    ) -> Optional["FeatureEncoder"]:
        """An edge encoder, or ``None`` when the dataset has no edge features."""
        if kind is None:
            return None
        return FeatureEncoder(kind, out_channels, in_channels, num_types)


