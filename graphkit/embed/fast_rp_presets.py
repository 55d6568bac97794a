"""Named settings of ``graphkit embed fastrp`` / ``evaluate`` (``preset:``).

``paper`` is the FastRP paper's BlogCatalog setting (Chen et al. 2019,
https://arxiv.org/abs/1908.11512, Table 5 and the reference code): d = 512, weights
0,0,1,6.67, beta -0.64; logistic regression C = 0.1. ``default`` is Neo4j GDS's FastRP.
Keys a config sets explicitly win over the preset's.
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "default": {"fastrp": {"dim": 128, "weights": (0.0, 1.0, 1.0), "beta": 0.0}, "evaluate": {"C": 1.0}},
    "paper": {"fastrp": {"dim": 512, "weights": (0.0, 0.0, 1.0, 6.67), "beta": -0.64}, "evaluate": {"C": 0.1}},
}
