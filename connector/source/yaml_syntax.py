"""A YAML syntax error in plain words, at the place where the wrong construct starts.

libyaml reports where it gave up: for a quote that is never closed, that is the end of the file; for a
value that holds `: `, the colon; for a line indented one space too few, the line after. This module
turns its error into what a person would point at (the opening quote, the value, the line whose
indentation is off) by looking at the tokens just before the failure, and words it without libyaml's
vocabulary (no "simple key", no "block end").

Nothing from the text is quoted except structural characters (a quote, a bracket, `@`): the document
was never built, so its secrets are not yet registered for redaction (docs/security.md), and the value
that breaks the syntax may well be the password.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.tokens import (
    BlockEntryToken,
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
    ScalarToken,
    Token,
)

# What YAML treats as a line break (libyaml's IS_BREAK): marks count lines by these.
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_QUOTE_HINTS = {
    '"': 'end it with `"`; inside double quotes, a `"` is written `\\"`',
    "'": "end it with `'`; inside single quotes, a `'` is written `''` (two single quotes)",
}
_QUOTE_VALUE = "put the value in quotes"
_INDENT_HINT = "check this line's indentation and the quoting of the value before it"


@dataclass(frozen=True)
class SyntaxProblem:
    """Where a syntax error starts (1-based line and character column) and what it is."""

    line: int
    column: int
    message: str
    hint: str


def explain(text: str, error: yaml.MarkedYAMLError) -> SyntaxProblem:
    """The position, message and hint for ``error``, raised by reading ``text``."""
    return _Explainer(text, error).run()


class _Explainer:
    def __init__(self, text: str, error: yaml.MarkedYAMLError) -> None:
        self.lines = _BREAKS.split(text)
        self.text = text
        self.problem = (error.problem or "").lower()
        self.context = (error.context or "").lower()
        self.problem_at = _mark(error.problem_mark) or _mark(error.context_mark) or (1, 1)
        self.context_at = _mark(error.context_mark)
        self.scan = _Scan(text, error.problem_mark.index if error.problem_mark else len(text))

    def run(self) -> SyntaxProblem:
        p, c = self.problem, self.context
        if "quoted scalar" in c and ("end of stream" in p or "document" in p):
            return self.unclosed_quote()
        if "escape" in p or "hexadecimal" in p or "hexdecimal" in p:
            return self.escape()
        if "flow sequence" in c or "flow mapping" in c:
            return self.flow()
        if "tab" in p or ("cannot start any token" in p and self.char(*self.problem_at) == "\t"):
            return self.tab()
        if "cannot start any token" in p:
            return self.reserved()
        if "undefined alias" in p:
            return self.at_problem(
                "a value that starts with `*` refers to an anchor (`&name`), and no anchor of that name "
                "is defined above it",
                "if the value is text, put it in quotes",
            )
        if "duplicate anchor" in c:
            first = self.context_at or (1, 1)
            return self.at_problem(
                f"this anchor's name is already used at line {first[0]}, column {first[1]}",
                "give each anchor (`&name`) its own name; if the value is text, put it in quotes",
            )
        if "mapping values are not allowed" in p:
            return self.colon()
        if "expected ':'" in p and "simple key" in c:
            return self.no_colon()
        if "block mapping" in c and ("expected key" in p or "<block end>" in p):
            return self.not_a_key()
        if "block collection" in c and ("'-' indicator" in p or "<block end>" in p):
            return self.not_an_item()
        if "node content" in p:
            return self.not_a_value()
        if "block scalar" in c:
            return self.at_problem(
                "after `|` or `>`, only `-`, `+` or an indentation digit may follow on the same line",
                "start the text on the next line, indented",
            )
        if "mapping keys are not allowed" in p:
            return self.at_problem("`?` starts a complex key, which is not allowed here", _QUOTE_VALUE)
        if "single document" in c:
            return self.at_problem(
                "more than one YAML document (a `---` separator) in one file",
                "keep one config per file; remove the `---` line",
            )
        if "incompatible yaml document" in p:
            return self.at_problem(
                "the `%YAML` line names a version of YAML this reader does not read",
                "remove the `%YAML` line",
            )
        return self.at_problem(_sanitized(_error_text(self.problem, self.context)), _INDENT_HINT)

    # --- the cases --------------------------------------------------------------------------------

    def unclosed_quote(self) -> SyntaxProblem:
        line, column = self.context_at or self.problem_at
        quote = self.char(line, column)
        where = (
            f"before the document marker on line {self.problem_at[0]}"
            if "document" in self.problem
            else "(it runs to the end of the file)"
        )
        return self.at(
            line, column, f"this quoted string is never closed {where}", _QUOTE_HINTS.get(quote, _QUOTE_VALUE)
        )

    def escape(self) -> SyntaxProblem:
        line, column = self.problem_at
        row = self.row(line)
        # libyaml points at the backslash, PyYAML at the character after it.
        backslash = row.rfind("\\", 0, column)
        if backslash >= 0 and column - (backslash + 1) <= 1:
            column = backslash + 1
        return self.at(
            line,
            column,
            "this `\\` starts an escape that YAML does not know (in a double-quoted string)",
            "write a backslash as `\\\\`, or use single quotes, inside which `\\` is plain text",
        )

    def flow(self) -> SyntaxProblem:
        opened = self.context_at or self.problem_at
        bracket = self.char(*opened)
        closing, what = ("]", "list") if bracket == "[" else ("}", "mapping")
        if self.problem_at[0] > opened[0] or "stream" in self.problem:
            return self.at(
                *opened,
                f"this `{bracket}` {what} is never closed",
                f"close it with `{closing}`; if the value is text that starts with `{bracket}`, "
                "put the whole value in quotes",
            )
        return self.at_problem(
            f"expected `,` or `{closing}` here, in the `{bracket}` {what} that opens at column {opened[1]}",
            "separate items with `, `, and quote an item that holds `: `, `,`, a bracket or a brace",
        )

    def tab(self) -> SyntaxProblem:
        line, column = self.problem_at
        if self.row(line)[: column - 1].strip(" \t"):
            return self.at_problem("a tab character where YAML needs a space", "replace the tab with a space")
        return self.at_problem(
            "a tab character in the indentation: YAML indents with spaces only", "replace the tab with spaces"
        )

    def reserved(self) -> SyntaxProblem:
        char = self.char(*self.problem_at)
        if char == "@":
            return self.at_problem("`@` cannot start a value: YAML reserves it", _QUOTE_VALUE)
        if char == "`":
            return self.at_problem("a backquote cannot start a value: YAML reserves it", _QUOTE_VALUE)
        if char == "%":
            return self.at_problem("`%` cannot start a value (it starts a directive line)", _QUOTE_VALUE)
        return self.at_problem("this character cannot start a value", _QUOTE_VALUE)

    def colon(self) -> SyntaxProblem:
        """A `: ` where no key may start: in a value, or on a line that runs on from the line above."""
        colon_line, colon_column = self.problem_at
        scalar = self.scan.last_scalar
        if scalar is None:
            return self.at_problem("a `: ` where no key can start", _QUOTE_VALUE)
        start = _mark(scalar.start_mark) or (1, 1)
        if scalar.style in ("'", '"'):
            return self.at(
                *start,
                f"a `: ` follows this quoted string (at line {colon_line}, column {colon_column})",
                "put the whole value inside the quotes",
            )
        if start[0] == colon_line:
            return self.at(
                *start,
                f"this value holds `: ` (at column {colon_column}), which YAML reads as the start of a mapping",
                _QUOTE_VALUE,
            )
        if start[1] > self.first_column(start[0]):  # the value after a key runs on to a deeper line
            key = self.key_column(start[0])
            return self.at(
                colon_line,
                self.first_column(colon_line),
                f"this line is indented deeper than the key on line {start[0]}, so YAML reads it as more of "
                "that key's value",
                f"line it up with that key (column {key}) if it is a key of its own",
            )
        return self.at(
            *start,
            f"this line has no `key: value` colon, so YAML runs it on into line {start[0] + 1}",
            "end the key with `: ` (a colon and a space), or remove the line",
        )

    def no_colon(self) -> SyntaxProblem:
        line, column = self.context_at or self.problem_at
        rest = self.row(line)[column - 1 :]
        if re.search(r":[^\s]", rest.split(" #")[0]):
            hint = "put a space after the colon: `key: value`"
        else:
            hint = "end the key with `: ` (a colon and a space), or remove the line"
        return self.at(line, column, "this line is not `key: value`: no `: ` follows its key", hint)

    def not_a_key(self) -> SyntaxProblem:
        line, column = self.problem_at
        before = self.scan.before
        if (
            isinstance(before, ScalarToken)
            and before.style in ("'", '"')
            and before.end_mark.line + 1 == line
        ):
            return self.after_quote(before)
        if isinstance(before, FlowMappingEndToken | FlowSequenceEndToken) and self.scan.closed is not None:
            opened = _mark(self.scan.closed.start_mark) or (line, column)
            if opened[0] == line:
                return self.after_flow(opened)
        wrong = self.misindented(line, column)
        if wrong is not None:
            return wrong
        if isinstance(self.scan.at, BlockEntryToken) or self.char(line, column) == "-":
            return self.at_problem(
                "a list item (`- `) where the mapping above expects a `key: value` line",
                "a key holds either a list or `key: value` lines: put the list under a key of its own",
            )
        return self.at_problem("this is not a `key: value` line of the mapping around it", _INDENT_HINT)

    def not_an_item(self) -> SyntaxProblem:
        line, column = self.problem_at
        wrong = self.misindented(line, column)
        if wrong is not None:
            return wrong
        item = self.context_at
        if item is None:
            return self.at_problem(
                "a `key: value` line where the list around it expects a `- ` item", _INDENT_HINT
            )
        content = item[1] + len(self.row(item[0])[item[1] :]) - len(self.row(item[0])[item[1] :].lstrip(" "))
        return self.at_problem(
            "a `key: value` line where the list above expects a `- ` item",
            f"indent it to column {content + 1} to belong to the item on line {item[0]}, "
            "or start a new item with `- `",
        )

    def not_a_value(self) -> SyntaxProblem:
        char = self.char(*self.problem_at)
        if char in ("]", "}", ",", "|", ">"):
            return self.at_problem(f"`{char}` cannot start a value here", _QUOTE_VALUE)
        return self.at_problem("a value was expected here", _QUOTE_VALUE)

    def after_quote(self, token: ScalarToken) -> SyntaxProblem:
        start = _mark(token.start_mark) or (1, 1)
        end_line, after = token.end_mark.line + 1, token.end_mark.column + 1
        hint = _QUOTE_HINTS[token.style]
        if end_line > start[0]:
            return self.at(
                *start,
                f"this quoted string is not closed on its line: it runs on to line {end_line}, where the next "
                "quote closes it",
                hint,
            )
        if self.problem_at == (end_line, after):  # text right after the closing quote
            return self.at(
                *start,
                f"this quoted string ends at the quote in column {after - 1}, and text follows it",
                hint,
            )
        return self.at(
            *start,
            f"text follows the closing quote of this string (at column {self.problem_at[1]})",
            "put the whole value inside the quotes",
        )

    def after_flow(self, opened: tuple[int, int]) -> SyntaxProblem:
        bracket = self.char(*opened)
        what = "list" if bracket == "[" else "mapping"
        hint = (
            "a value that starts with a `{{ placeholder }}` must be quoted: put the whole value in quotes"
            if self.row(opened[0])[opened[1] - 1 : opened[1] + 1] == "{{"
            else "put the whole value in quotes"
        )
        return self.at(
            *opened, f"a value that starts with `{bracket}` is a YAML {what}, and text follows its end", hint
        )

    def misindented(self, line: int, column: int) -> SyntaxProblem | None:
        """A line whose indentation lines it up with no line that encloses it, if this is one."""
        if column != self.first_column(line):
            return None
        indent, enclosing = column - 1, self.enclosing(line)
        if not enclosing or indent in (i for i, _ in enclosing):
            return None
        shown = " and ".join(f"{i} (line {n})" for i, n in enclosing[:2])
        spaces = "1 space" if indent == 1 else f"{indent} spaces"
        return self.at(
            line,
            column,
            f"this line is indented {spaces}, which matches none of the lines above it (indented {shown})",
            "indent it as much as the keys it belongs with",
        )

    # --- the text -----------------------------------------------------------------------------------

    def enclosing(self, line: int) -> list[tuple[int, int]]:
        """(indentation, line) of the lines above ``line`` that could enclose it, innermost first."""
        found: list[tuple[int, int]] = []
        for number in range(line - 1, 0, -1):
            row = self.row(number)
            content = row.lstrip(" ")
            if not content or content.startswith("#"):
                continue
            indent = len(row) - len(content)
            if not found or indent < found[-1][0]:
                found.append((indent, number))
            if indent == 0:
                break
        return found

    def row(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def char(self, line: int, column: int) -> str:
        return self.row(line)[column - 1 : column]

    def first_column(self, line: int) -> int:
        row = self.row(line)
        return len(row) - len(row.lstrip(" ")) + 1

    def key_column(self, line: int) -> int:
        row = self.row(line)
        start = len(row) - len(row.lstrip(" "))
        while row[start : start + 2] == "- ":  # the key of a list item starts after its dash
            start += len(row[start + 1 :]) - len(row[start + 1 :].lstrip(" ")) + 1
        return start + 1

    def at_problem(self, message: str, hint: str) -> SyntaxProblem:
        return self.at(*self.problem_at, message, hint)

    def at(self, line: int, column: int, message: str, hint: str) -> SyntaxProblem:
        # Never past the end: a mark after the last line with text is the end of that line.
        last = max((n for n, row in enumerate(self.lines, 1) if row.strip()), default=1)
        if line > last:
            line, column = last, len(self.row(last)) + 1
        return SyntaxProblem(line, column, message, hint)


class _Scan:
    """The tokens just before the failure (libyaml's own, as the reader's), in one linear pass."""

    def __init__(self, text: str, limit: int) -> None:
        recent: deque[Token] = deque(maxlen=2)
        opened: list[Token] = []
        self.last_scalar: ScalarToken | None = None
        self.closed: Token | None = None  # the start of the flow collection the last token closed
        self.at: Token | None = None  # the token at the failure
        scanner = _scanner(text)
        try:
            while True:
                token = scanner.get_token()
                if token is None:
                    break
                if token.start_mark.index >= limit:
                    self.at = token
                    break
                recent.append(token)
                self.closed = None
                if isinstance(token, FlowSequenceStartToken | FlowMappingStartToken):
                    opened.append(token)
                elif isinstance(token, FlowSequenceEndToken | FlowMappingEndToken) and opened:
                    self.closed = opened.pop()
                elif isinstance(token, ScalarToken):
                    self.last_scalar = token
        except yaml.YAMLError:
            pass
        finally:
            dispose = getattr(scanner, "dispose", None)
            if dispose:
                dispose()
        self.before: Token | None = recent[-1] if recent else None


try:  # libyaml: the same tokens, several times faster
    from yaml.cyaml import CParser as _Scanner  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Scanner(yaml.reader.Reader, yaml.scanner.Scanner):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)


def _scanner(text: str) -> Any:
    return _Scanner(text)


def _mark(mark: yaml.Mark | None) -> tuple[int, int] | None:
    return (mark.line + 1, mark.column + 1) if mark is not None else None


def _error_text(problem: str, context: str) -> str:
    return f"{context}: {problem}" if context and "while" not in context else problem


def _sanitized(problem: str) -> str:
    """libyaml's wording without what PyYAML quotes from the text (an alias name, a character)."""
    return "YAML cannot read this: " + re.sub(r"'[^']*'|\"[^\"]*\"", "…", problem or "invalid YAML")
