"""The config of ``graphkit pretrain``: a run config whose ``task:`` section is GraphCLIP's."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphkit.config.run_config import RunConfig
from graphkit.pretrain.graph_clip_task_config import GraphCLIPTaskConfig


@dataclass(frozen=True)
class PretrainConfig(RunConfig):
    task: GraphCLIPTaskConfig = field(default_factory=GraphCLIPTaskConfig)
