"""What pre-commit does not tell a hook: the files a commit deletes or renames away.

pre-commit passes a hook the files that exist after the change (git's added, copied, modified and
renamed-to files), so a ``git rm`` of a template, or the old name of a renamed one, reaches no hook. The
lint hook asks git itself: the staged deletions, or, when pre-commit runs over a range of commits
(``pre-commit run --from-ref A --to-ref B``, pre-push), the deletions between them. Renames count as a
deletion of the old name (``--no-renames``).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

_TIMEOUT = 60  # seconds; git answers a diff of the index in milliseconds
MAX_PATHS = 100_000


def removed_paths(cwd: Path | None = None) -> list[str]:
    """The paths (from ``cwd``) of the files deleted or renamed away by the change being checked; [] outside
    a git work tree or when git is not there."""
    start, end = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    what = [f"{start}...{end}"] if start and end else ["--cached"]
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if not top:
        return []
    listed = _git(["diff", "--name-only", "--no-renames", "--diff-filter=D", "-z", *what, "--"], cwd)
    root = Path(top.rstrip("\n"))
    here = (cwd or Path.cwd()).absolute()
    paths = []
    for name in listed.split("\0")[:MAX_PATHS]:
        if name:
            paths.append(os.path.relpath(root / name, here))
    return paths


def _git(args: list[str], cwd: Path | None) -> str:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    if result.returncode != 0:
        return ""
    return result.stdout.decode("utf-8", errors="surrogateescape")
