"""Write files atomically: a temporary file in the same folder, then ``os.replace``.

A reader sees the old file or the new one, never half of one; a failure leaves the old file untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from connector.errors import InputError


def write_atomic(path: str | os.PathLike[str], text: str, *, private: bool = False) -> None:
    """Replace ``path`` with ``text`` (UTF-8, ``\\n`` line ends); ``private`` makes it readable by you only."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise InputError(f"cannot write {target}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        # mkstemp makes the file 0600; a built config holds secrets and keeps that, other files do not.
        if not private:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except OSError as e:
        _discard(temp)
        raise InputError(f"cannot write {target}: {e.strerror or e}") from e
    except BaseException:
        _discard(temp)
        raise


def _discard(temp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
