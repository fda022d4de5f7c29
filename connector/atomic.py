"""Write files atomically: a temporary file in the same folder, then ``os.replace``.

A reader sees the old file or the new one, never half of one; a failure leaves the old file untouched.

Only a regular file (or a missing one) is replaced. A symbolic link is written through, as the shell's ``>``
does: the file it points to is replaced and the link stays. A character device (``/dev/null``, a terminal)
or a FIFO with a reader is written straight into, never replaced: replacing ``/dev/null`` with a regular
file (a rename as root would) breaks the machine. A FIFO without a reader, a socket and a block device are
refused with an error, never waited on or written over (docs/security.md).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from connector.errors import InputError

# What is written: bytes, or chunks of bytes (a file too big to hold whole, such as a batch's resend file).
Data = bytes | Iterable[bytes]


def write_bytes(
    path: str | os.PathLike[str], data: Data, *, private: bool = False, durable: bool = True
) -> Path:
    """Replace ``path`` with ``data`` (bytes, or chunks of bytes written as they come). ``private`` keeps it readable by you only (built configs hold
    secrets); ``durable`` flushes it to disk first (skip it for throwaway files such as a sink's mail)."""
    return write_all({Path(path): data}, private=private, durable=durable)[0]


def write_all(files: Mapping[Path, Data], *, private: bool = False, durable: bool = True) -> list[Path]:
    """Replace every file of ``files``, all or nothing as far as the file system allows: each is written
    to a temporary file next to it first, and only when all of them are written (and no target is a
    folder) are they renamed over their targets. A failure before that leaves every target untouched.

    A target that is a device or a FIFO is written straight into (see the module's docstring), after every
    other file is staged and before any is renamed: if it fails, nothing is replaced."""
    staged: list[tuple[str, Path]] = []
    streams: list[tuple[Path, Data]] = []
    try:
        for target, data in files.items():
            real, mode = _resolve(target)
            if mode is not None and not stat.S_ISREG(mode):
                streams.append((target, data))
                continue
            staged.append((_stage(real, data, private=private, durable=durable), real))
        for target, data in streams:
            _write_into(target, data)
        for index, (temp, real) in enumerate(staged):
            try:
                os.replace(temp, real)
            except OSError as e:
                for rest, _ in staged[index:]:
                    _discard(rest)
                staged.clear()
                raise InputError(f"cannot write {real}: {e.strerror or e}") from e
    except BaseException:
        for temp, _ in staged:
            _discard(temp)
        raise
    return list(files)


def is_stream(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (through its links) is a device, FIFO or socket: written into, never replaced, and
    no file goes next to it (``build -o /dev/null`` writes no ``/dev/null.email-templates.json``)."""
    mode = _mode(Path(path))
    return mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _resolve(target: Path) -> tuple[Path, int | None]:
    """Where ``target`` is written and the mode of what is there (None: nothing). A device or FIFO is
    opened by its own name (the kernel follows ``/dev/stdout`` to the pipe it stands for); a regular file
    behind a symbolic link is replaced where it is, keeping the link. A folder is refused."""
    mode = _mode(target)
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError(f"cannot write {target}: it is a folder")
    if mode is not None and not stat.S_ISREG(mode):
        return target, mode
    return (Path(os.path.realpath(target)) if target.is_symlink() else target), mode


def _mode(path: Path) -> int | None:
    try:
        return os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        raise InputError(f"cannot write {path}: {e.strerror or e}") from e


def _write_into(target: Path, data: Data) -> None:
    """Write ``data`` into a character device or a FIFO as it is, without replacing it. A FIFO no one reads
    is refused, not waited on; a block device or a socket is refused (no output is meant for either)."""
    mode = _mode(target) or 0
    if stat.S_ISBLK(mode):
        raise InputError(
            f"cannot write {target}: it is a block device (a disk), not a file", hint=_STREAM_HINT
        )
    if stat.S_ISSOCK(mode):
        raise InputError(f"cannot write {target}: it is a socket, not a file", hint=_STREAM_HINT)
    try:
        # Non-blocking to open: a FIFO without a reader fails at once (ENXIO) instead of hanging. Blocking
        # to write: a reader slower than us is waited for, as the shell's `>` waits.
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        if e.errno == errno.ENXIO:
            raise InputError(
                f"cannot write {target}: it is a FIFO that no process is reading", hint=_STREAM_HINT
            ) from e
        raise InputError(f"cannot write {target}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "wb") as fh:
            os.set_blocking(fh.fileno(), True)
            for chunk in _chunks(data):
                fh.write(chunk)
    except OSError as e:  # /dev/full (ENOSPC), a reader that went away (EPIPE)
        raise InputError(f"cannot write {target}: {e.strerror or e}") from e


_STREAM_HINT = "name a file to write, - for standard output, or /dev/null to discard it"


def _stage(target: Path, data: Data, *, private: bool, durable: bool) -> str:
    """``data`` in a temporary file in ``target``'s folder; its path."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise InputError(f"cannot write {target}: {e.strerror or e}") from e
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in _chunks(data):
                fh.write(chunk)
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


def check_file(path: str | os.PathLike[str], option: str, hint: str = "") -> None:
    """Before work whose result would be lost if ``path`` could not be written at the end (the resend file
    of a batch): an InputError naming ``option`` now if it is a folder, a socket or a block device, or if
    its folder cannot be made or written into. A device or a FIFO is checked by opening it, at the end."""
    target = Path(path)
    mode = _mode(target)
    hint = hint or f"{option} names a file to write; give a new file or one to replace"
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError(f"{target}: is a folder, not a file", hint=hint)
    if mode is not None and (stat.S_ISBLK(mode) or stat.S_ISSOCK(mode)):
        raise InputError(f"{target}: is a {'socket' if stat.S_ISSOCK(mode) else 'block device'}", hint=hint)
    if mode is not None and not stat.S_ISREG(mode):
        return  # a character device or a FIFO: written into, not replaced
    real = Path(os.path.realpath(target)) if target.is_symlink() else target
    _check_folder(real.parent, option, hint)


def check_folder(folder: str | os.PathLike[str], option: str) -> None:
    """Before work that writes into ``folder`` (made if missing): an InputError naming ``option`` now if a
    file is in the way or it cannot be written into."""
    _check_folder(
        Path(folder), option, f"{option} names a folder to write into; give a new or an existing one"
    )


def _check_folder(folder: Path, option: str, hint: str) -> None:
    # The nearest part of the path that exists must be a folder we may write into (the rest is made).
    existing = folder
    while _mode(existing) is None and existing != existing.parent:
        existing = existing.parent
    mode = _mode(existing)
    if mode is not None and not stat.S_ISDIR(mode):
        raise InputError(f"{existing}: is a file, not a folder", hint=hint)
    if not os.access(existing, os.W_OK | os.X_OK):
        reason = "a read-only file system" if _read_only(existing) else "permission denied"
        raise InputError(f"cannot write into {existing}: {reason}", hint=hint)


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


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


def _chunks(data: Data) -> Iterator[bytes]:
    if isinstance(data, bytes):
        yield data
    else:
        yield from data


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
