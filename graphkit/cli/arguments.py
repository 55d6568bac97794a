"""Parsers for command-line values shared by several commands."""

from __future__ import annotations

from graphkit.errors import ConfigError


def int_list(text: str, flag: str) -> list[int]:
    """``"0,1,2"`` -> ``[0, 1, 2]``; a one-line error naming ``flag`` otherwise."""
    try:
        values = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ConfigError(f"{flag}: expected comma-separated integers, got {text!r}") from None
    if not values:
        raise ConfigError(f"{flag}: give at least one value")
    return values
