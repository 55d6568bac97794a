"""The typed recipe of ``graphkit embed evaluate [--config FILE.yaml] [key.path=value ...]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from graphkit.embed.embed_recipe_config import EmbedRecipeConfig


@dataclass(frozen=True, kw_only=True)
class EmbedEvaluateConfig(EmbedRecipeConfig):
    """The DeepWalk/FastRP node classification protocol: one-vs-rest logistic regression
    on a share of the labeled nodes, Micro-/Macro-F1 on the rest, mean ± std over shuffles
    (:func:`graphkit.embed.evaluate_node_classification`).

    Args:
        embedding: the ``.npy`` embedding ``[num_nodes, dim]`` (``--embedding``).
        dataset: a registered dataset; exactly one of ``dataset`` and ``graph``.
        graph: a ``.mat`` file with ``network`` and ``group``.
        ratios: train ratios (default 0.1, 0.2, ..., 0.9).
        shuffles: random splits per ratio (default 5).
        preset: ``default`` (C 1.0) or ``paper`` (C 0.1, the FastRP paper's).
        C: logistic regression inverse regularization (null: the preset's).
        standardize: z-score the embedding's columns first (default true).
        jobs: BLAS threads of the logistic regressions (null: all).
        quiet: no progress bar (default false).
        seed: random state of the shuffles (default 0).
        tracking: W&B tracking, as ``graphkit train``'s (offline by default).
        plugins: user code imported before the config is typed (:mod:`graphkit.plugins`),
            recorded with each file's sha256.
    """

    embedding: str
    ratios: tuple[float, ...] = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
    shuffles: int = 5
    preset: Literal["default", "paper"] = "default"
    C: Optional[float] = None
    standardize: bool = True
    jobs: Optional[int] = None
    quiet: bool = False
