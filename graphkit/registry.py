"""A small explicit registry: name -> object, duplicates raise, misses list the choices.

A registry is a plain table: it imports nothing of its members. The composition root
(:mod:`graphkit.catalog`) fills the built-in tables; a researcher's plugin fills them
through the same decorators (:mod:`graphkit.plugins`).
"""

from __future__ import annotations

from typing import Callable, Generic, Iterator, TypeVar

from graphkit.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps names to objects of one kind (datasets, models, tasks).

    Args:
        kind: what the registry holds, used in error messages ("dataset", "model").
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, obj: T) -> T:
        if name in self._items:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._items[name] = obj
        return obj

    def decorator(self, name: str) -> Callable[[T], T]:
        """``@REG.decorator("name")`` registers the decorated object."""

        def wrap(obj: T) -> T:
            return self.register(name, obj)

        return wrap

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            if not self._items:
                # a lower layer used on its own: the tables are filled by the composition root
                raise UnknownNameError(
                    f"unknown {self.kind} {name!r}: no {self.kind} is registered yet; call "
                    f"graphkit.catalog.load() (the CLI and graphkit.train/load_run do) first"
                ) from None
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}; valid choices: {', '.join(sorted(self._items))}"
            ) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)
