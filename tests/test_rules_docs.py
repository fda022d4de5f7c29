"""Every rule the tool can report is listed by `smtp-connector rules` and documented in docs/lint.md."""

from __future__ import annotations

import json
import re

import pytest

from connector.diagnostics.catalog import RULES, documented_in

from .conftest import ROOT, CliRunner

_HEADING = re.compile(r"^(#+) ")
_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")  # Markdown escapes a pipe in a cell as \|
_RULES_COLUMNS = ["id", "severity", "name", "what it catches"]


def markdown_table(text: str, heading: str) -> list[dict[str, str]]:
    """The first table in the section ``heading`` of a Markdown page, one dict a row keyed by its header."""
    lines = iter(text.splitlines())
    for line in lines:
        if line.strip() == heading:
            break
    else:
        raise AssertionError(f"no section {heading!r}")
    level = len(heading.split(" ", 1)[0])
    table: list[list[str]] = []
    for line in lines:
        found = _HEADING.match(line)
        if found and len(found.group(1)) <= level:
            break
        if line.startswith("|"):
            table.append([cell.strip() for cell in _CELL_SEPARATOR.split(line.strip())[1:-1]])
        elif table:
            break  # the table ended
    assert len(table) >= 2 and all(set(cell) <= set("-: ") for cell in table[1]), "no table in the section"
    header = table[0]
    assert all(len(row) == len(header) for row in table[2:]), "a row has more or fewer cells than the header"
    return [dict(zip(header, row, strict=True)) for row in table[2:]]


def _docs_rules() -> list[dict[str, str]]:
    return markdown_table((ROOT / "docs" / "lint.md").read_text(encoding="utf-8"), "## Rules")


def _rows() -> dict[str, tuple[str, str]]:
    return {row["id"]: (row["severity"], row["name"]) for row in _docs_rules()}


def test_docs_lint_rules_table_is_the_catalog() -> None:
    """docs/lint.md's "Rules" table, read as a table, is the catalog: every rule once, in order, with the
    catalog's severity, name and help."""
    rows = _docs_rules()
    assert list(rows[0]) == _RULES_COLUMNS
    documented = [(r["id"], r["severity"], r["name"], r["what it catches"]) for r in rows]
    assert documented == [
        (r.id, r.severity, r.title, r.help) for r in sorted(RULES.values(), key=lambda r: r.id)
    ]


def test_the_table_reader_reads_structure() -> None:
    page = (
        "# Page\n\n## Rules\n\nText | with a pipe.\n\n| id | what |\n| --- | --- |\n| SC1 | a \\| b |\n"
        "| SC2 | c |\n\nafter\n\n| x | y |\n| - | - |\n| 1 | 2 |\n## Next\n| id | what |\n|---|---|\n| SC9 | z |\n"
    )
    assert markdown_table(page, "## Rules") == [{"id": "SC1", "what": "a \\| b"}, {"id": "SC2", "what": "c"}]
    assert markdown_table(page, "## Next") == [{"id": "SC9", "what": "z"}]
    with pytest.raises(AssertionError):
        markdown_table(page, "## Missing")
    with pytest.raises(AssertionError):
        markdown_table("## Rules\n| id | what |\n| --- | --- |\n| SC1 |\n", "## Rules")


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
