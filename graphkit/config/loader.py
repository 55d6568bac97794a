"""Typed loading of frozen-dataclass configs from plain data (YAML) and CLI overrides.

Unknown keys and wrong types raise :class:`ConfigError` naming the key path and the
valid options. A dataclass with a ``choice_of`` class attribute is polymorphic: its
``name`` key picks the concrete dataclass through :class:`ConfigChoices` (models and tasks
use this so each has its own typed options); a polymorphic class whose ``name`` has a
default uses that default when the key is absent. A dataclass that defines
``prepare(data, choices) -> data`` sees its raw mapping first (``RunConfig`` fills
``task.name`` from the dataset's task).

The config layer imports no registry: the tables that resolve names are handed to it as a
:class:`ConfigChoices`, per call or once by the composition root
(:func:`set_config_choices`, called by :func:`graphkit.catalog.load`).
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal, Optional, TypeVar, Union, get_args, get_origin

import yaml

from graphkit.errors import ConfigError, UnknownNameError

T = TypeVar("T")


@dataclass(frozen=True)
class ConfigChoices:
    """What typed loading needs from the registries, handed in rather than imported.

    Args:
        sections: polymorphic section kind (a class's ``choice_of``: ``model``, ``task``)
            -> ``name -> config class`` (raises :class:`UnknownNameError` listing the
            valid names).
        dataset_task: ``data.name`` -> the task a registered dataset stands for, or
            ``None`` when only loading the data tells.
    """

    sections: dict[str, Callable[[str], type]]
    dataset_task: Callable[[object], Optional[str]] = lambda name: None

    def config_class(self, kind: str, name: object, where: str) -> type:
        if not isinstance(name, str):
            raise ConfigError(f"{where}.name: expected str, got {name!r}")
        if kind not in self.sections:
            raise ConfigError(f"{where}: no {kind} table was handed to the config loader")
        try:
            return self.sections[kind](name)
        except UnknownNameError as e:
            raise ConfigError(f"{where}.name: {e}") from None


_default_choices: Optional[ConfigChoices] = None


def set_config_choices(choices: ConfigChoices) -> None:
    """Sets the tables used when a call passes no ``choices`` (the composition root's)."""
    global _default_choices
    _default_choices = choices


def config_choices() -> Optional[ConfigChoices]:
    return _default_choices


def _type_name(tp: Any) -> str:
    if get_origin(tp) is Literal:
        return " | ".join(repr(a) for a in get_args(tp))
    if get_origin(tp) in (Union, types.UnionType):
        return " | ".join(_type_name(a) for a in get_args(tp))
    if get_origin(tp) is tuple:
        return f"list of {_type_name(get_args(tp)[0])}"
    if tp is type(None):
        return "null"
    return getattr(tp, "__name__", str(tp))


def _convert(tp: Any, value: Any, path: str, choices: Optional[ConfigChoices]) -> Any:
    origin = get_origin(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        for arg in get_args(tp):
            try:
                return _convert(arg, value, path, choices)
            except ConfigError:
                continue
        raise ConfigError(f"{path}: expected {_type_name(tp)}, got {value!r}")
    if tp is type(None):
        if value is None:
            return None
        raise ConfigError(f"{path}: expected null, got {value!r}")
    if origin is Literal:
        if value in get_args(tp):
            return value
        raise ConfigError(f"{path}: invalid value {value!r}; valid options: {_type_name(tp)}")
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{path}: expected a list, got {value!r}")
        (item,) = get_args(tp)[:1]
        return tuple(_convert(item, v, f"{path}[{i}]", choices) for i, v in enumerate(value))
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value, path, choices)
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # YAML's .nan / .inf pass every `x <= 0` check and fail much later, if at all
            if not math.isfinite(value):
                raise ConfigError(f"{path}: expected a finite number, got {value!r}")
            return float(value)
        if isinstance(value, str) and value.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
            # `--text-prior nan` arrives as the text 'nan' (no Python literal spells it)
            raise ConfigError(f"{path}: expected a finite number, got {value!r}")
    elif tp is str:
        if isinstance(value, str):
            return value
    else:  # pragma: no cover - schema bug, not user error
        raise TypeError(f"unsupported config type {tp!r} at {path}")
    raise ConfigError(f"{path}: expected {_type_name(tp)}, got {value!r} ({type(value).__name__})")


def from_dict(cls: type[T], data: Any, path: str = "", choices: Optional[ConfigChoices] = None) -> T:
    """Builds dataclass ``cls`` from a mapping, rejecting unknown keys and wrong types.

    ``choices`` resolve polymorphic sections (``model``, ``task``); default the ones the
    composition root set (:func:`set_config_choices`)."""
    where = path or "config"
    choices = choices or _default_choices
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping, got {data!r}")
    prepare = getattr(cls, "prepare", None)
    if prepare is not None:
        data = prepare(data, choices)
    kind = getattr(cls, "choice_of", None)
    if kind is not None:
        name_field = next(f for f in dataclasses.fields(cls) if f.name == "name")
        if "name" not in data and name_field.default is dataclasses.MISSING:
            raise ConfigError(f"{where}.name is required")
        name = data.get("name", name_field.default)
        if name is not None:  # a null name (the dataset's task) stays the base class
            if choices is None:
                raise ConfigError(f"{where}.name {name!r}: no {kind} table was handed to the config loader "
                                  f"(call graphkit.catalog.load() first)")
            cls = choices.config_class(kind, name, where)
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}; valid keys: {', '.join(sorted(fields))}"
        )
    kwargs = {}
    for name, f in fields.items():
        key = f"{path}.{name}" if path else name
        if name in data:
            kwargs[name] = _convert(hints[name], data[name], key, choices)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{key} is required")
    try:
        obj = cls(**kwargs)
    except (ValueError, TypeError) as e:
        raise ConfigError(f"{where}: {e}") from None
    return obj


def to_dict(obj: Any) -> Any:
    """Plain-data (YAML-safe) form of a config dataclass."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    return obj


def parse_override(text: str) -> tuple[list[str], Any]:
    """``"optim.lr=1e-3"`` -> (["optim", "lr"], 0.001). Values are Python literals;
    anything that is not a literal is taken as a string (``model.name=gat``)."""
    if "=" not in text:
        raise ConfigError(f"override {text!r} is not of the form key.path=value")
    key, raw = text.split("=", 1)
    keys = key.strip().split(".")
    if not all(keys):
        raise ConfigError(f"override {text!r} has an empty key")
    return keys, _parse_value(raw.strip())


_BRACKETS = {"[": "]", "(": ")"}


def _parse_value(raw: str) -> Any:
    """One override value: a Python literal; ``null``/``true``/``false``; a list whose
    items are parsed by this same rule (``[tag:cora, 3]`` -> ``["tag:cora", 3]``); else
    the text itself. Never evaluated as code."""
    if raw in ("null", "None"):
        return None
    if raw in ("true", "false"):
        return raw == "true"
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    if len(raw) >= 2 and raw[0] in _BRACKETS and raw[-1] == _BRACKETS[raw[0]]:
        items = _split_items(raw[1:-1])
        if items is not None:
            return [_parse_value(item) for item in items]
    return raw


def _split_items(body: str) -> Optional[list[str]]:
    """``body`` split at its top-level commas (not inside brackets or quotes); ``None``
    when its brackets or quotes do not balance (the whole value is then a string)."""
    items, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(body):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[({":
            depth += 1
        elif ch in "])}":
            depth -= 1
            if depth < 0:
                return None
        elif ch == "," and depth == 0:
            items.append(body[start:i].strip())
            start = i + 1
    if depth or quote:
        return None
    last = body[start:].strip()
    return items + [last] if last else items  # a trailing comma adds no item


def apply_overrides(cls: type[T], data: dict, overrides: list[str],
                    choices: Optional[ConfigChoices] = None) -> T:
    """Applies dotted overrides to plain config data, then validates the result."""
    return from_dict(cls, override_data(data, overrides), "", choices)


def override_data(data: Any, overrides: list[str]) -> dict:
    """Plain config data (a mapping or a config dataclass) with dotted overrides applied,
    not yet typed (plugins named in it must be imported before it is)."""
    data = to_dict(data) if dataclasses.is_dataclass(data) else copy.deepcopy(data)
    for text in overrides:
        keys, value = parse_override(text)
        node = data
        for i, k in enumerate(keys[:-1]):
            child = node.get(k)
            if child is None:
                child = node[k] = {}
            if not isinstance(child, dict):
                raise ConfigError(f"override {text!r}: {'.'.join(keys[: i + 1])} is not a section")
            node = child
        node[keys[-1]] = value
    return data


def load_yaml(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: invalid YAML ({str(e).splitlines()[0]})") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: is not UTF-8 text (byte {e.start}: {e.object[e.start:e.start + 1]!r}); "
                          f"save it as UTF-8") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping")
    return data
