"""Safe loading of YAML and JSON files, keeping the file, line and column of every key and value.

The result is plain Python data (dict, list, str, int, float, bool, None) plus position tables keyed by
path, so every later finding can point at its source. Refusals are findings, never exceptions. The YAML
and JSON readers live in their own modules, imported only when a file of their kind is read; what they
produce (:class:`Document`, keyed by :data:`connector.diagnostics.paths.KeyPath`) is defined in
:mod:`connector.source.document`, which they share without importing this module.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from connector.diagnostics.findings import Finding, Location
from connector.source.document import Document as Document
from connector.source.document import LoadResult as LoadResult
from connector.source.positions import byte_position

MAX_BYTES = 1024 * 1024


def load(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_BYTES,
    display: str | None = None,
    layer: bool = False,
) -> LoadResult:
    """Load a YAML or JSON file (by extension) whose top level must be a mapping.

    ``layer``: the file is a source layer (a project, environment or overlay file), so a YAML file with
    nothing in it (empty, blank or comments only) is an empty mapping, a layer that changes nothing. A
    final config must hold a mapping: nothing at all is SC007 there (docs/projects.md).
    """
    name = display if display is not None else str(path)
    try:
        raw = read_capped(path, max_bytes)
    except NotARegularFile:
        return _fail(
            name, "SC001", "is not a regular file (a FIFO, socket or device)", "name a YAML or JSON file"
        )
    except IsADirectoryError:
        return _fail(name, "SC001", "is a folder, not a file", "name a YAML or JSON file")
    except FileNotFoundError:
        if os.path.islink(path):
            target = os.readlink(path)
            return _fail(
                name, "SC001", f"is a symlink to {target}, which does not exist", "fix or remove the link"
            )
        return _fail(name, "SC001", "no such file", "check the path")
    except NotADirectoryError:
        return _fail(
            name, "SC001", "cannot be read: a part of the path is a file, not a folder", "check the path"
        )
    except PermissionError:
        return _fail(name, "SC001", "permission denied", "make the file readable")
    except OSError as e:
        return _fail(name, "SC001", f"cannot read the file: {e.strerror or e}", "check the path")
    if len(raw) > max_bytes:
        size = os.path.getsize(path)
        return _fail(
            name,
            "SC003",
            f"the file is {_human(size)}, over the {_human(max_bytes)} limit",
            "split it, or check that this is the file you meant",
        )
    return loads(raw, name, json_syntax=Path(name).suffix.lower() == ".json", layer=layer)


class NotARegularFile(OSError):
    """A FIFO, socket or device: reading it could wait forever for a writer, or never end."""


def read_capped(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> bytes:
    """At most ``max_bytes + 1`` bytes of a regular file (one more than allowed, so "too large" shows).

    The file is opened without blocking and checked before it is read (:func:`open_regular`)."""
    with open_regular(path) as fh:
        # Sized from the file: read(max_bytes + 1) allocates a buffer of the cap (1 MiB) for every file.
        size = os.fstat(fh.fileno()).st_size
        data = fh.read(min(size, max_bytes) + 1)
        if len(data) <= size:
            return data  # the whole file
        return data + fh.read(max_bytes + 1 - len(data))  # it grew since: read on, up to the cap


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """A regular file, opened to read. It is opened without blocking and checked before it is read, so a
    FIFO without a writer or a device such as /dev/zero is refused (:class:`NotARegularFile`) instead of
    hanging the hook."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise NotARegularFile(errno.EINVAL, "not a regular file (a FIFO, socket or device)", str(path))
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def loads(raw: bytes | str, name: str, *, json_syntax: bool = False, layer: bool = False) -> LoadResult:
    """Load YAML (or JSON) text already in memory; ``name`` is used in findings; ``layer`` as in :func:`load`."""
    if isinstance(raw, bytes):
        for bom, encoding in _OTHER_BOMS:
            if raw.startswith(bom):
                return _fail(name, "SC002", f"the file is {encoding}, not UTF-8", "save the file as UTF-8")
        nul = raw.find(b"\x00")
        if nul >= 0:
            line, col = byte_position(raw, nul)
            return _fail(
                name,
                "SC002",
                "a NUL byte: this looks like a binary file",
                "lint YAML or JSON text files only",
                line,
                col,
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line, col = byte_position(raw, e.start)
            return _fail(
                name,
                "SC002",
                f"byte 0x{raw[e.start]:02x} is not valid UTF-8",
                "save the file as UTF-8",
                line,
                col,
            )
    else:
        text = raw
    if json_syntax and (
        raw.startswith(b"\xef\xbb\xbf") if isinstance(raw, bytes) else raw.startswith("\ufeff")
    ):
        # YAML allows a byte-order mark; JSON.parse, which reads the config in Logto, does not.
        return _fail(
            name,
            "SC002",
            "the JSON starts with a UTF-8 byte-order mark, which JSON.parse refuses: Logto cannot read it",
            "save the file as UTF-8 without a BOM",
        )
    if json_syntax:
        # start-up: each reader (PyYAML for YAML) loads only when a file of its kind is read
        from connector.source.json_reader import load_json

        return load_json(name, text)
    # start-up: each reader (PyYAML for YAML) loads only when a file of its kind is read
    from connector.source.yaml_reader import YamlLoader

    return YamlLoader(name, text, layer=layer).run()


_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)  # fmt: skip


def _fail(name: str, rule: str, message: str, hint: str, line: int = 1, column: int = 1) -> LoadResult:
    return LoadResult(None, (Finding.at(Location(name, line, column), rule, message, hint),))


def _human(size: int) -> str:
    # Exact, so that a file one byte over the limit does not read "1.0 MiB, over the 1.0 MiB limit".
    if size and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MiB"
    if size and size < 1024 * 1024 and size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size:,} bytes"
