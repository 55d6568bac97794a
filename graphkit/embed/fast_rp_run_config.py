"""The typed recipe of ``graphkit embed fastrp [--config FILE.yaml] --out EMB.npy [key.path=value ...]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from graphkit.embed.embed_recipe_config import EmbedRecipeConfig


@dataclass(frozen=True, kw_only=True)
class FastRPRunConfig(EmbedRecipeConfig):
    """A FastRP embedding (`Chen et al. 2019 <https://arxiv.org/abs/1908.11512>`_) of one
    graph, saved as ``.npy`` with its parameters (``<out>.json``).

    Args:
        dataset: a registered dataset (``graphkit data list``); exactly one of
            ``dataset`` and ``graph``.
        graph: a ``.mat`` file with ``network`` and ``group``.
        preset: ``default`` (d 128, weights 0,1,1, beta 0: Neo4j GDS's) or ``paper`` (the
            FastRP paper's BlogCatalog setting, d 512, weights 0,0,1,6.67, beta -0.64);
            fills ``dim``, ``weights`` and ``beta`` left null
            (:mod:`graphkit.embed.fast_rp_presets`).
        dim: embedding dimension (null: the preset's).
        weights: iteration weights alpha_1..alpha_k (null: the preset's).
        beta: normalization strength (null: the preset's).
        projection: ``very_sparse`` (default), ``sparse`` or ``gaussian`` random projection.
        l2_normalize: L2-normalize rows after every iteration (default true).
        self_influence: weight of the projection itself in the sum (default 0).
        property_ratio: share of dimensions projected from node features (default 0; needs
            a dataset with ``x``).
        dtype: ``float32`` (default) or ``float64``.
        seed: random state of the projection (default 0).
        tracking: W&B tracking, as ``graphkit train``'s (offline by default).
        plugins: user code imported before the config is typed (:mod:`graphkit.plugins`),
            recorded with each file's sha256.
    """

    preset: Literal["default", "paper"] = "default"
    dim: Optional[int] = None
    weights: Optional[tuple[float, ...]] = None
    beta: Optional[float] = None
    projection: Literal["very_sparse", "sparse", "gaussian"] = "very_sparse"
    l2_normalize: bool = True
    self_influence: float = 0.0
    property_ratio: float = 0.0
    dtype: Literal["float32", "float64"] = "float32"
