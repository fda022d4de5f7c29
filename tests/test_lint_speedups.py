"""Shortcuts taken for lint's speed give the answers the long way gave (benchmarks/RESULTS.md measures them)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.diagnostics import redact as redaction
from connector.diagnostics.redact import REDACTED, redact, register_secret_texts
from connector.lint.engine import enclosing_project
from connector.logto import is_secret_path
from connector.logto.credentials import at_secret_paths
from connector.logto.examples import first_html_tag
from connector.logto.headers import LINE_BREAKS, line_break
from connector.logto.html_elements import check_html
from connector.source.json_reader import JsonLoader, offsets
from connector.source.loader import read_capped
from connector.source.positions import Positions
from connector.source.walk import strings


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 10, 64])
def test_read_capped_reads_the_file_up_to_one_byte_over_the_cap(tmp_path: Path, size: int) -> None:
    path = tmp_path / "f.json"
    content = (b"abcdefghijklmnopqrstuvwxyz" * 3)[:size]
    path.write_bytes(content)
    assert read_capped(path, 8) == content[:9]


def test_read_capped_reads_on_past_the_size_the_file_reported() -> None:
    """A file that grew after it was opened (here one of /proc, which reports a size of 0) is read on, up to
    the cap: the size is a first guess, never a limit."""
    status = Path("/proc/self/status")
    if not status.is_file() or status.stat().st_size != 0:
        pytest.skip("needs Linux's /proc, whose files report a size of 0")
    capped = read_capped(status, 10)
    assert len(capped) == 11 and capped.startswith(b"Name:")
    whole = read_capped(status, 1 << 20)
    assert whole.startswith(b"Name:") and whole.endswith(b"\n") and len(whole) > 100


@pytest.mark.parametrize("char", list(LINE_BREAKS))
def test_line_break_names_each_line_ending(char: str) -> None:
    expected = "a line break" if char in "\r\n" else f"a line separator (U+{ord(char):04X})"
    assert line_break(f"Subject{char}Bcc: x") == expected
    assert line_break(char) == expected


def test_line_break_names_the_first_one() -> None:
    assert line_break("a\u2028b\nc") == "a line separator (U+2028)"
    assert line_break("a\nb\u2028c") == "a line break"
    assert line_break("tab\tand \x00 and \x7f are no line break") is None
    assert line_break("") is None


def test_text_without_a_tag_has_no_html_problem() -> None:
    for text in ("", "a > b & c", "5 &lt; 6", "}}{{"):
        assert check_html(text) is None
        assert first_html_tag(text) is None
    assert first_html_tag("a < b and </b>") == "</b>"
    assert check_html("<") is not None


def test_the_project_of_a_relative_path_follows_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder lookup is cached by absolute folder: the same relative name in another folder is another file."""
    project, plain = tmp_path / "project", tmp_path / "plain"
    for folder in (project, plain):
        folder.mkdir()
        (folder / ".git").mkdir()  # stop the search here
        (folder / "config.json").write_text("{}", encoding="utf-8")
    (project / "smtp-connector.yaml").write_text("host: smtp.example.com\n", encoding="utf-8")
    monkeypatch.chdir(project)
    assert enclosing_project(Path("config.json")) == project.resolve()
    monkeypatch.chdir(plain)
    assert enclosing_project(Path("config.json")) is None
    assert os.getcwd() == str(plain)


def test_a_json_file_is_one_document_even_when_a_finding_asks_for_positions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The C parser reads a well-formed JSON file; the positional reader runs only for positions, and makes
    no second Document (which would register every secret of the file a second time)."""
    from connector.lint import lint_paths
    from connector.source import secret_values

    calls: list[object] = []
    real = secret_values.register_written_secrets
    monkeypatch.setattr(
        secret_values, "register_written_secrets", lambda data: calls.append(data) or real(data)
    )
    path = tmp_path / "c.json"
    path.write_text('{"host": "smtp.example.com",\n "port": "587", "auth": {"pass": "Pw0rd-json-once"}}')
    findings = lint_paths([str(path)]).findings
    assert any(f.line == 2 and f.column == 10 for f in findings)  # `port` placed: the positions were read
    assert len(calls) == 1


def test_a_clean_json_config_never_reads_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Positions are read only to place a finding: a rule that located every value it looked at (SC101 did,
    for every usageType) made the pure-Python positional reader run over every file, nearly doubling the
    time of lint over many clean configs."""
    from connector.lint import lint_paths
    from connector.source import json_reader

    reads: list[str] = []
    real = json_reader._Positions.table
    monkeypatch.setattr(
        json_reader._Positions, "table", lambda self, which: reads.append(which) or real(self, which)
    )
    example = Path(__file__).parent / "data" / "final" / "good" / "logto-console-example.json"
    assert lint_paths([str(example)]).findings == []
    assert reads == []


_KEYS = st.sampled_from(["pass", "key", "auth", "customHeaders", "a", "", 'q"\\', "é\u2028"]) | st.text(
    max_size=3
)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4)
)
_TREES = st.recursive(
    _LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4)
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, _TREES), st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_the_positions_of_a_well_formed_json_file_are_the_positional_readers(
    data: dict[str, Any], indent: int | str | None, ascii_only: bool
) -> None:
    """The one-pass offsets (read when a finding of a file the C parser read needs a place) are the positions
    the recursive reader records, for every value and key: escapes, nesting, empty containers, layouts."""
    text = json.dumps(data, indent=indent, ensure_ascii=ascii_only)
    reader = JsonLoader("f.json", text)
    reader.value(0, (), 0)
    values, keys = offsets(text)
    place = Positions(text)
    assert {path: place(at) for path, at in values.items()} == reader.values
    assert {path: place(at) for path, at in keys.items()} == reader.keys


def _strings_by_recursion(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_by_recursion(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings_by_recursion(item, (*path, index))


def _secrets_by_recursion(value: Any, inside: bool, path: tuple[Any, ...] = ()) -> Iterator[Any]:
    """The leaves at a secret path, by the definition: is_secret_path of the whole path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _secrets_by_recursion(item, inside, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _secrets_by_recursion(item, inside, (*path, index))
    elif inside or is_secret_path(path):
        yield value


@settings(max_examples=300, deadline=None)
@given(_TREES, st.booleans())
def test_the_walks_visit_what_a_recursive_walk_visits_in_order(data: Any, secret: bool) -> None:
    assert list(strings(data)) == list(_strings_by_recursion(data))
    assert list(strings(data, ("at", 0))) == list(_strings_by_recursion(data, ("at", 0)))
    assert at_secret_paths(data, secret) == list(_secrets_by_recursion(data, secret))


def test_secrets_registered_together_each_get_their_forms(monkeypatch: pytest.MonkeyPatch) -> None:
    """All plain secrets take one check for the batch; one special character among them still gives that
    value (and only it) its escaped forms."""
    monkeypatch.setattr(redaction, "_secrets", set())
    monkeypatch.setattr(redaction, "_forms", set())
    monkeypatch.setattr(redaction, "_lengths", {})
    register_secret_texts(["plain-one", "plain_two"])
    assert redaction._forms == {"plain-one", "plain_two"}
    register_secret_texts(["plain-three", 'quo"te-four', "abc", "plain-one"])
    assert redact('x "quo\\"te-four" plain-three plain-one plain_two abc') == (
        f'x "{REDACTED}" {REDACTED} {REDACTED} {REDACTED} abc'
    )
    assert redaction._lengths["plai"] == [9, 11]
