"""Suppression: inline comments (same line or the comment lines above) and .smtp-connector-lint.yaml."""

from __future__ import annotations

from pathlib import Path

from connector.lint import lint_paths
from connector.source.suppress import CONFIG_NAME

BASE = """host: smtp.example.com
port: 587
auth: {user: mailer@example.com, pass: "${SMTP_PASS}"}
fromEmail: noreply@example.com
templates:
  - {usageType: SignIn, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: Register, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: ForgotPassword, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: Generic, contentType: text/plain, subject: Code, content: "{{code}}"}
"""


def _lint(tmp_path: Path, extra: str, name: str = "config.yaml") -> list[tuple[str, int, bool]]:
    path = tmp_path / name
    path.write_text(extra + BASE, encoding="utf-8")
    return [(f.rule, f.line, f.suppressed) for f in lint_paths([str(path)]).findings if f.file == str(path)]


def test_comment_on_the_same_line(tmp_path: Path) -> None:
    assert _lint(tmp_path, "pool: true  # smtp-connector: disable=SC309\n") == [("SC309", 1, True)]


def test_comment_lines_right_above(tmp_path: Path) -> None:
    extra = "# why: a pooled relay\n# smtp-connector: disable=sc309,SC310\n\npool: true\n"
    assert _lint(tmp_path, extra) == [("SC309", 4, False)]  # a blank line breaks the block
    extra = "# why: a pooled relay\n# smtp-connector: disable=sc309 SC310\npool: true\n"
    assert _lint(tmp_path, extra) == [("SC309", 3, True)]


def test_a_trailing_comment_on_the_previous_line_does_not_reach_the_next(tmp_path: Path) -> None:
    extra = "service: gmail  # smtp-connector: disable=SC309\npool: true\n"
    assert _lint(tmp_path, extra) == [("SC308", 1, False), ("SC309", 2, False)]


def test_other_rules_on_the_line_are_still_reported(tmp_path: Path) -> None:
    assert _lint(tmp_path, "pool: true  # smtp-connector: disable=SC308\n") == [("SC309", 1, False)]


def test_suppressed_errors_never_fail_the_run(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(BASE.replace("port: 587", "port: 465\nsecure: false  # smtp-connector: disable=SC303"))
    result = lint_paths([str(path)])
    assert [f.rule for f in result.findings] == ["SC303"] and not result.failed


def test_lint_config_in_a_parent_folder_applies(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("disable: [SC309]\n")
    (tmp_path / "email").mkdir()
    result = lint_paths([str(_write(tmp_path / "email" / "c.yaml", "pool: true\n" + BASE))])
    assert [(f.rule, f.suppressed) for f in result.findings] == [("SC309", True)]
    assert result.suppressions == {result.findings[0]: "external"}


def test_lint_config_lookup_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text("disable: [SC309]\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    result = lint_paths([str(_write(repo / "c.yaml", "pool: true\n" + BASE))])
    assert [(f.rule, f.suppressed) for f in result.findings] == [("SC309", False)]


def test_bad_lint_config_is_reported_once_and_the_rest_applies(tmp_path: Path) -> None:
    _write(tmp_path / CONFIG_NAME, "disable: SC309\n")
    a = _write(tmp_path / "a.yaml", "pool: true\n" + BASE)
    b = _write(tmp_path / "b.yaml", "pool: true\n" + BASE)
    result = lint_paths([str(a), str(b)])
    problems = [f for f in result.findings if f.rule == "SC407"]
    assert len(problems) == 1 and problems[0].message == "`disable` must be a list of rule ids"
    assert problems[0].file.endswith(CONFIG_NAME)
    assert [f.suppressed for f in result.findings if f.rule == "SC309"] == [False, False]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# The documented rule (docs/lint.md): on the finding's line, or anywhere in the block of comment-only lines
# right above it. Each case below sits at one side of that boundary.
def test_a_comment_two_lines_above_reaches_through_a_comment_line(tmp_path: Path) -> None:
    extra = "# smtp-connector: disable=SC309\n# the relay pools connections\npool: true\n"
    assert _lint(tmp_path, extra) == [("SC309", 3, True)]
    extra = "# smtp-connector: disable=SC309\n# one\n  # two, indented\npool: true\n"
    assert _lint(tmp_path, extra) == [("SC309", 4, True)]


def test_a_comment_two_lines_above_does_not_reach_past_a_value(tmp_path: Path) -> None:
    extra = "# smtp-connector: disable=SC309\nname: mail.example.com\npool: true\n"
    assert _lint(tmp_path, extra) == [("SC309", 3, False)]


def test_a_comment_two_lines_above_does_not_reach_past_a_blank_line(tmp_path: Path) -> None:
    extra = "# smtp-connector: disable=SC309\n\npool: true\n"
    assert _lint(tmp_path, extra) == [("SC309", 3, False)]


def test_a_comment_on_the_first_line_reaches_the_second(tmp_path: Path) -> None:
    assert _lint(tmp_path, "# smtp-connector: disable=SC309\npool: true\n") == [("SC309", 2, True)]


def test_a_comment_below_the_finding_does_not_reach_it(tmp_path: Path) -> None:
    assert _lint(tmp_path, "pool: true\n# smtp-connector: disable=SC309\n") == [("SC309", 1, False)]
