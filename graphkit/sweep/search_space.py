"""A sweep's search space: ``key.path: {kind: [...]}`` over any key of a typed config."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any, Callable

import optuna

from graphkit.config import from_dict, load_yaml, override_data
from graphkit.errors import ConfigError

KINDS = ("log_uniform", "uniform", "int", "choice")


def _leaf_keys(obj: Any, prefix: str) -> list[str]:
    """Every dotted key under a config dataclass (sections recursed into)."""
    keys = []
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}.{f.name}" if prefix else f.name
        keys += _leaf_keys(value, path) if dataclasses.is_dataclass(value) else [path]
    return keys


@dataclasses.dataclass(frozen=True)
class _Param:
    key: str
    kind: str
    values: tuple  # (low, high) for ranges, the options for choice


class SearchSpace:
    """The parameters a sweep draws, each a dotted key of the base config with a distribution::

        optim.lr: {log_uniform: [1.0e-4, 1.0e-2]}
        model.dropout: {uniform: [0.0, 0.8]}
        model.num_layers: {int: [2, 8]}              # both ends included
        model.global_model: {choice: [transformer, mamba, none]}

    Keys are checked against the typed base config (its model's own config class, so
    ``model.*`` keys are the chosen model's); the ends of every range and each choice are
    typed as the config types them, so a value the config refuses fails here, not in
    trial 7.

    Args:
        params: the space as a mapping (the YAML file's content).
        base: the typed base config the keys belong to (a frozen dataclass, e.g. ``RunConfig``).
        where: what to name in errors (the space file).
    """

    def __init__(self, params: dict[str, Any], base: Any, where: str = "space") -> None:
        if not isinstance(params, dict) or not params:
            raise ConfigError(f"{where}: expected a mapping of config keys to distributions, e.g. "
                              f"'optim.lr: {{log_uniform: [1.0e-4, 1.0e-2]}}'")
        self.where = where
        self.params = tuple(self._parse(key, spec, base) for key, spec in params.items())

    @classmethod
    def from_yaml(cls, path: str | Path, base: Any) -> "SearchSpace":
        return cls(load_yaml(path), base, where=str(path))

    def to_dict(self) -> dict[str, Any]:
        """The YAML form (what :meth:`__init__` reads)."""
        return {p.key: {p.kind: list(p.values)} for p in self.params}

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.params]

    def _parse(self, key: Any, spec: Any, base: Any) -> _Param:
        if not isinstance(key, str):
            raise ConfigError(f"{self.where}: key {key!r} is not a dotted config key")
        self._check_key(key, base)
        if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in KINDS:
            raise ConfigError(f"{self.where}: {key}: expected one of {{{': [...]}, {'.join(KINDS)}: [...]}}, "
                              f"got {spec!r}")
        kind, values = next(iter(spec.items()))
        if not isinstance(values, (list, tuple)) or not values:
            raise ConfigError(f"{self.where}: {key}: {kind} takes a list, got {values!r}")
        values = tuple(values)
        if kind == "choice":
            for v in values:
                if v is not None and not isinstance(v, (bool, int, float, str)):
                    raise ConfigError(f"{self.where}: {key}: choice options must be plain values "
                                      f"(str, int, float, bool, null), got {v!r}")
            if len(set(values)) != len(values):
                raise ConfigError(f"{self.where}: {key}: choice options repeat: {list(values)}")
        else:
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                          for v in values)
            if len(values) != 2 or not numeric:
                raise ConfigError(f"{self.where}: {key}: {kind} takes [low, high] numbers, got {list(values)}")
            low, high = values
            if kind == "int" and not (isinstance(low, int) and isinstance(high, int)):
                raise ConfigError(f"{self.where}: {key}: int takes integer ends, got {list(values)}")
            if not low < high if kind != "int" else not low <= high:
                raise ConfigError(f"{self.where}: {key}: {kind} needs low < high, got {list(values)}")
            if kind == "log_uniform" and low <= 0:
                raise ConfigError(f"{self.where}: {key}: log_uniform needs 0 < low, got {list(values)}")
        param = _Param(key, kind, values)
        for value in values:  # the config types every end / option as it will type a trial's
            try:
                from_dict(type(base), override_data(base, [f"{key}={value!r}"]))
            except ConfigError as e:
                raise ConfigError(f"{self.where}: {key}: value {value!r} is refused by the config: {e}") from None
        return param

    def _check_key(self, key: str, base: Any) -> None:
        node, prefix = base, ""
        for part in key.split("."):
            if isinstance(node, dict):  # a free-form mapping (data.args): any key
                node, prefix = node.get(part), f"{prefix}.{part}" if prefix else part
                continue
            if not dataclasses.is_dataclass(node):
                raise ConfigError(f"{self.where}: {key}: {prefix} is a value, not a section")
            names = [f.name for f in dataclasses.fields(node)]
            if part not in names:
                valid = _leaf_keys(node, prefix)
                raise ConfigError(f"{self.where}: unknown key {key!r}; valid keys"
                                  f"{' under ' + prefix if prefix else ''}: {', '.join(valid)}")
            node, prefix = getattr(node, part), f"{prefix}.{part}" if prefix else part
        if dataclasses.is_dataclass(node):
            raise ConfigError(f"{self.where}: {key} is a section; name one of its keys: "
                              f"{', '.join(_leaf_keys(node, prefix))}")

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        """The trial's value of every parameter (drawn by the study's sampler, or the
        values an enqueued trial fixed)."""
        draw: dict[str, Callable[[_Param], Any]] = {
            "log_uniform": lambda p: trial.suggest_float(p.key, p.values[0], p.values[1], log=True),
            "uniform": lambda p: trial.suggest_float(p.key, p.values[0], p.values[1]),
            "int": lambda p: trial.suggest_int(p.key, p.values[0], p.values[1]),
            "choice": lambda p: trial.suggest_categorical(p.key, list(p.values)),
        }
        return {p.key: draw[p.kind](p) for p in self.params}

    def grid(self) -> dict[str, list]:
        """The grid of ``--sampler grid``: every choice and every integer of an ``int`` range."""
        grid: dict[str, list] = {}
        for p in self.params:
            if p.kind == "choice":
                grid[p.key] = list(p.values)
            elif p.kind == "int":
                grid[p.key] = list(range(p.values[0], p.values[1] + 1))
            else:
                raise ConfigError(f"{self.where}: --sampler grid needs choice or int parameters; "
                                  f"{p.key} is {p.kind} (make it a choice of values)")
        return grid

    def grid_size(self) -> int:
        return math.prod(len(v) for v in self.grid().values())


def overrides_of(params: dict[str, Any]) -> list[str]:
    """``key.path=value`` overrides that set ``params`` (typed back by the config loader)."""
    return [f"{key}={value!r}" for key, value in params.items()]

