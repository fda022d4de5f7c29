"""Every rule the tool can report is listed by `smtp-connector rules` and documented in docs/lint.md."""

from __future__ import annotations

import json
import re

import pytest

from connector.diagnostics.catalog import RULES, documented_in

from .conftest import ROOT, CliRunner

_ROW = re.compile(r"^\| (SC\d{3}) \| (error|warning) \| ([a-z0-9-]+) \| (.+) \|$", re.MULTILINE)


def _rows() -> dict[str, tuple[str, str]]:
    text = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
    return {m[1]: (m[2], m[3]) for m in _ROW.finditer(text)}


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_catalog_rule_has_a_row_in_docs_lint(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert _rows().get(rule_id) == (rule.severity, rule.title), f"docs/lint.md has no row for {rule_id}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_the_page_named_for_a_rule_mentions_it(rule_id: str) -> None:
    assert rule_id in (ROOT / documented_in(rule_id)).read_text(encoding="utf-8")


def test_docs_lint_documents_no_rule_that_does_not_exist() -> None:
    assert set(_rows()) <= set(RULES)


def test_rules_lists_every_rule(cli: CliRunner) -> None:
    listed = json.loads(cli("rules", "--format", "json").stdout)
    assert [item["id"] for item in listed] == sorted(RULES)
    sc303 = next(item for item in listed if item["id"] == "SC303")
    assert sc303 == {
        "id": "SC303",
        "severity": "error",
        "name": "port-secure-mismatch",
        "checks": RULES["SC303"].help,
        "documented": "docs/lint.md",
    }
    text = cli("rules").stdout
    assert text.count("\nSC") + text.startswith("SC") == len(RULES)
    assert "SC601  error    template-syntax  (docs/templates.md)\n" in text


def test_rules_by_id_with_did_you_mean(cli: CliRunner) -> None:
    assert cli("rules", "sc502").stdout.startswith("SC502  error    missing-variable  (docs/projects.md)\n")
    assert "no rule SC3033; did you mean SC303?" in cli("rules", "SC3033", expect=2).stderr
