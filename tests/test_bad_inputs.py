"""Every bad input gives exit 1 and one line naming the file, the position and the rule; never a traceback.

The corpus is tests/data/bad-inputs/ (every file there is picked up); EXPECTED says what each one must
give. Inputs that cannot be committed (a folder where a file is expected, a path through a file, a
dangling symlink, a FIFO, an oversized file, a broken environment file in a project) are made here.
How long the corpus takes is measured in benchmarks/ (``bad-inputs``), not asserted.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from connector.source.loader import MAX_BYTES

from .conftest import CliResult, CliRunner, run_subprocess

CORPUS = Path(__file__).resolve().parent / "data" / "bad-inputs"
FILES = sorted(p.name for p in CORPUS.iterdir() if p.is_file())
# A hang guard for the real processes, not a speed assertion (speed: benchmarks/run.py bad-inputs).
HANG_GUARD = 60

# file: (rule, line, column, message, linted as given). `lint` skips a file that nothing marks as an SMTP
# connector config (no fromEmail, usageType or schema line, not named like a project file), so the
# pre-commit hook can be given every YAML and JSON file of a repository (docs/lint.md); those are
# checked here under a project file's name instead, where the same finding must come out.
EXPECTED: dict[str, tuple[str, int, int, str, bool]] = {
    "alias-bomb.yaml": ("SC006", 5, 4, "aliases expand this document past 100,000 nodes (an alias bomb)", False),
    "auth-list.yaml": ("SC202", 3, 7, "auth: expected a mapping, got a list; Logto refuses to save this config", True),
    "bad-anchor.yaml": ("SC004", 1, 7, "YAML syntax error: a value that starts with `*` refers to an anchor (`&name`), and no anchor of that name is defined above it", False),
    "bad-indent.yaml": ("SC004", 2, 3, "YAML syntax error: this line is indented deeper than the key on line 1, so YAML reads it as more of that key's value", False),
    "binary.yaml": ("SC002", 3, 1, "a NUL byte: this looks like a binary file", False),
    "block-scalar-error.yaml": ("SC004", 3, 1, "YAML syntax error: this line is not `key: value`: no `: ` follows its key", False),
    "colon-in-value.yaml": ("SC004", 2, 10, "YAML syntax error: this value holds `: ` (at column 14), which YAML reads as the start of a mapping", False),
    "content-type.yaml": ("SC202", 9, 18, 'templates[0].contentType: "text/markdown" is not one of text/plain or text/html; Logto refuses to save this config', True),
    "crlf-header.yaml": ("SC406", 25, 10, "customHeaders: the value of `X-Tag` has a line break, which ends the header early and lets the rest inject headers", True),
    "custom-tag.yaml": ("SC011", 1, 7, "the tag `!env` is not supported", False),
    "deep-nesting.yaml": ("SC012", 1, 1003, "the document is nested too deeply to read", False),
    "duplicate-key.yaml": ("SC005", 24, 1, "duplicate key `port` (first set at line 2, column 1)", True),
    "duplicate-nested-key.yaml": ("SC005", 5, 3, "duplicate key `user` (first set at line 4, column 3)", True),
    "empty.yaml": ("SC007", 1, 1, "the top level is empty, not a mapping", False),
    "json-comment.json": ("SC004", 2, 3, "JSON syntax error: JSON has no comments", False),
    "json-duplicate.json": ("SC005", 1, 15, "duplicate key `host` (first set at line 1, column 2)", False),
    "json-single-quotes.json": ("SC004", 1, 2, "JSON syntax error: JSON strings and keys need double quotes", False),
    "json-trailing-comma.json": ("SC004", 1, 14, "JSON syntax error: a trailing comma is not allowed in JSON", False),
    "json-truncated.json": ("SC004", 2, 1, "JSON syntax error: expected a value", False),
    "missing-generic.yaml": ("SC204", 7, 1, "templates lack the usage types Logto requires: Generic", True),
    "missing-host.yaml": ("SC203", 1, 1, "missing required key `host`", True),
    "negative-timeout.yaml": ("SC202", 24, 16, "socketTimeout: -5 must be at least 0; Logto saves it, and nodemailer fails or misbehaves when it sends", True),
    "non-string-key.yaml": ("SC010", 24, 1, "the key 25 is not a string", True),
    "not-utf8.yaml": ("SC002", 6, 15, "byte 0xe9 is not valid UTF-8", True),
    "null-key.yaml": ("SC010", 24, 1, "the key null is not a string", True),
    "octal-port.yaml": ("SC008", 2, 7, "`0587` is read as a different number in YAML 1.1 (octal, hex, binary or with separators)", True),
    "on-boolean.yaml": ("SC008", 24, 13, "`on` is a boolean in YAML 1.1 but text in YAML 1.2", True),
    "only-comment.yaml": ("SC007", 1, 1, "the top level is empty, not a mapping", False),
    "port-range.yaml": ("SC202", 2, 7, "port: 99999 must be at most 65535; Logto saves it, and nodemailer fails or misbehaves when it sends", True),
    "port-string.yaml": ("SC202", 2, 7, 'port: expected an integer, got the string "587"; Logto refuses to save this config', True),
    "python-tag.yaml": ("SC011", 1, 7, "the tag `tag:yaml.org,2002:python/object/apply:os.system` is not supported", False),
    "recursive-alias.yaml": ("SC006", 1, 4, "an alias refers to the node that contains it (an endless document)", False),
    "secure-string.yaml": ("SC202", 24, 9, 'secure: expected true or false, got the string "true"; Logto refuses to save this config', True),
    "stray-bracket.yaml": ("SC004", 2, 7, "YAML syntax error: `]` cannot start a value here", False),
    "tab-indent.yaml": ("SC004", 2, 1, "YAML syntax error: a tab character in the indentation: YAML indents with spaces only", False),
    "templates-mapping.yaml": ("SC202", 8, 3, "templates: expected a list, got a mapping; Logto refuses to save this config", True),
    "top-level-list.json": ("SC007", 1, 1, "the top level is a list, not a mapping", False),
    "top-level-list.yaml": ("SC007", 1, 1, "the top level is a list, not a mapping", False),
    "top-level-scalar.yaml": ("SC007", 1, 1, "the top level is a string, not a mapping", False),
    "two-documents.yaml": ("SC004", 2, 1, "YAML syntax error: more than one YAML document (a `---` separator) in one file", False),
    "unclosed-flow-list.yaml": ("SC004", 2, 7, "YAML syntax error: this `[` list is never closed", False),
    "unclosed-flow-map.yaml": ("SC004", 1, 7, "YAML syntax error: this `{` mapping is never closed", False),
    "unclosed-quote.yaml": ("SC004", 1, 7, "YAML syntax error: this quoted string is never closed (it runs to the end of the file)", False),
    "unknown-auth-key.yaml": ("SC201", 5, 3, "unknown key `password` in auth (login form): Logto saves it, and nodemailer ignores it: the setting does nothing; did you mean `pass`?", True),
    "unknown-key.yaml": ("SC201", 24, 1, "unknown key `hots`: Logto saves it, and nodemailer ignores it: the setting does nothing; did you mean `host`?", True),
    "utf16.yaml": ("SC002", 1, 1, "the file is UTF-16, not UTF-8", False),
    "yes-boolean.yaml": ("SC008", 24, 9, "`yes` is a boolean in YAML 1.1 but text in YAML 1.2", True),
}  # fmt: skip


def first_line(path: str | Path, rule: str, line: int, column: int, message: str) -> str:
    return f"{path}:{line}:{column}: error {rule} {message} (hint: "


def assert_reported(result: CliResult, text: str, expected: str, *, first: bool = True) -> None:
    """Exit 1, the expected finding (first, or anywhere: lint sorts by position), and no crash."""
    assert result.code == 1, str(result)
    lines = text.splitlines()
    assert any(line.startswith(expected) for line in (lines[:1] if first else lines)), str(result)
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr


def test_every_corpus_file_has_an_expectation() -> None:
    assert len(FILES) >= 40
    assert sorted(EXPECTED) == FILES


@pytest.mark.parametrize("name", FILES)
def test_render_reports_each_bad_input_at_its_position(cli: CliRunner, name: str) -> None:
    rule, line, column, message, _ = EXPECTED[name]
    path = CORPUS / name
    result = cli("render", str(path), "--type", "SignIn", "--code", "1", expect=None)
    assert_reported(result, result.stderr, first_line(path, rule, line, column, message))
    assert result.stdout == ""


@pytest.mark.parametrize("name", FILES)
def test_lint_reports_each_bad_input(cli: CliRunner, name: str) -> None:
    rule, line, column, message, _ = EXPECTED[name]
    path = CORPUS / name
    result = cli("lint", str(path), expect=None)
    assert_reported(result, result.stdout, first_line(path, rule, line, column, message), first=False)


@pytest.mark.parametrize("name", FILES)
def test_the_hook_mode_skips_only_what_is_not_recognisably_ours(cli: CliRunner, name: str) -> None:
    rule, line, column, message, linted = EXPECTED[name]
    path = CORPUS / name
    result = cli("lint", "--skip-unrelated", str(path), expect=None)
    if linted:
        assert_reported(result, result.stdout, first_line(path, rule, line, column, message))
    else:  # the hook is given every YAML file of a repository: a stranger's snippet is skipped, and said so
        assert (result.code, result.stdout) == (0, ""), str(result)
        assert result.stderr == f"smtp-connector: nothing to lint: {path} is not an SMTP connector config\n"


# A project file with nothing written in it is an empty layer (docs/projects.md), not SC007: what the
# project then lacks is reported instead.
AS_PROJECT_FILE = {
    name: ("SC203", 1, 1, "missing required key `auth`", False)
    for name in ("empty.yaml", "only-comment.yaml")
}


@pytest.mark.parametrize("name", [n for n in FILES if n.endswith(".yaml")])
def test_lint_reports_each_bad_yaml_as_a_project_file(cli: CliRunner, tmp_path: Path, name: str) -> None:
    rule, line, column, message, _ = AS_PROJECT_FILE.get(name, EXPECTED[name])
    path = tmp_path / "smtp-connector.yaml"
    shutil.copyfile(CORPUS / name, path)
    result = cli("lint", str(path), expect=None)
    assert_reported(result, result.stdout, first_line(path, rule, line, column, message))


# --- inputs made at test time -------------------------------------------------------------------


def _both(cli: CliRunner, path: Path, expected: str) -> None:
    lint = cli("lint", str(path), expect=None)
    assert_reported(lint, lint.stdout, expected)
    render = cli("render", str(path), "--type", "SignIn", "--code", "1", expect=None)
    assert_reported(render, render.stderr, expected)


def test_a_folder_where_a_file_is_expected(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "logto.json"
    folder.mkdir()
    _both(cli, folder, f"{folder}:1:1: error SC001 is a folder, not a file (hint: ")


def test_a_path_through_a_regular_file(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("host: a\n")
    path = tmp_path / "x.yaml" / "y.yaml"  # NotADirectoryError: what an unreadable path looks like to root
    _both(cli, path, f"{path}:1:1: error SC001 cannot be read: a part of the path is a file, not a folder")


def test_a_dangling_symlink(cli: CliRunner, tmp_path: Path) -> None:
    link = tmp_path / "logto.yaml"
    link.symlink_to(tmp_path / "gone.yaml")
    _both(
        cli, link, f"{link}:1:1: error SC001 is a symlink to {tmp_path / 'gone.yaml'}, which does not exist"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "logto.yaml"
    os.mkfifo(fifo)
    expected = f"{fifo}:1:1: error SC001 is not a regular file (a FIFO, socket or device) (hint: "
    # Real processes: if the FIFO were opened for reading, it would wait for a writer forever.
    lint = run_subprocess("lint", str(fifo), expect=None, timeout=HANG_GUARD)
    assert_reported(lint, lint.stdout, expected)
    render = run_subprocess(
        "render", str(fifo), "--type", "SignIn", "--code", "1", expect=None, timeout=HANG_GUARD
    )
    assert_reported(render, render.stderr, expected)


def test_an_oversized_file(cli: CliRunner, tmp_path: Path) -> None:
    big = tmp_path / "logto.yaml"
    big.write_bytes(b"fromEmail: a@example.com\ncontent: " + b"x" * MAX_BYTES + b"\n")
    size = big.stat().st_size
    _both(cli, big, f"{big}:1:1: error SC003 the file is {size:,} bytes, over the 1 MiB limit (hint: ")


@pytest.mark.parametrize("name", ["bad-indent.yaml", "binary.yaml", "duplicate-key.yaml", "utf16.yaml"])
def test_a_project_with_a_bad_environment_file(cli: CliRunner, tmp_path: Path, name: str) -> None:
    rule, line, column, message, _ = EXPECTED[name]
    project = tmp_path / "email"
    cli("init", str(project), "--provider", "sendgrid")
    bad = project / "environments" / "staging.yaml"
    shutil.copyfile(CORPUS / name, bad)
    expected = first_line(bad, rule, line, column, message)
    build = cli("build", str(project), "--env", "staging", expect=None)
    assert_reported(build, build.stderr, expected)
    assert build.stdout == ""
    lint = cli("lint", str(project), "--env", "staging", expect=None)
    assert_reported(lint, lint.stdout, expected)


def test_an_unknown_provider_is_sc501_in_lint_and_build_not_exit_3(cli: CliRunner, tmp_path: Path) -> None:
    """A plain scalar continued on the next line (`provider: dev-sink` then ` a`) is the provider
    `dev-sink a`: lint and build say SC501 at its place, with the guess."""
    (tmp_path / "environments").mkdir()
    (tmp_path / "smtp-connector.yaml").write_text("provider: dev-sink\n a\n")
    (tmp_path / "environments" / "dev.yaml").write_text("{}\n")
    for args in (["lint", str(tmp_path)], ["build", str(tmp_path), "-e", "dev"]):
        result = cli(*args, expect=1)
        assert (
            "smtp-connector.yaml:1:11: error SC501 unknown provider `dev-sink a`"
            in result.stdout + result.stderr
        )
