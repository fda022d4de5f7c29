"""Findings are data: the key path and kind are fields, and no code decides anything by reading a message."""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import pytest

from connector.diagnostics.catalog import RULES
from connector.diagnostics.findings import FINER_KINDS, Finding, Location
from connector.diagnostics.reporters import write_json, write_sarif, write_text
from connector.lint.engine import lint_source
from connector.source.loader import loads

from .conftest import ROOT
from .projects import PROJECT, write_project

# Where findings become text for people: the only modules that may read a message or a hint as text.
_TEXT_MODULES = {
    "connector/diagnostics/findings.py",
    "connector/diagnostics/reporters.py",
    "connector/doctor/report.py",  # doctor's checks become text here
}
_TEXT_FIELDS = {"message", "hint"}
# `.message` of things that are not findings: a provider variable's description (shown when it is set).
_NOT_FINDINGS = {("connector/project/providers.py", "var")}
_REGEX_CALLS = {"search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def message_decisions(source: str, path: str = "") -> list[int]:
    """Lines where a ``.message`` (or ``.hint``) is compared, searched, sliced, tested or split: text read
    as data. Passing it on whole (into a new finding, an f-string, a list) is not a decision."""
    tree = ast.parse(source)
    parents = _parents(tree)
    lines = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute) and node.attr in _TEXT_FIELDS and isinstance(node.ctx, ast.Load)
        ):
            continue
        if (path, ast.unparse(node.value)) in _NOT_FINDINGS:
            continue
        inner: ast.AST = node
        up = parents.get(node)
        while isinstance(up, ast.BoolOp | ast.UnaryOp):  # `x.message or ""`, `not x.message`
            inner, up = up, parents.get(up)
        read = (
            isinstance(up, ast.Compare)  # ==, in, startswith-by-comparison
            or (isinstance(up, ast.Attribute) and up.value is inner)  # x.message.startswith(...), .split()
            or (isinstance(up, ast.Subscript) and up.value is inner)  # x.message[:9]
            or (isinstance(up, ast.If | ast.While | ast.IfExp | ast.Assert) and up.test is inner)
            or (
                isinstance(up, ast.Call)
                and isinstance(up.func, ast.Attribute)
                and up.func.attr in _REGEX_CALLS
                and inner in up.args
            )  # PATTERN.search(x.message), re.match(p, x.message)
        )
        if read:
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    "code",
    [
        'f.rule == "SC203" and f.message.startswith("missing required key")',
        "_QUOTED.search(finding.message)",
        're.findall(r"`(.*)`", finding.message)',
        '"`auth`" in f.message',
        "f.message == other.message",
        "f.message[:7]",
        "if f.message:\n    pass",
        'f.message.split(":")[0]',
        'if "sink" in error.hint:\n    pass',
        '(f.message or "").partition("`")',
    ],
)
def test_the_check_catches_a_message_read_as_data(code: str) -> None:
    assert message_decisions(code) != []


@pytest.mark.parametrize(
    "code",
    [
        "Finding.at(where, rule, message, hint)",
        'replace(f, message=f"{f.message} (set by x)")',
        "[f.message for f in findings]",
        'text = f"{f.message} (hint: {f.hint})"',
    ],
)
def test_the_check_lets_a_message_be_passed_on_as_text(code: str) -> None:
    assert message_decisions(code) == []


def test_no_code_decides_by_a_message() -> None:
    found = []
    for path in sorted((ROOT / "connector").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name not in _TEXT_MODULES:
            found += [f"{name}:{line}" for line in message_decisions(path.read_text(encoding="utf-8"), name)]
    assert found == []


# --- the fields, set by their producers -------------------------------------------------------------


def _lint(text: str, mode: str = "final") -> list[Finding]:
    loaded = loads(text, "c.yaml")
    if loaded.document is None:
        return list(loaded.findings)
    return [*loaded.findings, *lint_source(loaded.document, mode)]  # type: ignore[arg-type]


MINIMAL = """\
host: smtp.example.com
port: 587
auth: {type: login, user: u, pass: "${SMTP_PASS}"}
fromEmail: a@example.com
templates:
  - {usageType: SignIn, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: Register, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: ForgotPassword, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: Generic, contentType: text/plain, subject: Code, content: "{{code}}"}
"""


@pytest.mark.parametrize(
    ("change", "rule", "kind", "key_path"),
    [
        (("port: 587", "port: 587\nrequireTls: true"), "SC201", "unknown-key", ("requireTls",)),
        (("port: 587", 'port: "x"'), "SC202", "wrong-type", ("port",)),
        (("port: 587", "port: true"), "SC202", "wrong-type", ("port",)),
        (("port: 587", "port: null"), "SC202", "null", ("port",)),
        (("port: 587", "port: 70000"), "SC202", "out-of-range", ("port",)),
        (("contentType: text/plain, subject: Code, content: \"{{code}}\"}\n  - {usageType: Register",
          "contentType: text/rtf, subject: Code, content: \"{{code}}\"}\n  - {usageType: Register"),
         "SC202", "not-allowed", ("templates", 0, "contentType")),
        (("host: smtp.example.com\n", ""), "SC203", "missing-key", ("host",)),
        (("subject: Code, ", ""), "SC203", "missing-key", ("templates", 0, "subject")),
    ],
)  # fmt: skip
def test_schema_findings_carry_their_key_path_and_kind(
    change: tuple[str, str], rule: str, kind: str, key_path: tuple[str | int, ...]
) -> None:
    assert change[0] in MINIMAL
    findings = [f for f in _lint(MINIMAL.replace(*change, 1)) if f.rule.startswith("SC2")]
    assert [(f.rule, f.kind, f.key_path) for f in findings] == [(rule, kind, key_path)]


def test_a_lint_rule_finding_carries_the_path_of_its_value() -> None:
    findings = _lint(MINIMAL.replace('"${SMTP_PASS}"', "literal-pass-123"))
    assert [(f.rule, f.kind, f.key_path) for f in findings] == [("SC403", "literal-secret", ("auth", "pass"))]


def test_a_syntax_error_has_no_key_path() -> None:
    [finding] = _lint("host: [unclosed\n")
    assert (finding.rule, finding.kind, finding.key_path) == ("SC004", "syntax-error", ())


def test_every_kind_is_a_rule_name_or_a_documented_finer_kind() -> None:
    names = {rule.title for rule in RULES.values()}
    assert not FINER_KINDS & names  # a finer kind never shadows a rule's name
    docs = (ROOT / "docs" / "lint.md").read_text(encoding="utf-8")
    assert all(f"`{kind}`" in docs for kind in FINER_KINDS)
    samples = [
        MINIMAL.replace("port: 587", replacement)
        for replacement in ('port: "x"', "port: null", "port: 0", "port: 587\nx: 1", "port: 587\nsecure: 3")
    ]
    kinds = {f.kind for text in samples for f in _lint(text)}
    assert kinds and kinds <= names | FINER_KINDS


def test_the_key_path_and_kind_do_not_make_two_findings_of_one() -> None:
    where = Location("c.yaml", 3, 5)
    a = Finding.at(where, "SC202", "port: bad", key_path=("port",))
    b = Finding.at(where, "SC202", "port: bad", key_path=("templates", 0, "port"), kind="null")
    assert a == b and hash(a) == hash(b)


# --- reporters ----------------------------------------------------------------------------------------


def _reported() -> list[Finding]:
    where = Location("c.yaml", 3, 5)
    return [
        Finding.at(where, "SC202", "templates[0].subject: bad", "fix", key_path=("templates", 0, "subject")),
        Finding.at(Location("c.yaml", 1, 1), "SC004", "YAML syntax error"),
    ]


def test_json_gives_the_key_path_as_a_list_and_as_people_write_it() -> None:
    out = io.StringIO()
    write_json(_reported(), out)
    items = json.loads(out.getvalue())
    assert [(i["kind"], i["key"], i["keyPath"]) for i in items] == [
        ("syntax-error", "", []),
        ("wrong-type", "templates[0].subject", ["templates", 0, "subject"]),
    ]


def test_sarif_gives_the_key_path_in_properties() -> None:
    out = io.StringIO()
    write_sarif(_reported(), out)
    results = json.loads(out.getvalue())["runs"][0]["results"]
    assert [r.get("properties") for r in results] == [
        {"kind": "syntax-error"},
        {"kind": "wrong-type", "key": "templates[0].subject", "keyPath": ["templates", 0, "subject"]},
    ]


def test_the_text_line_is_unchanged() -> None:
    out = io.StringIO()
    write_text(_reported()[:1], out)
    assert out.getvalue() == "c.yaml:3:5: error SC202 templates[0].subject: bad (hint: fix)\n"


# --- the places that used to read messages ---------------------------------------------------------------


def test_an_emptied_required_key_is_reported_where_it_was_emptied(tmp_path: Path) -> None:
    from connector.build.outputs import build_environments
    from connector.errors import InputError
    from connector.project.layout import load_project

    root = write_project(tmp_path, {"environments/prod.yaml": 'fromEmail: ""\n'})
    with pytest.raises(InputError) as raised:
        build_environments(load_project(root), ["prod"], environ={"SMTP_PASS": "k"})
    assert [(f.rule, f.kind, f.key_path, Path(f.file).name, f.line) for f in raised.value.findings] == [
        ("SC402", "required-value-empty", ("fromEmail",), "prod.yaml", 1)
    ]


def test_only_the_finding_about_the_emptied_key_becomes_sc505() -> None:
    from connector.logto.emptied import emptied_findings

    where = Location("c.yaml", 1, 1)
    missing_host = Finding.at(where, "SC203", "missing required key `host`", key_path=("host",))
    missing_port = Finding.at(where, "SC203", "missing required key `port`", key_path=("port",))
    # Its message names `host` too, but it is about another key: the decision is on the path.
    lookalike = Finding.at(where, "SC203", "missing required key `host` in auth", key_path=("auth", "host"))

    out = emptied_findings(
        [missing_host, missing_port, lookalike], [("host",)], lambda path: Location("env.yaml", 7, 7)
    )
    assert [(f.rule, f.kind, f.key_path, f.line) for f in out] == [
        ("SC402", "required-value-empty", ("host",), 7),
        ("SC203", "missing-key", ("port",), 1),
        ("SC203", "missing-key", ("auth", "host"), 1),
    ]


def test_a_finding_moves_into_a_template_file_by_its_excerpt(tmp_path: Path) -> None:
    from connector.lint.project import _in_template

    template = tmp_path / "t.html.j2"
    template.write_text("<p>one</p>\n<p>{{cod}} `{{code}}`</p>\n", encoding="utf-8")
    where = Location("prod.yaml", 7, 21)
    files: dict[Location, tuple[Path, ...]] = {where: (template,)}
    # Where the text is, whatever the message says (this one quotes another placeholder).
    moved = _in_template(Finding.at(where, "SC106", "says `{{code}}`", excerpt="{{cod}}"), files)
    assert (moved.file, moved.line, moved.column) == (str(template), 2, 4)
    # No excerpt: nothing to look for, even when the message quotes a placeholder.
    kept = Finding.at(where, "SC106", "`{{cod}}` is not a placeholder")
    assert _in_template(kept, files) == kept
    # Text the file does not hold: the finding stays at the field.
    absent = Finding.at(where, "SC106", "x", excerpt="{{nowhere}}")
    assert _in_template(absent, files).location == where


def test_a_long_bad_placeholder_is_found_in_its_template_file(tmp_path: Path) -> None:
    from connector.lint import lint_paths

    long = "{{ " + "a-" * 30 + " }}"  # shortened where the message quotes it; found whole in the file
    root = write_project(
        tmp_path,
        {
            "smtp-connector.yaml": PROJECT.replace(
                'content: "Your code: {{code}}"', "content: {file: templates/t.txt}", 1
            ),
            "templates/t.txt": f"Your code: {{{{code}}}}\nand {{% raw %}}{long}{{% endraw %}}\n",
        },
    )
    result = lint_paths([str(root)])
    found = [(Path(f.file).name, f.rule, f.line, f.column) for f in result.findings if f.rule == "SC107"]
    assert found == [("t.txt", "SC107", 2, 14)]


# --- more producers that know the path ------------------------------------------------------------------


def _build_findings(tmp_path: Path, files: dict[str, str], environ: dict[str, str]) -> list[Finding]:
    from connector.build.outputs import build_environments
    from connector.errors import InputError
    from connector.project.layout import load_project

    root = write_project(tmp_path, files)
    with pytest.raises(InputError) as raised:
        build_environments(load_project(root), ["prod"], environ=environ)
    return list(raised.value.findings)


def test_a_missing_variable_is_about_the_key_that_asks_for_it(tmp_path: Path) -> None:
    found = _build_findings(tmp_path, {"environments/prod.yaml": "port: 587\n"}, {})
    assert [(f.rule, f.kind, f.key_path) for f in found] == [("SC502", "missing-variable", ("auth", "pass"))]


def test_a_malformed_variable_reference_is_about_its_key(tmp_path: Path) -> None:
    found = _build_findings(tmp_path, {"environments/prod.yaml": 'replyTo: "${X:=y}"\n'}, {"SMTP_PASS": "k"})
    assert [(f.rule, f.key_path) for f in found] == [("SC503", ("replyTo",))]


def test_a_header_line_break_is_about_its_field(tmp_path: Path) -> None:
    found = _build_findings(
        tmp_path,
        {"environments/prod.yaml": 'replyTo: "a@example.com\\nBcc: x@example.com"\n'},
        {"SMTP_PASS": "k"},
    )
    assert [(f.rule, f.key_path) for f in found] == [("SC408", ("replyTo",))]


def test_a_template_error_and_a_bad_language_tag_are_about_their_fields(tmp_path: Path) -> None:
    prod = (
        "templates:\n"
        "  - usageType: SignIn\n"
        "    content: {jinja: '{{ code }} {{ nope.x }}'}\n"
        "    locales:\n"
        "      fr_FR: {subject: Code, content: '{{code}}'}\n"
    )
    found = _build_findings(tmp_path, {"environments/prod.yaml": prod}, {"SMTP_PASS": "k"})
    assert sorted((f.rule, f.key_path) for f in found) == [
        ("SC602", ("templates", 0, "content")),
        ("SC610", ("templates", 0, "locales", "fr_FR")),
    ]
