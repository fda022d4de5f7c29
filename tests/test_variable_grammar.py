"""One ``${VAR}`` grammar (connector/source/variables.py) for the build and the lint, at each boundary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector.errors import InputError
from connector.lint import lint_paths
from connector.lint.base import is_reference
from connector.project.layout import compose, load_project
from connector.source.variables import holds_reference

from .projects import TEMPLATES, write_project

ENVIRON = {"A": "a", "B": "b", "_A1": "c", "a": "d"}
# What the build accepts as a reference...
VALID = ["${A}", "x ${A} y", "${A}${B}", "${A:-}", "${A:-default}", "${A:?message}", "${_A1}", "${a}"]
# ...and what it refuses (SC503): shell forms it does not implement, bad names, unclosed or nested.
MALFORMED = [
    "${X:=y}",
    "${X-y}",
    "${X+y}",
    "${X?y}",
    "${X:+y}",
    "${1A}",
    "${A B}",
    "${}",
    "${A",
    "${A:-${B}}",
    "${A} ${X:=y}",
]


def _build_rule(tmp_path: Path, text: str) -> str | None:
    """The rule the build reports for ``auth.pass: text`` (None: it resolves)."""
    write_project(tmp_path, {"environments/prod.yaml": f"auth:\n  pass: {json.dumps(text)}\n"})
    try:
        compose(load_project(tmp_path), "prod", environ=ENVIRON)
    except InputError as e:
        return ",".join(sorted({f.rule for f in e.findings}))
    return None


def _final_config(tmp_path: Path, text: str) -> Path:
    import yaml

    config = {
        "host": "smtp.example.com",
        "port": 587,
        "auth": {"user": "mailer@example.com", "pass": text},
        "fromEmail": "noreply@example.com",
        **yaml.safe_load(TEMPLATES),
    }
    path = tmp_path / "final.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.mark.parametrize("text", VALID)
def test_a_reference_the_build_resolves_is_one_for_lint(tmp_path: Path, text: str) -> None:
    assert _build_rule(tmp_path, text) is None
    assert holds_reference(text) and is_reference(text)
    result = lint_paths([_final_config(tmp_path, text)])
    # A default in a credential (`pass: ${A:-default}`) commits the secret it falls back to: SC403.
    assert [f.rule for f in result.findings] == (["SC403"] if text == "${A:-default}" else [])


@pytest.mark.parametrize("text", MALFORMED)
def test_what_the_build_refuses_the_lint_refuses(tmp_path: Path, text: str) -> None:
    assert _build_rule(tmp_path, text) == "SC503"
    assert not holds_reference(text) and not is_reference(text)
    result = lint_paths([_final_config(tmp_path, text)])
    # SC503 only: a malformed ${...} is not called a literal secret (SC403) as well.
    assert [(f.rule, f.location.line) for f in result.findings] == [("SC503", 1)]


@pytest.mark.parametrize("text", ["plain", "$5", "$A", "$${A}", "{A}", ""])
def test_text_without_a_reference(text: str) -> None:
    assert not holds_reference(text) and not is_reference(text)
