"""The one diff of two configs: what ``build --check`` reports and what ``deploy``'s plan lists.

Both sides are compared value by value, each at its key path, as data (``("templates", "SignIn",
"subject")``); :func:`connector.diagnostics.paths.dotted` spells a path for people
(``templates[SignIn].subject``). The entries of ``templates`` are matched by name, not position (a connector
template by its usage type, an entry of Logto's email-template store by language tag and template type);
when an entry has no name or two share one, the list is compared whole, so a repeated template is a
difference rather than one entry of two.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from connector.diagnostics.paths import ENTRY_NAME_KEYS, KeyPath, entry_name

Kind = Literal["added", "changed", "removed"]
Same = Literal["unchanged"]


@dataclass(frozen=True)
class Difference:
    """One value: only in ``after`` (added), different in both (changed), only in ``before`` (removed), or
    the same in both (unchanged: :func:`compare` only)."""

    path: KeyPath
    kind: Kind | Same
    before: Any = None
    after: Any = None


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Difference]:
    """Every value that differs, in ``after``'s order, then those only in ``before``."""
    return [d for d in compare(before, after) if d.kind != "unchanged"]


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Difference]:
    """Every value of either side, the unchanged ones included, in the order of :func:`differences`."""
    keyed = nameable(before) and nameable(after)
    old, new = dict(leaves(before, keyed=keyed)), dict(leaves(after, keyed=keyed))
    out: list[Difference] = []
    for path, value in new.items():
        if path not in old:
            out.append(Difference(path, "added", after=value))
        else:
            out.append(Difference(path, "changed" if old[path] != value else "unchanged", old[path], value))
    out += [Difference(path, "removed", before=value) for path, value in old.items() if path not in new]
    return out


def leaves(value: Any, path: KeyPath = (), *, keyed: bool = True) -> Iterator[tuple[KeyPath, Any]]:
    """Each value a diff compares, at its path: scalars, lists and empty mappings; with ``keyed``, the
    fields of each named template under its name."""
    if isinstance(value, dict) and (value or not path):  # an empty config has no values, not one empty one
        for key, item in value.items():
            here = (*path, key)
            names = _names(item) if keyed and here == ("templates",) else None
            if names is None:
                yield from leaves(item, here)
                continue
            for name, entry in zip(names, item, strict=True):
                fields = [(k, v) for k, v in entry.items() if k not in ENTRY_NAME_KEYS]
                if not fields:
                    yield (*here, name), entry
                for field, inner in fields:
                    yield from leaves(inner, (*here, name, field))
    else:
        yield path, value


def nameable(config: Mapping[str, Any]) -> bool:
    """Whether the templates of ``config`` (if any) can be matched by name: every entry has its own."""
    items = config.get("templates")
    return not isinstance(items, list) or not items or _names(items) is not None


def _names(items: Any) -> list[str] | None:
    """Each entry's name, or None when the list is to be compared whole (an entry unnamed, a name twice)."""
    if not isinstance(items, list) or not items:
        return None
    names = [entry_name(item) for item in items]
    if None in names or len(set(names)) != len(names):
        return None
    return [name for name in names if name is not None]
