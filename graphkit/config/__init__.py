"""Typed run configs, loaded from YAML and overridable from the command line."""

from graphkit.config.loader import (
    ConfigChoices,
    apply_overrides,
    config_choices,
    from_dict,
    load_yaml,
    override_data,
    parse_override,
    set_config_choices,
    to_dict,
)
from graphkit.config.plugin_ref import PluginRef
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
    "ConfigChoices", "config_choices", "set_config_choices",
    "DataConfig", "ModelConfig", "OptimConfig", "PEConfig", "PluginRef", "RunConfig", "TaskConfig",
    "TrackingConfig", "TrainerConfig", "WandbConfig",
    "apply_overrides", "from_dict", "override_data", "load_yaml", "parse_override", "to_dict",
]
