"""The YAML reader: YAML 1.2 core scalars, positions for every key and value, no surprises."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from connector.diagnostics.findings import Finding
from connector.diagnostics.paths import KeyPath
from connector.logto import is_secret_path
from connector.source.document import MAX_DEPTH, MAX_NODES, Abort, Builder, LoadResult
from connector.source.positions import position

_YAML11 = "tag:smtp-connector:yaml11"
_YAML11_DATE = "tag:smtp-connector:yaml11-date"
_STR, _INT, _FLOAT, _BOOL, _NULL = (
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)
_SEQ, _MAP, _MERGE = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", "tag:yaml.org,2002:merge"


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
try:  # libyaml: several times faster, same events and marks
    from yaml.cyaml import CParser as _CParser  # type: ignore[attr-defined]

    class _Composer(_CParser, _Resolver):
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Resolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Composer(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Resolver
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


class YamlLoader(Builder):
    def __init__(self, name: str, text: str, *, layer: bool = False) -> None:
        super().__init__(name)
        self.text = text
        self.layer = layer  # nothing written (empty, comments only) is an empty layer, not SC007

    def run(self) -> LoadResult:
        composer = None
        try:
            composer = _Composer(self.text)
            node = composer.get_single_node()
        except yaml.MarkedYAMLError as e:
            if "maximum nesting depth" in (e.problem or ""):
                mark = e.problem_mark or e.context_mark
                line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                self.report(
                    "SC012",
                    "the document is nested too deeply to read",
                    f"configs need at most {MAX_DEPTH} levels",
                    line,
                    col,
                )
                return LoadResult(None, tuple(self.findings))
            # start-up: the syntax explainer loads only for a file that does not parse
            from connector.source.yaml_syntax import explain  # only a file that does not parse needs it

            problem = explain(self.text, e)
            self.report(
                "SC004", f"YAML syntax error: {problem.message}", problem.hint, problem.line, problem.column
            )
            return LoadResult(None, tuple(self.findings))
        except yaml.reader.ReaderError as e:
            line, column = position(self.text, e.position)
            self.report("SC004", f"the control character U+{e.character:04X} is not allowed in YAML",
                        "remove it, or write it as an escape in a double-quoted string", line, column)  # fmt: skip
            return LoadResult(None, tuple(self.findings))
        except yaml.YAMLError:  # no position to give, and its text may quote the file (a secret)
            self.report(
                "SC004", "YAML syntax error: the file cannot be read as YAML", "check the file's syntax", 1, 1
            )
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
            dispose = getattr(composer, "dispose", None) if composer is not None else None
            if dispose:
                dispose()
        if node is None or (self.layer and _nothing_written(node)):
            return self.finish({} if self.layer else None)
        if not self._check_size(node):
            return LoadResult(None, tuple(self.findings))
        try:
            data = self.build(node, (), 0)
        except Abort:
            return LoadResult(None, tuple(self.findings))
        return self.finish(data, node.start_mark.line + 1, node.start_mark.column + 1)

    def _check_size(self, root: Node) -> bool:
        sizes: dict[int, int] = {}
        active: set[int] = set()

        aliased = False

        def size(node: Node) -> int:
            nonlocal aliased
            key = id(node)
            if key in sizes:
                aliased = True  # a node met twice: an alias
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
            if not aliased:
                self.report(
                    "SC003",
                    f"the document has more than {MAX_NODES:,} keys and values; a connector config has a few hundred",
                    "split it, or check that this is the file you meant",
                    m.line + 1,
                    m.column + 1,
                )
                return False
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
            raise Abort
        if isinstance(node, ScalarNode):
            value = self.scalar(node, line, col, secret=is_secret_path(path))
            if isinstance(value, str) and value:
                starts = self._text_starts(node, value)
                if starts is not None:
                    self.texts[path] = starts
            return value
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self._bad_tag(node, line, col, secret=is_secret_path(path))
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        if node.tag != _MAP:
            self._bad_tag(node, line, col, secret=is_secret_path(path))
        result: dict[str, Any] = {}
        seen: dict[str, tuple[int, int]] = {}
        merged: set[str] = set()
        for key_node, value_node in node.value:
            kl, kc = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == _MERGE:
                self._merge(value_node, path, depth, result, merged)
                continue
            key = self.scalar(key_node, kl, kc) if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str) and self._placeholder_unquoted(node, key_node):
                self.report(
                    "SC010",
                    "a value that starts with `{{` is read as a YAML mapping (`{...}` inside `{...}`), "
                    "not as a placeholder",
                    "a value that starts with a `{{ placeholder }}` must be quoted: put the whole value in quotes",
                    line,
                    col,
                )
                continue
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

    def scalar(self, node: ScalarNode, line: int, col: int, *, secret: bool = False) -> Any:
        """The typed value of a scalar; ``secret``: a credential, which no finding about it may quote."""
        if secret:
            before = len(self.findings)
            try:
                return self.scalar(node, line, col)
            finally:  # an unsupported tag aborts the document: its finding must not quote the tag either
                self.findings[before:] = [_unquoted(f) for f in self.findings[before:]]
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

    def _text_starts(self, node: ScalarNode, value: str) -> tuple[tuple[int, int], ...] | None:
        """Where each line of ``value`` starts in the file, if it stands there as it reads: a plain or quoted
        scalar on one line (quoted: with no escape), or a literal `|` block; None for folded text."""
        start, end = node.start_mark, node.end_mark
        if node.style in (None, "", "'", '"'):
            if start.line != end.line:
                return None
            if not node.style:
                return ((start.line + 1, start.column + 1),)
            inner = self.text[start.index + 1 : end.index - 1]
            return ((start.line + 1, start.column + 2),) if inner == value else None
        if node.style != "|":
            return None
        header_end = self.text.find("\n", start.index)
        if header_end < 0:
            return None
        wanted = value.split("\n")
        lines = self.text[header_end + 1 : end.index].split("\n")[: len(wanted)]
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        written = next((line for line in lines if line.strip(" ")), None)
        if written is None or len(lines) < len(wanted):
            return None
        indent = len(written) - len(written.lstrip(" "))
        if any(line[indent:] != text for line, text in zip(lines, wanted, strict=True)):
            return None  # an indentation indicator, or text this reading does not follow: no exact places
        first = start.line + 2
        return tuple((first + k, indent + 1) for k in range(len(wanted)))

    def _placeholder_unquoted(self, node: MappingNode, key: Node) -> bool:
        """``subject: {{ code }}``: a flow mapping whose first key is a flow mapping, written ``{{``."""
        mark = node.start_mark
        return (
            bool(node.flow_style)
            and isinstance(key, MappingNode)
            and key.start_mark.index == mark.index + 1
            and self.text[mark.index : mark.index + 2] == "{{"
        )

    def _bad_tag(self, node: Node, line: int, col: int, *, secret: bool = False) -> None:
        self.report(
            "SC011",
            f"the tag `{node.tag}` is not supported",
            "remove the tag; plain YAML values only",
            line,
            col,
        )
        if secret:
            self.findings[-1] = _unquoted(self.findings[-1])
        raise Abort


# What a finding about a secret value says instead of quoting it (the value's key is in the position).
_SECRET_WORDING = {
    "SC008": ("this secret is read as a number or a boolean in YAML 1.1, not as the text written",
              "quote it, or better: write a ${VAR} reference and set the variable in the environment"),
    "SC009": ("this secret is read as a date or a base-60 number in YAML 1.1, not as the text written",
              "quote it, or better: write a ${VAR} reference and set the variable in the environment"),
    "SC011": ("this secret starts with `!`, which YAML reads as a tag, not as the text written",
              "quote it, or better: write a ${VAR} reference and set the variable in the environment"),
}  # fmt: skip


def _unquoted(finding: Finding) -> Finding:
    message, hint = _SECRET_WORDING.get(
        finding.rule, ("this secret is not a valid value as written", "quote it, as text")
    )
    return replace(finding, message=message, hint=hint)


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


def _nothing_written(node: Node) -> bool:
    """A document of no content (``---`` and comments): libyaml gives it an empty plain null scalar.

    An explicit ``null`` or ``~`` was written, and stays a top level that is not a mapping."""
    return isinstance(node, ScalarNode) and node.tag == _NULL and node.value == "" and not node.style


class _Recursive(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


class _TooBig(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


def parse_scalar(
    text: str, name: str, line: int = 1, column: int = 1, *, secret: bool = False
) -> tuple[Any, tuple[Finding, ...]]:
    """One plain (unquoted) YAML scalar typed by this loader's YAML 1.2 rules, as on the command line.

    ``465`` is a number, ``true`` a boolean, ``null`` or nothing is null, anything else is text as written
    (``a: b`` and ``#x`` included); ``yes``/``0465`` are refused the way they are in files.
    """
    tag: str = _Resolver().resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    builder = YamlLoader(name, text)
    value = builder.scalar(ScalarNode(tag, text), line, column, secret=secret)
    return value, tuple(builder.findings)
