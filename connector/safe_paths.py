"""File names and paths made from data (a server's answer, a config value, a recipient, an environment's
name): safe on every platform, and inside the folder they belong to.

One home for the check that ``pull``, ``init``, ``build`` and ``send --dry-run`` make before writing a file
whose name came from outside: :func:`name_problem` for one name, :func:`outside_problem` for where a path
really leads (symlinks followed), and :func:`unsafe_name` for the finding (SC014) that reports a refused
name.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath
from connector.diagnostics.printable import printable

# Names Windows keeps for devices, whatever the extension or case (`nul.txt`, `Com1.yaml`): opening one
# opens the device. COM and LPT take the superscript digits too.
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{port}{digit}" for port in ("COM", "LPT") for digit in "0123456789\u00b9\u00b2\u00b3"}
)
# Characters no file system of Windows, macOS or Linux takes in a name as written: path separators, the
# characters Windows reserves, control characters (C0, DEL, C1), line and paragraph separators, lone
# surrogates (not text: no file system can encode them) and the invisible format characters that make a
# name read otherwise than it is (U+202E turns `gpj.exe` around).
_BAD_CHAR = re.compile('[\x00-\x1f\x7f-\x9f/\\\\<>:"|?*\u2028\u2029\ud800-\udfff]')
# Every file system this tool runs on takes 255 bytes in one name (ext4, APFS, NTFS counts 255 UTF-16
# units, which is never fewer).
MAX_NAME_BYTES = 255
# How much of a refused value a finding shows: a name from a server can be any length.
_SHOWN = 60


def name_problem(name: str) -> str | None:
    """Why ``name`` is not one file or folder name that every platform takes as written, or None."""
    if not name:
        return "it is empty"
    if name in (".", ".."):
        return f"`{name}` names a folder, not a file"
    bad = _BAD_CHAR.search(name) or _format_character(name)
    if bad is not None:
        return f"it holds {_describe(bad.group(0) if isinstance(bad, re.Match) else bad)}"
    if name[-1] in ". ":
        return "it ends with a dot or a space, which Windows drops from a file name"
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    if stem in _DEVICES:
        return f"`{stem}` is a device name on Windows, whatever follows it"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"it is longer than {MAX_NAME_BYTES} bytes, more than a file system takes in one name"
    return None


def outside_problem(folder: str | os.PathLike[str], path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` does not lead to a place inside ``folder``, every symlink on the way followed (those
    of ``folder`` too, so a folder that is itself a link is fine), or None."""
    try:
        root = Path(folder).resolve()
        target = Path(path).resolve()
    except (OSError, RuntimeError) as e:  # a symlink loop: RuntimeError before Python 3.13
        return f"it cannot be resolved ({getattr(e, 'strerror', None) or e})"
    if target != root and root in target.parents:
        return None
    return f"it leads to {target}, outside {root}"


def unsafe_name(where: Location, what: str, value: str, problem: str, *, key_path: KeyPath = ()) -> Finding:
    """SC014 for a name made from ``value`` (``what`` says which, e.g. "usage type"): the value is shown
    printable and shortened, never a secret (names are made from usage types, tags and addresses)."""
    # A lone surrogate cannot be printed at all: shown as its escape.
    shown = _shown(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return Finding.at(
        where,
        "SC014",
        f"{what} `{printable(shown)}` cannot name a file: {printable(problem)}; nothing was written",
        "use letters, digits, `-`, `_` and `.` (a name that is not a Windows device name and does not "
        "end with a dot)",
        key_path=key_path,
        excerpt=shown,
    )


def _format_character(name: str) -> str | None:
    if name.isascii():
        return None
    return next((c for c in name if unicodedata.category(c) == "Cf"), None)


def _describe(char: str) -> str:
    if char in "/\\":
        return "a path separator"
    if char == "\x00":
        return "a NUL character"
    if char in '<>:"|?*':
        return f"`{char}`, which Windows does not take in a file name"
    if "\ud800" <= char <= "\udfff":
        return "a lone surrogate, which is not text"
    return f"the control character U+{ord(char):04X}"


def _shown(value: str) -> str:
    return value if len(value) <= _SHOWN else value[:_SHOWN] + "…"


def repository_root(folder: Path) -> Path | None:
    """The root of the git work tree ``folder`` (absolute) is in: the nearest folder up with a ``.git``
    (a folder, or a file in a worktree or submodule), as git finds it. None outside a repository."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return None
