"""Write files atomically: a temporary file in the same folder, then ``os.replace``.

A reader sees the old file or the new one, never half of one; a failure leaves the old file untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from connector.errors import InputError


def write_bytes(
    path: str | os.PathLike[str], data: bytes, *, private: bool = False, durable: bool = True
) -> Path:
    """Replace ``path`` with ``data``. ``private`` keeps it readable by you only (built configs hold
    secrets); ``durable`` flushes it to disk first (skip it for throwaway files such as a sink's mail)."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise InputError(f"cannot write {target}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        # mkstemp makes the file 0600; a built config keeps that, other files get the usual mode.
        if not private:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except OSError as e:
        _discard(temp)
        raise InputError(f"cannot write {target}: {e.strerror or e}") from e
    except BaseException:
        _discard(temp)
        raise
    return target


def make_folder(folder: str | os.PathLike[str], option: str) -> Path:
    """Create ``folder`` (and its parents) for the files an option writes; a file in the way is an input
    error naming the option, not a crash."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as e:
        raise InputError(
            f"{path}: is a file, not a folder (hint: {option} names a folder to write into; "
            "give a new or an existing folder)"
        ) from e
    return path


def write_atomic(path: str | os.PathLike[str], text: str, *, private: bool = False) -> Path:
    """Replace ``path`` with ``text`` (UTF-8, line ends as given)."""
    return write_bytes(path, text.encode("utf-8"), private=private)


def _discard(temp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)


_UMASK: int | None = None


def _umask() -> int:
    # Read once: os.umask can only be read by setting it, which is not thread-safe (the sink writes
    # from its own thread).
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0)
        os.umask(_UMASK)
    return _UMASK
