"""Mean ± std over seeds, splits or shuffles: the one aggregation every result file uses."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def mean_std(values: Sequence[float], ddof: int = 1) -> dict[str, float]:
    """``{"mean", "std"}`` of ``values``; the sample std (``ddof=1``) by default, 0 for a
    single value. ``ddof=0`` (population std) is what the DeepWalk/FastRP embedding
    protocol and the link-prediction heuristics table report."""
    values = [float(v) for v in values]
    std = float(np.std(values, ddof=ddof)) if len(values) > ddof else 0.0
    return {"mean": float(np.mean(values)), "std": std}


def aggregate_runs(runs: Sequence[dict[str, Any]], split: str, ddof: int = 1) -> dict[str, dict[str, Any]]:
    """Per metric of ``runs[i][split]``: mean, std (sample std by default, see
    :func:`mean_std`) and the per-run values (``results.json``'s ``val`` / ``test`` sections)."""
    out = {}
    for name in runs[0][split]:
        values = [r[split][name] for r in runs]
        out[name] = {**mean_std(values, ddof), "per_seed": values}
    return out
