"""Reporters: text, JSON, GitHub annotations and SARIF (validated against the official 2.1.0 schema)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.redact import register_secret
from connector.diagnostics.reporters import (
    summary,
    use_color,
    write_github,
    write_json,
    write_sarif,
    write_text,
)
from connector.lint import lint_paths

DATA = Path(__file__).resolve().parent / "data"
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _finding(**changes: object) -> Finding:
    base = Finding.at(
        Location("email/prod.yaml", 12, 9),
        "SC104",
        'template "SignIn" has no {{code}} placeholder',
        "add {{code}}",
    )
    return Finding(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **changes})  # type: ignore[arg-type]


def test_text_is_the_compiler_format_and_hides_suppressed() -> None:
    out = io.StringIO()
    write_text([_finding(), _finding(line=3, suppressed=True)], out)
    assert out.getvalue() == (
        'email/prod.yaml:12:9: error SC104 template "SignIn" has no {{code}} placeholder (hint: add {{code}})\n'
    )


def test_text_colour_only_when_asked() -> None:
    out = io.StringIO()
    write_text([_finding()], out, color=True)
    assert "\033[31merror\033[0m" in out.getvalue()
    assert not use_color(io.StringIO())  # not a terminal


def test_no_color_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(io.StringIO(), "auto") is False
    assert use_color(io.StringIO(), "always") is True


def test_json_marks_suppressed_findings() -> None:
    out = io.StringIO()
    write_json([_finding(), _finding(line=3, suppressed=True)], out)
    items = json.loads(out.getvalue())
    assert items[0] == {
        "file": "email/prod.yaml",
        "line": 3,
        "column": 9,
        "rule": "SC104",
        "severity": "error",
        "message": 'template "SignIn" has no {{code}} placeholder',
        "hint": "add {{code}}",
        "kind": "missing-code-placeholder",
        "key": "",
        "keyPath": [],
        "suppressed": True,
    }
    assert "suppressed" not in items[1]


def test_summary_counts() -> None:
    warning = _finding(rule="SC309", severity="warning")
    assert (
        summary([_finding(), warning, _finding(line=1, suppressed=True)])
        == "1 error, 1 warning (1 suppressed)"
    )
    assert summary([]) == ""


def test_github_annotations_escape_data_and_properties() -> None:
    odd = _finding(file="a,b:c.yaml", message="50% off\r\nBcc: x", hint="")
    out = io.StringIO()
    write_github([odd, _finding(rule="SC309", severity="warning"), _finding(suppressed=True, line=2)], out)
    lines = out.getvalue().splitlines()
    assert lines == [
        "::error file=a%2Cb%3Ac.yaml,line=12,col=9,title=SC104 missing-code-placeholder::50%25 off%0D%0ABcc: x",
        "::warning file=email/prod.yaml,line=12,col=9,title=SC309 pool-no-effect::"
        'template "SignIn" has no {{code}} placeholder%0Ahint: add {{code}}',
    ]


def test_reporters_redact_registered_secrets() -> None:
    register_secret("hunter2-secret")
    leaky = _finding(message="value hunter2-secret here")
    for writer in (write_text, write_json, write_github, write_sarif):
        out = io.StringIO()
        writer([leaky], out)
        assert "hunter2-secret" not in out.getvalue()


def _sarif(paths: list[str]) -> dict[str, object]:
    result = lint_paths(paths)
    out = io.StringIO()
    write_sarif(result.findings, out, suppressions=result.suppressions)
    log: dict[str, object] = json.loads(out.getvalue())
    return log


def test_sarif_is_valid_against_the_official_schema() -> None:
    bad = sorted(str(p) for p in (DATA / "lint" / "bad").rglob("*") if p.suffix in (".yaml", ".json"))
    suppressed = [
        str(DATA / "lint" / "good" / "suppressed.yaml"),
        str(DATA / "lint" / "good" / "lint-config" / "pool-disabled.yaml"),
    ]
    log = _sarif([*bad, *suppressed])
    jsonschema.Draft7Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)
    run = log["runs"][0]  # type: ignore[index]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning")
    kinds = {s["kind"] for r in run["results"] for s in r.get("suppressions", [])}
    assert kinds == {"inSource", "external"}


def test_sarif_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA.parent.parent)
    bad = tmp_path / "my config.yaml"
    bad.write_text("fromEmail: <from_email_address@your.domain>\n", encoding="utf-8")
    log = _sarif([str(bad), "tests/data/lint/bad/sc404-non-ascii-name.yaml"])
    results = log["runs"][0]["results"]  # type: ignore[index]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert bad.as_uri() in uris
    assert "tests/data/lint/bad/sc404-non-ascii-name.yaml" in uris
    region = next(r for r in results if r["ruleId"] == "SC404")["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 5, "startColumn": 7}
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(log)


def test_text_escapes_a_file_and_hint_on_every_line_that_repeats_them() -> None:
    """write_text makes each distinct file name and hint printable once and reuses it: every finding
    that shares them is shown escaped, and one with other text is shown as its own."""
    hostile = _finding(file="a\x1b[31m.jsonl", hint="line\nbreak")
    out = io.StringIO()
    write_text(
        [hostile, _finding(file="a\x1b[31m.jsonl", hint="line\nbreak", line=13), _finding(line=14)], out
    )
    assert out.getvalue().splitlines() == [
        'a\\x1b[31m.jsonl:12:9: error SC104 template "SignIn" has no {{code}} placeholder (hint: line\\nbreak)',
        'a\\x1b[31m.jsonl:13:9: error SC104 template "SignIn" has no {{code}} placeholder (hint: line\\nbreak)',
        'email/prod.yaml:14:9: error SC104 template "SignIn" has no {{code}} placeholder (hint: add {{code}})',
    ]


def test_every_character_str_isprintable_passes_is_one_printable_shows_as_it_is() -> None:
    """printable() skips its regular expression when str.isprintable() holds: that must never let through a
    character it escapes (each code point checked), and a character it escapes is never printable."""
    from connector.diagnostics import printable as module

    for code in range(0x110000):
        char = chr(code)
        if char.isprintable():
            assert module._PLAIN.fullmatch(char), hex(code)
            assert module.printable(char) == char, hex(code)
    assert module.printable("a\u00a0b") == "a\u00a0b"  # not isprintable, yet shown as it is
    assert module.printable("a\tb") == "a\\tb"
