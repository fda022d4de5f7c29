"""Safe loading of YAML and JSON files, keeping the file, line and column of every key and value.

The result is plain Python data (dict, list, str, int, float, bool, None) plus position tables keyed by
path, so every later finding can point at its source. Refusals are findings, never exceptions.
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from connector.findings import Finding, Location

KeyPath = tuple[str | int, ...]

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000  # expanded through aliases; a real connector config has a few hundred
MAX_DEPTH = 64

_YAML11 = "tag:smtp-connector:yaml11"
_YAML11_DATE = "tag:smtp-connector:yaml11-date"
_STR, _INT, _FLOAT, _BOOL, _NULL = (
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)
_SEQ, _MAP, _MERGE = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Document:
    """A loaded file: its data and where each key and value stands in it."""

    file: str
    data: dict[str, Any]
    values: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict, repr=False)
    keys: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict, repr=False)

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        """Where the value at ``path`` (or its key) was written; the nearest enclosing place if unknown."""
        table = self.keys if key else self.values
        while True:
            mark = table.get(path) or self.values.get(path)
            if mark is not None:
                return Location(self.file, *mark)
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]


@dataclass(frozen=True)
class LoadResult:
    document: Document | None
    findings: tuple[Finding, ...] = ()


# A resolver with YAML 1.2 core semantics: only true/false are booleans. The YAML 1.1 readings that
# PyYAML would apply (yes/no/on/off, 0465 as octal, dates, base 60) resolve to marker tags instead, so
# the value stays the text as written and a finding tells the author to quote it or say what they mean.
class _Resolver(yaml.resolver.BaseResolver):
    pass


def _implicit(tag: str, pattern: str, first: str) -> None:
    _Resolver.add_implicit_resolver(tag, re.compile(pattern, re.X), list(first))


_implicit(_MERGE, r"^<<$", "<")
_implicit(_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_implicit(_NULL, r"^(?:~|null|Null|NULL|)$", "~nN")
_Resolver.add_implicit_resolver(_NULL, re.compile(r"^$"), [""])
_implicit(_INT, r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789")
_implicit(
    _FLOAT,
    r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    "-+0123456789.",
)
_implicit(_YAML11, r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$", "yYnNoO")
_implicit(_YAML11, r"^[-+]?(?:0[0-9_]+|0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*_[0-9_]*)$", "-+0123456789")
_implicit(_YAML11_DATE, r"^[0-9][0-9]{3}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt ].*)?$", "0123456789")
_implicit(_YAML11_DATE, r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$", "-+0123456789")
if hasattr(yaml, "CParser"):  # libyaml: several times faster, same events and marks

    class _Composer(yaml.CParser, _Resolver):  # type: ignore[misc, name-defined]
        def __init__(self, stream: str) -> None:
            yaml.CParser.__init__(self, stream)  # type: ignore[attr-defined]
            _Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _Composer(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Resolver
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


def load(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES, display: str | None = None
) -> LoadResult:
    """Load a YAML or JSON file (by extension) whose top level must be a mapping."""
    name = display if display is not None else str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except IsADirectoryError:
        return _fail(name, "SC001", "is a folder, not a file", "name a YAML or JSON file")
    except FileNotFoundError:
        return _fail(name, "SC001", "no such file", "check the path")
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
    return loads(raw, name, json_syntax=Path(name).suffix.lower() == ".json")


def loads(raw: bytes | str, name: str, *, json_syntax: bool = False) -> LoadResult:
    """Load YAML (or JSON) text already in memory; ``name`` is used in findings."""
    if isinstance(raw, bytes):
        nul = raw.find(b"\x00")
        if nul >= 0:
            line, col = _byte_position(raw, nul)
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
            line, col = _byte_position(raw, e.start)
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
    if json_syntax:
        return _JsonLoader(name, text).run()
    return _YamlLoader(name, text).run()


def parse_scalar(text: str, name: str, line: int = 1, column: int = 1) -> tuple[Any, tuple[Finding, ...]]:
    """One plain (unquoted) YAML scalar typed by this loader's YAML 1.2 rules, as on the command line.

    ``465`` is a number, ``true`` a boolean, ``null`` or nothing is null, anything else is text as written
    (``a: b`` and ``#x`` included); ``yes``/``0465`` are refused the way they are in files.
    """
    tag: str = _Resolver().resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    builder = _YamlLoader(name, text)
    value = builder.scalar(ScalarNode(tag, text), line, column)
    return value, tuple(builder.findings)


def _fail(name: str, rule: str, message: str, hint: str, line: int = 1, column: int = 1) -> LoadResult:
    return LoadResult(None, (Finding.at(Location(name, line, column), rule, message, hint),))


def _human(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KiB"


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


class _Builder:
    """Shared bookkeeping: position tables and findings."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.findings: list[Finding] = []

    def report(self, rule: str, message: str, hint: str, line: int, column: int) -> None:
        self.findings.append(Finding.at(Location(self.name, line, column), rule, message, hint))

    def finish(self, data: Any, line: int = 1, column: int = 1) -> LoadResult:
        if not isinstance(data, dict):
            what = "empty" if data is None else f"a {_kind(data)}"
            self.report(
                "SC007",
                f"the top level is {what}, not a mapping",
                "write `key: value` lines at the top level",
                line,
                column,
            )
            return LoadResult(None, tuple(self.findings))
        doc = Document(self.name, data, self.values, self.keys)
        return LoadResult(doc, tuple(self.findings))


def _kind(value: Any) -> str:
    return {list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        type(value), "value"
    )


class _YamlLoader(_Builder):
    def __init__(self, name: str, text: str) -> None:
        super().__init__(name)
        self.text = text

    def run(self) -> LoadResult:
        composer = _Composer(self.text)
        try:
            node = composer.get_single_node()
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            problem = e.problem or "invalid YAML"
            if e.context and "while" not in e.context:
                problem = f"{e.context}: {problem}"
            self.report("SC004", f"YAML syntax error: {problem}", _syntax_hint(problem), line, col)
            return LoadResult(None, tuple(self.findings))
        except yaml.YAMLError as e:
            self.report("SC004", f"YAML error: {e}", "check the file's syntax", 1, 1)
            return LoadResult(None, tuple(self.findings))
        except RecursionError:
            self.report(
                "SC012",
                "the document is nested too deeply to read",
                f"configs need at most {MAX_DEPTH} levels",
                1,
                1,
            )
            return LoadResult(None, tuple(self.findings))
        finally:
            dispose = getattr(composer, "dispose", None)
            if dispose:
                dispose()
        if node is None:
            return self.finish(None)
        if not self._check_size(node):
            return LoadResult(None, tuple(self.findings))
        try:
            data = self.build(node, (), 0)
        except _Abort:
            return LoadResult(None, tuple(self.findings))
        return self.finish(data, node.start_mark.line + 1, node.start_mark.column + 1)

    def _check_size(self, root: Node) -> bool:
        sizes: dict[int, int] = {}
        active: set[int] = set()

        def size(node: Node) -> int:
            key = id(node)
            if key in sizes:
                return sizes[key]
            if key in active:
                raise _Recursive(node)
            active.add(key)
            total = 1
            if isinstance(node, SequenceNode):
                total += sum(size(child) for child in node.value)
            elif isinstance(node, MappingNode):
                total += sum(size(k) + size(v) for k, v in node.value)
            active.discard(key)
            sizes[key] = total
            if total > MAX_NODES:
                raise _TooBig(node)
            return total

        try:
            size(root)
        except _Recursive as e:
            m = e.node.start_mark
            self.report(
                "SC006",
                "an alias refers to the node that contains it (an endless document)",
                "remove the recursive alias",
                m.line + 1,
                m.column + 1,
            )
            return False
        except _TooBig as e:
            m = e.node.start_mark
            self.report(
                "SC006",
                f"aliases expand this document past {MAX_NODES:,} nodes (an alias bomb)",
                "write the values out, or use fewer nested aliases",
                m.line + 1,
                m.column + 1,
            )
            return False
        except RecursionError:
            self.report(
                "SC012",
                "the document is nested too deeply to read",
                f"configs need at most {MAX_DEPTH} levels",
                1,
                1,
            )
            return False
        return True

    def build(self, node: Node, path: KeyPath, depth: int) -> Any:
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        self.values[path] = (line, col)
        if depth > MAX_DEPTH:
            self.report("SC012", f"nested deeper than {MAX_DEPTH} levels", "flatten the structure", line, col)
            raise _Abort
        if isinstance(node, ScalarNode):
            return self.scalar(node, line, col)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self._bad_tag(node, line, col)
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        if node.tag != _MAP:
            self._bad_tag(node, line, col)
        result: dict[str, Any] = {}
        seen: dict[str, tuple[int, int]] = {}
        merged: set[str] = set()
        for key_node, value_node in node.value:
            kl, kc = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == _MERGE:
                self._merge(value_node, path, depth, result, merged)
                continue
            key = self.scalar(key_node, kl, kc) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                shown = (
                    "null"
                    if key is None and isinstance(key_node, ScalarNode)
                    else ("a collection" if key is None else repr(key))
                )
                self.report(
                    "SC010",
                    f"the key {shown} is not a string",
                    "write keys as plain text; quote them if needed",
                    kl,
                    kc,
                )
                continue
            if key in seen:
                first = seen[key]
                self.report(
                    "SC005",
                    f"duplicate key `{key}` (first set at line {first[0]}, column {first[1]})",
                    "keep one of them; YAML would silently use the last",
                    kl,
                    kc,
                )
                continue
            seen[key] = (kl, kc)
            merged.discard(key)
            child = (*path, key)
            self.keys[child] = (kl, kc)
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def _merge(
        self, value: Node, path: KeyPath, depth: int, result: dict[str, Any], merged: set[str]
    ) -> None:
        sources = value.value if isinstance(value, SequenceNode) else [value]
        for source in sources:
            if not isinstance(source, MappingNode):
                m = source.start_mark
                self.report(
                    "SC004",
                    "a `<<` merge key needs a mapping or a list of mappings",
                    "point it at a mapping",
                    m.line + 1,
                    m.column + 1,
                )
                continue
            own = self.values[path]
            part = self.build(source, path, depth)
            self.values[path] = own
            for key, item in part.items():
                if key not in result:  # explicit keys of this mapping win over merged ones
                    result[key] = item
                    merged.add(key)

    def scalar(self, node: ScalarNode, line: int, col: int) -> Any:
        tag, text = node.tag, node.value
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
            self.report("SC008", f"`{text}` is not true or false", "write true or false", line, col)
            return text
        if tag == _INT:
            try:
                return int(text, 10)
            except ValueError:
                self.report(
                    "SC202", f"`{text}` is not a decimal integer", "write the number in decimal", line, col
                )
                return text
        if tag == _FLOAT:
            lowered = text.lower().lstrip("+")
            if lowered in (".inf", "-.inf", ".nan"):
                return float(lowered.replace(".", ""))
            try:
                return float(text)
            except ValueError:
                self.report("SC202", f"`{text}` is not a number", "write a decimal number", line, col)
                return text
        if tag == _YAML11:
            self.report("SC008", _yaml11_message(text), _yaml11_hint(text), line, col)
            return text
        if tag == _YAML11_DATE:
            self.report(
                "SC009",
                f"`{text}` is a date or a base-60 number in YAML 1.1, text in YAML 1.2",
                f'quote it: "{text}"',
                line,
                col,
            )
            return text
        self._bad_tag(node, line, col)
        return text

    def _bad_tag(self, node: Node, line: int, col: int) -> None:
        self.report(
            "SC011",
            f"the tag `{node.tag}` is not supported",
            "remove the tag; plain YAML values only",
            line,
            col,
        )
        raise _Abort


def _yaml11_message(text: str) -> str:
    if text.lower() in ("yes", "no", "on", "off"):
        return f"`{text}` is a boolean in YAML 1.1 but text in YAML 1.2"
    return f"`{text}` is read as a different number in YAML 1.1 (octal, hex, binary or with separators)"


def _yaml11_hint(text: str) -> str:
    if text.lower() in ("yes", "on"):
        return f'write true, or quote it if you mean the text: "{text}"'
    if text.lower() in ("no", "off"):
        return f'write false, or quote it if you mean the text: "{text}"'
    digits = text.lstrip("+-").replace("_", "")
    plain = digits.lstrip("0") or "0"
    if digits.isdigit():
        return f'write {text[0] if text[0] in "+-" else ""}{plain}, or quote it: "{text}"'
    return f'write the number in plain decimal, or quote it: "{text}"'


def _syntax_hint(problem: str) -> str:
    if "tab" in problem or "\\t" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "quote values that contain `: `, and check the indentation"
    if "could not find expected ':'" in problem:
        return "check the indentation and that each key ends with a colon"
    return "check the indentation and quoting around this position"


class _Abort(Exception):
    pass


class _Recursive(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


class _TooBig(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


_WS = re.compile(r"[ \t\n\r]*")


class _JsonLoader(_Builder):
    """A small recursive-descent JSON reader that records positions; scalars go through the json module."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(name)
        self.text = text
        self.lines = [0] + [m.end() for m in re.finditer("\n", text)]
        self.decoder = json.JSONDecoder()

    def pos(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.lines, offset)
        return line, offset - self.lines[line - 1] + 1

    def run(self) -> LoadResult:
        try:
            start = _WS.match(self.text, 0).end()  # type: ignore[union-attr]
            if start == len(self.text):
                return self.finish(None)
            data, end = self.value(start, (), 0)
            end = _WS.match(self.text, end).end()  # type: ignore[union-attr]
            if end != len(self.text):
                raise _JsonError("extra data after the JSON value", end)
        except _JsonError as e:
            self.report(
                "SC004",
                f"JSON syntax error: {e.message}",
                "check commas, quotes and brackets around here",
                *self.pos(e.offset),
            )
            return LoadResult(None, tuple(self.findings))
        except _Abort:
            return LoadResult(None, tuple(self.findings))
        return self.finish(data, *self.pos(start))

    def value(self, i: int, path: KeyPath, depth: int) -> tuple[Any, int]:
        self.values[path] = self.pos(i)
        if depth > MAX_DEPTH:
            self.report(
                "SC012", f"nested deeper than {MAX_DEPTH} levels", "flatten the structure", *self.pos(i)
            )
            raise _Abort
        text = self.text
        ch = text[i : i + 1]
        if ch == "{":
            result: dict[str, Any] = {}
            seen: dict[str, tuple[int, int]] = {}
            i = self._skip(i + 1)
            if text[i : i + 1] == "}":
                return result, i + 1
            while True:
                if text[i : i + 1] != '"':
                    raise _JsonError("expected a key in double quotes", i)
                key_at = self.pos(i)
                key, i = self._scalar(i)
                i = self._skip(i)
                if text[i : i + 1] != ":":
                    raise _JsonError("expected `:` after the key", i)
                child = (*path, key)
                if key in seen:
                    self.report(
                        "SC005",
                        f"duplicate key `{key}` (first set at line {seen[key][0]}, column {seen[key][1]})",
                        "keep one of them; JSON readers disagree on which wins",
                        *key_at,
                    )
                    _, i = self.value(self._skip(i + 1), (*path, f"\0dup{i}"), depth + 1)
                else:
                    seen[key] = key_at
                    self.keys[child] = key_at
                    result[key], i = self.value(self._skip(i + 1), child, depth + 1)
                i = self._skip(i)
                if text[i : i + 1] == ",":
                    i = self._skip(i + 1)
                    continue
                if text[i : i + 1] == "}":
                    return result, i + 1
                raise _JsonError("expected `,` or `}`", i)
        if ch == "[":
            items: list[Any] = []
            i = self._skip(i + 1)
            if text[i : i + 1] == "]":
                return items, i + 1
            while True:
                item, i = self.value(i, (*path, len(items)), depth + 1)
                items.append(item)
                i = self._skip(i)
                if text[i : i + 1] == ",":
                    i = self._skip(i + 1)
                    continue
                if text[i : i + 1] == "]":
                    return items, i + 1
                raise _JsonError("expected `,` or `]`", i)
        return self._scalar(i)

    def _skip(self, i: int) -> int:
        return _WS.match(self.text, i).end()  # type: ignore[union-attr]

    def _scalar(self, i: int) -> tuple[Any, int]:
        if self.text[i : i + 1] in ("{", "["):
            raise _JsonError("expected a value", i)
        try:
            value, end = self.decoder.raw_decode(self.text, i)
        except json.JSONDecodeError as e:
            raise _JsonError(e.msg.lower() if e.pos != i else "expected a value", e.pos) from e
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise _JsonError("NaN and Infinity are not JSON", i)
        return value, end


class _JsonError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
