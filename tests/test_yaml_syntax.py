"""A YAML syntax error is reported where the wrong construct starts, in plain words, quoting no value.

The table holds the common mistakes: each YAML snippet, the line:column a person would point at (in
characters, not bytes) and a phrase of the message. End-of-file cases, CRLF and bare-CR line ends and
non-ASCII text before the error are in it too.
"""

from __future__ import annotations

import pytest
import yaml

from connector.source.loader import loads
from connector.source.yaml_syntax import explain

from .conftest import CliRunner

# name: (text, line, column, phrase of the message, phrase of the hint)
CASES: dict[str, tuple[str, int, int, str, str]] = {
    # quotes that are never closed: at the opening quote, not at the end of the file
    "double quote at the end": ('host: a\nport: 1\nsubject: "Hello\n', 3, 10, "this quoted string is never closed", 'end it with `"`'),
    "double quote mid-file": ('host: a\nsubject: "Hello\nport: 1\nx: y\n', 2, 10, "never closed (it runs to the end of the file)", '`\\"`'),
    "single quote": ("host: a\nsubject: 'Hello\nport: 1\n", 2, 10, "this quoted string is never closed", "`''`"),
    "single quote, no final newline": ("host: a\nsubject: 'Hello", 2, 10, "never closed", "end it with `'`"),
    "a lone quote, the last character": ('a: "', 1, 4, "never closed", 'end it with `"`'),
    "a quoted key": ('"host: a\nport: 1\n', 1, 1, "never closed", ""),
    "closed by a document marker": ('a: "x\n---\nb: 1\n', 1, 4, "never closed before the document marker on line 2", ""),
    "CRLF": ('host: a\r\nsubject: "Hello\r\nport: 1\r\n', 2, 10, "never closed", ""),
    "bare CR": ("host: a\rsubject: 'x\r", 2, 10, "never closed", ""),
    "non-ASCII before the quote": ("ké: é\nsubject: 'héllo\n", 2, 10, "never closed", ""),
    "non-ASCII on the quote's line": ('prénom: "José\nport: 1\n', 1, 9, "never closed", ""),
    "astral characters before the quote": ('n: 😀\n😀😀: "x\n', 2, 5, "never closed", ""),
    # a quote closed too early, or on the wrong line
    "an apostrophe in single quotes": ("host: a\nsubject: 'It's here'\nport: 1\n", 2, 10, "ends at the quote in column 13, and text follows it", "`''`"),
    "a quote inside double quotes": ('subject: "say "hi" now"\n', 1, 10, "ends at the quote in column 15", '`\\"`'),
    "text after the closing quote": ('subject: "Hi" there\n', 1, 10, "text follows the closing quote of this string (at column 15)", "inside the quotes"),
    "closed by the next value's quote": ('host: a\nsubject: "Hello\nfrom: "x@y"\nport: 1\n', 2, 10, "runs on to line 3", ""),
    "a `: ` after a quoted value": ('a: "x": y\n', 1, 4, "a `: ` follows this quoted string (at line 1, column 7)", "inside the quotes"),
    # flow collections: at the bracket
    "unclosed [": ("host: a\nlist: [a, b\nport: 1\n", 2, 7, "this `[` list is never closed", "close it with `]`"),
    "unclosed [ at the end of the file": ("host: a\nlist: [a, b", 2, 7, "this `[` list is never closed", ""),
    "unclosed {": ("host: a\nm: {a: 1\nport: 1\n", 2, 4, "this `{` mapping is never closed", "close it with `}`"),
    "a ] closing a {": ("a: [1, {b: 2]\n", 1, 13, "expected `,` or `}` here, in the `{` mapping that opens at column 8", ""),
    "a placeholder at the start of a value": ("subject: {{ code }} is your code\n", 1, 10, "starts with `{` is a YAML mapping", "{{ placeholder }}"),
    "a list followed by text": ("a: [1, 2] and more\n", 1, 4, "starts with `[` is a YAML list", "in quotes"),
    # indentation
    "a line indented under a value": ("host: a\nauth:\n  user: x\n    pass: y\n", 4, 5, "indented deeper than the key on line 3", "column 3"),
    "a list item's value runs on": ("a:\n  - b: x\n      c: y\n", 3, 7, "indented deeper than the key on line 2", "column 5"),
    "indented between two levels": ("host: a\nauth:\n    user: x\n  pass: y\n", 4, 3, "indented 2 spaces, which matches none of the lines above it (indented 4 (line 3) and 0 (line 2))", ""),
    "one space short in a list": ("a:\n  - x\n - y\n", 3, 2, "indented 1 space", ""),
    "a block scalar ended by a short line": ("content: |\n  a\n b: c\n", 3, 2, "indented 1 space", ""),
    "comments and blank lines are not lines to line up with": ("a:\n    b: 1\n\n # c\n  c: 2\n", 5, 3, "(indented 4 (line 2) and 0 (line 1))", ""),
    "a tab indents": ("host: a\nauth:\n\tuser: x\n", 3, 1, "a tab character in the indentation", "spaces"),
    "a tab after spaces": ("a:\n  b: 1\n  \tc: 2\n", 3, 3, "a tab character in the indentation", ""),
    "a tab under a plain value": ("auth:\n  user:\tx\n\tpass: y\n", 3, 1, "a tab character in the indentation", ""),
    "a tab after non-ASCII": ("n: 😀\n\tb: 1\n", 2, 1, "a tab character", ""),
    # colons
    "a `: ` in an unquoted value": ("host: a\nsubject: Hello: world\n", 2, 10, "this value holds `: ` (at column 15)", "put the value in quotes"),
    "a `: ` in a value, CRLF": ("host: a\r\nsubject: Hi: there\r\n", 2, 10, "(at column 12)", ""),
    "a `: ` after non-ASCII": ("subject: Grüße: hallo\n", 1, 10, "(at column 15)", ""),
    "a line with no colon runs on": ("host\nport: 1\n", 1, 1, "this line has no `key: value` colon, so YAML runs it on into line 2", "a colon and a space"),
    "a key with no space after its colon": ("host: a\nport:587\nsecure: true\n", 2, 1, "no `: ` follows its key", "put a space after the colon"),
    "a key with no colon": ("host: a\nsubject\nport: 1\n", 2, 1, "no `: ` follows its key", "end the key with `: `"),
    # lists and mappings mixed
    "a list item in a mapping": ("host: a\n- b\n", 2, 1, "a list item (`- `) where the mapping above expects a `key: value` line", "under a key of its own"),
    "a key in a list": ("templates:\n  - usageType: SignIn\n  content: x\n", 3, 3, "a `key: value` line where the list above expects a `- ` item", "indent it to column 5 to belong to the item on line 2"),
    # characters that cannot start a value
    "@": ("host: @example.com\n", 1, 7, "`@` cannot start a value", "put the value in quotes"),
    "a backquote": ("host: `smtp`\n", 1, 7, "a backquote cannot start a value", "put the value in quotes"),
    "%": ("a: %x\n", 1, 4, "`%` cannot start a value", ""),
    "]": ("a: ]\n", 1, 4, "`]` cannot start a value here", "put the value in quotes"),
    "?": ("a: ? b\n", 1, 4, "`?` starts a complex key", ""),
    "an undefined alias": ("host: *nowhere\n", 1, 7, "starts with `*` refers to an anchor", "put it in quotes"),
    "an anchor used twice": ("a: &x 1\nb: &x 2\n", 2, 4, "already used at line 1, column 4", ""),
    "an unknown escape": ('pass: "a\\qb"\n', 1, 9, "this `\\` starts an escape that YAML does not know", "`\\\\`"),
    "a backslash at the end of the file": ('a: "x\\', 1, 6, "starts an escape", ""),
    "text after a block indicator": ("a: |x\n  y\n", 1, 5, "after `|` or `>`", "next line"),
    # the document
    "two documents": ("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document", "remove the `---` line"),
    "a YAML version": ("%YAML 1.3\n---\na: 1\n", 1, 1, "names a version of YAML", ""),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_a_syntax_error_is_reported_where_it_starts(name: str) -> None:
    text, line, column, phrase, hint = CASES[name]
    findings = loads(text.encode(), "f.yaml").findings
    assert len(findings) == 1, findings
    (finding,) = findings
    assert (finding.rule, finding.line, finding.column) == ("SC004", line, column), finding.format()
    assert finding.message.startswith("YAML syntax error: ")
    assert phrase in finding.message, finding.message
    assert hint in finding.hint, finding.hint


@pytest.mark.parametrize("name", list(CASES))
def test_the_position_is_never_past_the_end_of_the_file(name: str) -> None:
    text = CASES[name][0]
    (finding,) = loads(text.encode(), "f.yaml").findings
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert finding.line <= len(rows)
    assert finding.column <= len(rows[finding.line - 1]) + 1


def test_a_utf8_bom_does_not_shift_the_column() -> None:
    (finding,) = loads('\ufeffa: "x\n'.encode(), "f.yaml").findings
    assert (finding.line, finding.column) == (1, 4)


CANARY = "Hunter2Canary"
# A password is where a syntax error often is: it is the value with the odd characters.
SECRET_MISTAKES = [
    f'pass: "{CANARY}\nuser: x\n',
    f"pass: '{CANARY}'s'\n",
    f'pass: "{CANARY}" and more\n',
    f"pass: {CANARY}: x\n",
    f"pass: @{CANARY}\n",
    f"pass: `{CANARY}`\n",
    f"pass: *{CANARY}\n",
    f'pass: "{CANARY}\\q"\n',
    f"pass: [{CANARY}\nuser: x\n",
    f"pass: {{{CANARY}}} and more\n",
    f"pass: !{CANARY}\n",
    f"pass: !{CANARY} [a]\n",
    f"auth:\n  pass: !{CANARY}\n",
    f"pass: &{CANARY} x\nuser: &{CANARY} y\n",
    f"{CANARY}\nport: 1\n",
    f"pass:\t{CANARY}\n\tuser: x\n",
]


@pytest.mark.parametrize("text", SECRET_MISTAKES)
def test_no_message_quotes_the_text_of_a_broken_value(text: str) -> None:
    findings = loads(text.encode(), "f.yaml").findings
    assert findings
    for finding in findings:
        assert CANARY.lower() not in (finding.message + finding.hint).lower(), finding.format()


@pytest.mark.parametrize(
    "problem",
    [
        "found undefined alias 'Hunter2Canary'",
        "found character 'H' that cannot start any token",
        "odd 'Hunter2Canary'",
    ],
)
def test_what_pyyaml_quotes_is_left_out(problem: str) -> None:
    # PyYAML without libyaml quotes the text in its messages; libyaml does not. Neither reaches the user.
    mark = yaml.Mark("f.yaml", 0, 0, 0, None, None)
    error = yaml.MarkedYAMLError(None, None, problem, mark)
    explained = explain("a: b\n", error)
    assert CANARY not in explained.message + explained.hint


def test_lint_shows_the_opening_quote(cli: CliRunner, tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "logto.yaml"
    path.write_text('host: smtp.example.com\nport: 587\nsubject: "Your code\nfromEmail: a@example.com\n')
    result = cli("lint", str(path), expect=1)
    assert (
        f"{path}:3:10: error SC004 YAML syntax error: this quoted string is never closed (it runs to the end of "
        'the file) (hint: end it with `"`; inside double quotes, a `"` is written `\\"`)'
    ) in result.stdout
