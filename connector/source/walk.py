"""Walking loaded data: each string with its key path (the lint rules and the provider listing share it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connector.diagnostics.paths import KeyPath


def strings(value: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Each string inside ``value`` (mappings and lists, in order) with its key path from ``path``.

    A stack of the open containers' iterators rather than nested generators or a stack of every child:
    every rule that reads every string of every linted file walks here, and a generator per level, or a
    push and a pop per value, costs more than the walk itself.
    """
    if isinstance(value, str):
        yield path, value
        return
    stack: list[tuple[KeyPath, Iterator[tuple[Any, Any]]]] = []
    if isinstance(value, dict):
        stack.append((path, iter(value.items())))
    elif isinstance(value, list):
        stack.append((path, enumerate(value)))
    while stack:
        where, items = stack[-1]
        for key, item in items:
            if isinstance(item, str):
                yield (*where, key), item
            elif isinstance(item, dict):
                stack.append(((*where, key), iter(item.items())))
                break
            elif isinstance(item, list):
                stack.append(((*where, key), enumerate(item)))
                break
        else:
            stack.pop()
