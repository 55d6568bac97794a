"""Typed configs with their plugins: the one way a command reads a config.

Plugins named in the config (``plugins:``) or on the command line (``--plugin``) are
imported before the config is typed, so ``model.name`` / ``task.name`` can name what they
register; the typed config records each with its file's sha256
(:func:`graphkit.plugins.load_plugins`), and reading a run's config back imports the same
files and refuses changed ones.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Sequence, TypeVar

from graphkit.config import PluginRef, from_dict, load_yaml, override_data, to_dict
from graphkit.errors import ConfigError
from graphkit.plugins import load_plugins

T = TypeVar("T")


def load_config(cls: type[T], source: Any, overrides: Sequence[str] = (), plugins: Sequence[str] = ()) -> T:
    """``cls`` typed from ``source`` (a YAML path, a mapping or a config) with ``overrides``
    (``key.path=value``) applied and ``plugins`` (``--plugin``) imported beside the config's own.

    Relative plugin files are looked up beside the YAML file, then in the working directory.
    """
    base_dirs: list[Path] = []
    if isinstance(source, (str, Path)):
        base_dirs.append(Path(source).resolve().parent)
        source = load_yaml(source)
    data = override_data(source, list(overrides))
    declared = data.get("plugins") if isinstance(data, dict) else None
    # a run's config.yaml holds records ({spec, file, sha256}); a user's config, names
    specs: list = []
    for i, item in enumerate(declared if isinstance(declared, (list, tuple)) else ()):
        if not isinstance(item, (str, dict)):
            raise ConfigError(f"plugins[{i}]: expected a module or file name, got {item!r}")
        specs.append(from_dict(PluginRef, item, f"plugins[{i}]") if isinstance(item, dict) else item)
    specs += list(plugins)
    records = load_plugins(specs, base_dirs)
    has_field = dataclasses.is_dataclass(cls) and any(f.name == "plugins" for f in dataclasses.fields(cls))
    if has_field and (records or "plugins" in data):
        data["plugins"] = [to_dict(r) for r in records]
    return from_dict(cls, data)
