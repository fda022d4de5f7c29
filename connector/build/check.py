"""``build --check``: compare what the sources build to with the files on disk, writing nothing.

A problem names the file and the key paths that differ (``templates[SignIn].subject``), never a value:
a committed file may hold a secret that no one registered with :mod:`connector.diagnostics.redact`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

_SHOWN = 8  # key paths listed per file before "and N more"


def stale_outputs(expected: Mapping[Path, str | None]) -> list[str]:
    """One line per file that is missing, differs, or should not exist (``None``: no longer built)."""
    problems: list[str] = []
    for path, text in expected.items():
        try:
            on_disk: str | None = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            on_disk = None
        except (OSError, UnicodeDecodeError) as e:
            problems.append(f"{path}: cannot be read ({getattr(e, 'strerror', None) or e})")
            continue
        if text is None:
            if on_disk is not None:
                problems.append(f"{path}: no longer built (no template has `locales` now); delete it")
        elif on_disk is None:
            problems.append(f"{path}: missing")
        elif on_disk != text:
            problems.append(f"{path}: {_difference(on_disk, text)}")
    return problems


def _difference(old: str, new: str) -> str:
    try:
        before, after = json.loads(old), json.loads(new)
    except ValueError:
        return "differs (it is not valid JSON)"
    if before == after:
        return "differs in formatting only"
    paths = list(_changed(before, after, ""))
    listed = ", ".join(paths[:_SHOWN]) + (f" and {len(paths) - _SHOWN} more" if len(paths) > _SHOWN else "")
    return f"differs at {listed}"


def _changed(old: Any, new: Any, path: str) -> Iterator[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in dict.fromkeys([*old, *new]):
            here = f"{path}.{key}" if path and not str(key).startswith("[") else f"{path}{key}"
            if key not in new:
                yield f"{here} (only in the file)"
            elif key not in old:
                yield f"{here} (missing from the file)"
            else:
                yield from _changed(old[key], new[key], here)
    elif isinstance(old, list) and isinstance(new, list) and _keyed(old) and _keyed(new):
        before, after = dict(map(_entry, old)), dict(map(_entry, new))
        yield from _changed(before, after, path)
    elif old != new:
        yield path or "the whole file"


def _keyed(items: list[Any]) -> bool:
    """A list of templates: connector ones by usageType, email-template store ones by language and type."""
    keys = [_entry(item)[0] for item in items]
    return "" not in keys and len(set(keys)) == len(keys)


def _entry(item: Any) -> tuple[str, Any]:
    if isinstance(item, dict):
        if isinstance(item.get("usageType"), str):
            return f"[{item['usageType']}]", item
        tag, kind = item.get("languageTag"), item.get("templateType")
        if isinstance(tag, str) and isinstance(kind, str):
            return f"[{tag} {kind}]", item
    return "", item
