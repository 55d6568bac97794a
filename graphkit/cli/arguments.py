"""Parsers for command-line values shared by several commands."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TypeVar

from graphkit.errors import ConfigError

T = TypeVar("T")


def int_list(text: str, flag: str) -> list[int]:
    """``"0,1,2"`` -> ``[0, 1, 2]``; a one-line error naming ``flag`` otherwise."""
    try:
        values = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ConfigError(f"{flag}: expected comma-separated integers, got {text!r}") from None
    if not values:
        raise ConfigError(f"{flag}: give at least one value")
    return values


def add_recipe_arguments(parser: argparse.ArgumentParser, example: str) -> None:
    """``--config FILE.yaml`` and ``key.path=value`` overrides of a recipe's typed config
    (flags of the command are shortcuts that set config keys)."""
    parser.add_argument("--config", type=Path, metavar="FILE.yaml",
                        help="the recipe's YAML config (keys as the flags; flags and overrides win)")
    parser.add_argument("overrides", nargs="*", help=f"dotted config overrides, e.g. {example}")


def load_recipe(cls: type[T], args: argparse.Namespace, shortcuts: dict[str, Any],
                positional: tuple[str, str] | None = None) -> T:
    """``cls`` from ``--config`` (or nothing), the ``key=value`` overrides and the flags
    given on the command line (``shortcuts``: config key -> flag value, ``None`` = not
    given), through :func:`graphkit.runs.config_loading.load_config`.

    ``positional`` is ``(attribute, config key)`` of an optional positional argument
    (``zeroshot RUN``); argparse hands it the first override when the positional is left
    out (``zeroshot --config f.yaml hops=3``), which goes back to the overrides."""
    # torch loads with the plugin tables: `graphkit --help` stays fast
    from graphkit.runs.config_loading import load_config

    overrides = list(getattr(args, "overrides", ()))
    shortcuts = dict(shortcuts)
    if positional is not None:
        attribute, key = positional
        value = getattr(args, attribute)
        if value is not None and "=" in str(value) and not Path(value).exists():
            overrides.insert(0, str(value))
        else:
            shortcuts[key] = value
    flags = [f"{key}={_literal(value)}" for key, value in shortcuts.items() if value is not None]
    source = args.config if args.config is not None else {}
    return load_config(cls, source, overrides + flags, plugins=getattr(args, "plugin", ()))


def _literal(value: Any) -> str:
    """An override's value text that :func:`graphkit.config.parse_override` reads back as ``value``."""
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, tuple):
        value = list(value)
    return repr(value)
