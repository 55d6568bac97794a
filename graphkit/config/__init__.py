"""Typed run configs, loaded from YAML and overridable from the command line."""

from graphkit.config.loader import apply_overrides, from_dict, load_yaml, parse_override, to_dict
from graphkit.config.run_config import (
    DataConfig,
    ModelConfig,
    OptimConfig,
    PEConfig,
    RunConfig,
    TaskConfig,
    TrackingConfig,
    TrainerConfig,
    WandbConfig,
)

__all__ = [
    "DataConfig", "ModelConfig", "OptimConfig", "PEConfig", "RunConfig", "TaskConfig",
    "TrackingConfig", "TrainerConfig", "WandbConfig",
    "apply_overrides", "from_dict", "load_yaml", "parse_override", "to_dict",
]
