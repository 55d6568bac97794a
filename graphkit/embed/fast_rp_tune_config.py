"""The typed recipe of ``graphkit embed tune [--config FILE.yaml] [key.path=value ...]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from graphkit.embed.embed_recipe_config import EmbedRecipeConfig


@dataclass(frozen=True, kw_only=True)
class FastRPTuneConfig(EmbedRecipeConfig):
    """Optuna search of FastRP's last iteration weight and beta, the FastRP paper's
    protocol (:func:`graphkit.embed.tune_fastrp`).

    Args:
        dataset: a registered dataset; exactly one of ``dataset`` and ``graph``.
        graph: a ``.mat`` file with ``network`` and ``group``.
        trials: Optuna trials (default 20).
        dim: embedding dimension while searching (default 64).
        ratio: train share of each evaluation (default 0.1).
        shuffles: shuffles per evaluation (default 3).
        C: logistic regression inverse regularization (default 0.1).
        objective: ``macro_f1`` (default) or ``micro_f1``.
        seed: seeds the sampler, the projections and the shuffles (default 0).
        tracking: W&B tracking, as ``graphkit train``'s (offline by default).
        plugins: user code imported before the config is typed (:mod:`graphkit.plugins`),
            recorded with each file's sha256.
    """

    trials: int = 20
    dim: int = 64
    ratio: float = 0.1
    shuffles: int = 3
    C: float = 0.1
    objective: Literal["macro_f1", "micro_f1"] = "macro_f1"
