"""``build --check``: compare what the sources build to with the files on disk, writing nothing.

A problem names the file and the key paths that differ (``templates[SignIn].subject``), never a value:
a committed file may hold a secret that no one registered with :mod:`connector.diagnostics.redact`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from connector.build.diff import Difference, differences
from connector.diagnostics.paths import dotted

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
    if not isinstance(before, dict) or not isinstance(after, dict):
        return "differs at the whole file"
    paths = [_where(change) for change in differences(before, after)]
    listed = ", ".join(paths[:_SHOWN]) + (f" and {len(paths) - _SHOWN} more" if len(paths) > _SHOWN else "")
    return f"differs at {listed}"


def _where(change: Difference) -> str:
    """The key path, and which side alone has it (the file on disk is ``before``)."""
    side = {"removed": " (only in the file)", "added": " (missing from the file)"}.get(change.kind, "")
    return dotted(change.path) + side
