"""Every example file under tests/data/lint is linted and must give exactly the findings it declares.

How a file declares them: tests/data/lint/README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from connector.diagnostics.catalog import RULES
from connector.lint import lint_paths

DATA = Path(__file__).resolve().parent / "data" / "lint"
SUFFIXES = (".yaml", ".yml", ".json")
_DECLARATION = re.compile(
    r"^#\s*(?P<kind>expect|expect-suppressed):\s*(?P<rule>SC\d{3})@(?P<line>\d+):(?P<column>\d+)(?:\s+(?P<message>.+))?$"
)
_COVERS = re.compile(r"^#\s*covers:\s*(?P<rules>.+)$")


@dataclass
class Case:
    path: Path
    expected: set[tuple[str, int, int]] = field(default_factory=set)
    suppressed: set[tuple[str, int, int]] = field(default_factory=set)
    messages: dict[tuple[str, int, int], str] = field(default_factory=dict)
    covers: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return str(self.path.relative_to(DATA))


def cases(kind: str) -> list[Case]:
    found = []
    for path in sorted((DATA / kind).rglob("*")):
        if path.suffix in SUFFIXES and path.is_file():
            found.append(read_case(path))
    return found


def read_case(path: Path) -> Case:
    case = Case(path)
    source = path.with_name(path.name + ".expect") if path.suffix == ".json" else path
    if not source.exists():
        return case
    for line in source.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        match = _DECLARATION.match(line)
        if match:
            key = (match["rule"], int(match["line"]), int(match["column"]))
            (case.suppressed if match["kind"] == "expect-suppressed" else case.expected).add(key)
            if match["message"]:
                case.messages[key] = match["message"]
        covers = _COVERS.match(line)
        if covers:
            case.covers.update(covers["rules"].split())
    return case


GOOD, BAD = cases("good"), cases("bad")
# The rules the lint adds (SC1xx, SC3xx, SC4xx) and the schema rules it reports through connector.schema.validate.
LINT_RULES = sorted(
    r for r in RULES if r[2] in "134" or r in ("SC201", "SC202", "SC203", "SC204", "SC701", "SC702", "SC703")
)


def _findings(
    case: Case,
) -> tuple[set[tuple[str, int, int]], set[tuple[str, int, int]], dict[tuple[str, int, int], str]]:
    result = lint_paths([str(case.path)])
    own = [f for f in result.findings if f.file == str(case.path)]
    shown = {(f.rule, f.line, f.column) for f in own if not f.suppressed}
    hidden = {(f.rule, f.line, f.column) for f in own if f.suppressed}
    messages = {(f.rule, f.line, f.column): f.message for f in own}
    return shown, hidden, messages


@pytest.mark.parametrize("case", GOOD, ids=[c.id for c in GOOD])
def test_good_file_has_no_finding(case: Case) -> None:
    shown, hidden, _ = _findings(case)
    assert shown == set()
    assert hidden == case.suppressed


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_bad_file_has_exactly_the_declared_findings(case: Case) -> None:
    assert case.expected or case.suppressed, "a bad example must declare what it expects"
    shown, hidden, messages = _findings(case)
    assert shown == case.expected
    assert hidden == case.suppressed
    for key, message in case.messages.items():
        assert messages[key] == message


@pytest.mark.parametrize("rule", LINT_RULES)
def test_every_rule_has_a_positive_case_with_its_exact_message(rule: str) -> None:
    assert any(key[0] == rule for case in BAD for key in case.messages), f"no bad example tests {rule}"


@pytest.mark.parametrize("rule", LINT_RULES)
def test_every_rule_has_a_negative_case(rule: str) -> None:
    assert any(rule in case.covers for case in GOOD), f"no good example covers {rule}"
