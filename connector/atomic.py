"""Write files atomically: a temporary file in the same folder, then ``os.replace``.

A reader sees the old file or the new one, never half of one; a failure leaves the old file untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from connector.errors import InputError


def write_bytes(
    path: str | os.PathLike[str], data: bytes, *, private: bool = False, durable: bool = True
) -> Path:
    """Replace ``path`` with ``data``. ``private`` keeps it readable by you only (built configs hold
    secrets); ``durable`` flushes it to disk first (skip it for throwaway files such as a sink's mail)."""
    return write_all({Path(path): data}, private=private, durable=durable)[0]


def write_all(files: Mapping[Path, bytes], *, private: bool = False, durable: bool = True) -> list[Path]:
    """Replace every file of ``files``, all or nothing as far as the file system allows: each is written
    to a temporary file next to it first, and only when all of them are written (and no target is a
    folder) are they renamed over their targets. A failure before that leaves every target untouched."""
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in files.items():
            if target.is_dir():
                raise InputError(f"cannot write {target}: it is a folder")
            staged.append((_stage(target, data, private=private, durable=durable), target))
        for index, (temp, target) in enumerate(staged):
            try:
                os.replace(temp, target)
            except OSError as e:
                for rest, _ in staged[index:]:
                    _discard(rest)
                staged.clear()
                raise InputError(f"cannot write {target}: {e.strerror or e}") from e
    except BaseException:
        for temp, _ in staged:
            _discard(temp)
        raise
    return [target for _, target in staged]


def _stage(target: Path, data: bytes, *, private: bool, durable: bool) -> str:
    """``data`` in a temporary file in ``target``'s folder; its path."""
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
    except OSError as e:
        _discard(temp)
        raise InputError(f"cannot write {target}: {e.strerror or e}") from e
    except BaseException:
        _discard(temp)
        raise
    return temp


def make_folder(folder: str | os.PathLike[str], option: str) -> Path:
    """Create ``folder`` (and its parents) for the files an option writes; a file in the way is an input
    error naming the option, not a crash."""
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as e:
        raise InputError(
            f"{path}: is a file, not a folder",
            hint=f"{option} names a folder to write into; give a new or an existing folder",
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
