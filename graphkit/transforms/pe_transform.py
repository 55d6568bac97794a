"""The pre-transform of ``DataConfig.pe``: Laplacian PE and random-walk SE per graph."""

from __future__ import annotations

from typing import Optional

from torch_geometric.transforms import AddRandomWalkPE, BaseTransform, Compose

from graphkit.transforms.add_laplacian_pe import AddLaplacianPE


def build_pe_transform(lap_dim: int = 0, rwse_steps: int = 0) -> Optional[BaseTransform]:
    """The pre-transform for ``DataConfig.pe``, or ``None`` when no encoding is asked for.

    ``lap_dim`` adds ``data.lap_pe`` ``[N, lap_dim]`` (:class:`AddLaplacianPE`);
    ``rwse_steps`` adds ``data.rwse`` ``[N, rwse_steps]``, the probability that a random
    walk returns to its start after 1..k steps (PyG's ``AddRandomWalkPE``, whose
    handling of isolated nodes, all zeros, and of small graphs is what we want).
    """
    transforms: list[BaseTransform] = []
    if lap_dim > 0:
        transforms.append(AddLaplacianPE(lap_dim))
    if rwse_steps > 0:
        transforms.append(AddRandomWalkPE(walk_length=rwse_steps, attr_name="rwse"))
    if not transforms:
        return None
    return transforms[0] if len(transforms) == 1 else Compose(transforms)
