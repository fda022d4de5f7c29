"""Walking loaded data: each string with its key path (the lint rules and the provider listing share it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connector.diagnostics.paths import KeyPath


def strings(value: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Each string inside ``value`` (mappings and lists, in order) with its key path from ``path``.

    A stack rather than nested generators: every rule that reads every string of every linted file walks
    here, and a generator per level costs more than the walk itself.
    """
    stack: list[tuple[KeyPath, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            stack.extend((((*where, key), child) for key, child in reversed(item.items())))
        elif isinstance(item, list):
            stack.extend(((*where, index), item[index]) for index in range(len(item) - 1, -1, -1))
