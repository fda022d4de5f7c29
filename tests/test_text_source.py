"""`{text: PATH}`: a file taken as written, never given to Jinja2, read by the same rules as `{file:}`
(inside the project folder, UTF-8, 1 MiB), with lint findings about its text in the file itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector.authoring.templates import TemplateRenderer
from connector.diagnostics.findings import Finding, Location
from connector.lint import lint_paths

from .conftest import CliRunner

YAML = Location("email/smtp-connector.yaml", 9, 21)
# Everything Jinja2 would act on, Logto's placeholders in every spacing, a CR, a NUL and the private-use
# characters the build uses for its own placeholder protection.
HOSTILE = (
    "<p>{{ brand }} {{code}} {{ code|upper }} {{ link }}</p>\r\n"
    "{% include 'smtp-connector.yaml' %}{% raw %}{%+ endraw -%}{# c #}\n"
    "\x00 \ue000\ue001 ${SMTP_PASS} $${x} \\ ' \" \u2028 end"
)


def _read(
    root: Path, value: object, variables: dict[str, object] | None = None
) -> tuple[str | None, list[Finding]]:
    return TemplateRenderer(root).render_source(
        value, variables or {"brand": "Acme"}, html=True, locate=lambda _: YAML
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "email" / "templates").mkdir(parents=True)
    (tmp_path / "email" / "smtp-connector.yaml").write_text("secret: leaked\n")
    return tmp_path / "email"


def test_a_text_file_is_taken_byte_for_byte(root: Path) -> None:
    (root / "templates" / "t.html").write_bytes(HOSTILE.encode())
    assert _read(root, {"text": "templates/t.html"}) == (HOSTILE, [])
    # The same file as {file:} is a template: this is what {text:} never does.
    rendered, _ = _read(root, {"file": "templates/t.html"})
    assert rendered != HOSTILE


def test_a_bom_is_dropped_as_editors_write_one(root: Path) -> None:
    (root / "templates" / "t.txt").write_bytes(b"\xef\xbb\xbfCode {{code}}\n")
    assert _read(root, {"text": "templates/t.txt"}) == ("Code {{code}}\n", [])


def _same_findings(root: Path, name: str) -> Finding:
    """The one finding ``{text: name}`` gives, which is the one ``{file: name}`` gives."""
    text, findings = _read(root, {"text": name})
    assert text is None and len(findings) == 1, findings
    assert findings == _read(root, {"file": name})[1]
    return findings[0]


@pytest.mark.parametrize(
    ("name", "rule", "message"),
    [
        ("templates/missing.txt", "SC604", 'template file "templates/missing.txt" not found'),
        ("../outside.txt", "SC605", 'template path "../outside.txt" leaves the project folder with ".."'),
        ("/etc/hostname", "SC605", 'template path "/etc/hostname" is absolute'),
        ("templates\\t.txt", "SC605", 'template path "templates\\t.txt" uses a backslash'),
        ("templates", "SC606", 'template path "templates" is a folder'),
    ],
)
def test_a_path_is_checked_as_for_a_template_file(root: Path, name: str, rule: str, message: str) -> None:
    (root.parent / "outside.txt").write_text("TOP SECRET")
    finding = _same_findings(root, name)
    assert (finding.rule, finding.message) == (rule, message)
    assert (finding.file, finding.line, finding.column) == (YAML.file, YAML.line, YAML.column)


def test_a_symlink_out_of_the_project_is_refused(root: Path) -> None:
    (root.parent / "outside.txt").write_text("TOP SECRET")
    (root / "templates" / "link.txt").symlink_to(root.parent / "outside.txt")
    finding = _same_findings(root, "templates/link.txt")
    assert finding.rule == "SC605" and "outside the project folder" in finding.message
    assert "TOP SECRET" not in finding.format()
    (root / "templates" / "inside.txt").symlink_to(root / "smtp-connector.yaml")
    assert _read(root, {"text": "templates/inside.txt"}) == ("secret: leaked\n", [])


def test_a_file_that_is_not_utf8_or_too_large_is_reported_in_the_file(root: Path) -> None:
    (root / "templates" / "latin1.txt").write_bytes(b"ok {{code}}\r\nna\xefve")
    finding = _same_findings(root, "templates/latin1.txt")
    assert (finding.rule, finding.message) == ("SC606", "byte 0xef is not valid UTF-8")
    assert (finding.file, finding.line, finding.column) == (str(root / "templates" / "latin1.txt"), 2, 3)
    (root / "templates" / "big.txt").write_bytes(b"x" * (1024 * 1024 + 1))
    finding = _same_findings(root, "templates/big.txt")
    assert (finding.rule, finding.message) == (
        "SC606",
        'template "templates/big.txt" is over the 1 MiB limit',
    )
    (root / "templates" / "cap.txt").write_bytes(b"x" * (1024 * 1024))
    text, findings = _read(root, {"text": "templates/cap.txt"})
    assert findings == [] and text is not None and len(text) == 1024 * 1024


def test_a_nul_byte_is_text_here_not_a_binary_file(root: Path) -> None:
    (root / "templates" / "nul.txt").write_bytes(b"a\x00b {{code}}")
    assert _read(root, {"text": "templates/nul.txt"}) == ("a\x00b {{code}}", [])
    finding = _read(root, {"file": "templates/nul.txt"})[1][0]
    assert finding.message == "a NUL byte: this looks like a binary file"


@pytest.mark.parametrize("bad", [{"text": 3}, {"text": "a", "file": "b"}, {"texts": "a"}])
def test_a_malformed_text_form_is_sc611(root: Path, bad: object) -> None:
    _, findings = _read(root, bad)
    assert [(f.rule, f.message) for f in findings] == [
        ("SC611", "a template field must be a string, {text: PATH}, {file: PATH} or {jinja: TEXT}")
    ]


PROJECT = """host: smtp.example.com
port: 587
auth: {user: mailer@example.com, pass: "${SMTP_PASS}"}
fromEmail: noreply@example.com
variables: {brand: Acme}
templates:
  - usageType: SignIn
    contentType: text/html
    subject: {text: templates/subject.txt}
    content: {text: templates/sign-in.html}
    locales:
      fr:
        subject: Code {{code}}
        content: {text: templates/fr/sign-in.txt}
  - {usageType: Register, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: ForgotPassword, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: Generic, contentType: text/plain, subject: Code, content: "{{code}}"}
"""
# (`{{ brand }}` would stay as written too, and the build then refuses it: SC106, not a Logto placeholder.)
INCLUDE = "<p>{% include 'smtp-connector.yaml' %}{% if brand %}x{% endif %}</p>\r\n<p>{{code}}</p>\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "email"
    (root / "environments").mkdir(parents=True)
    (root / "templates" / "fr").mkdir(parents=True)
    (root / "smtp-connector.yaml").write_text(PROJECT)
    (root / "environments" / "prod.yaml").write_text("port: 587\n")
    (root / "templates" / "subject.txt").write_text("Code {{ code }}")
    (root / "templates" / "sign-in.html").write_bytes(INCLUDE.encode())
    (root / "templates" / "fr" / "sign-in.txt").write_bytes(b"Votre code : {{code}}\r\n")
    return root


def test_a_text_file_is_built_verbatim_in_every_language(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "prod.json"
    cli("build", str(project), "--env", "prod", "-o", str(out), env={"SMTP_PASS": "pw-Wombat-3"})
    sign_in = json.loads(out.read_text())["templates"][0]
    assert (sign_in["subject"], sign_in["content"]) == ("Code {{ code }}", INCLUDE)
    store = json.loads((tmp_path / "prod.email-templates.json").read_text())["templates"]
    assert store[0]["languageTag"] == "fr"
    assert store[0]["details"]["content"] == "Votre code : {{code}}\r\n"


def _found(paths: list[Path]) -> list[tuple[str, str, int, int]]:
    result = lint_paths([str(p) for p in paths])
    # SC614 (the usage types a fr user gets in English: this project translates one) is not about text files.
    shown = [f for f in result.findings if not f.suppressed and f.rule != "SC614"]
    return [(Path(f.file).name, f.rule, f.line, f.column) for f in shown]


def test_a_placeholder_problem_is_reported_at_its_line_and_column_in_the_file(project: Path) -> None:
    (project / "templates" / "sign-in.html").write_bytes(b"<p>Hi</p>\r\n<p>{{ code }} {{ cod }}</p>\n")
    (project / "templates" / "fr" / "sign-in.txt").write_text("Bonjour\n  {{ codee }}\n{{code}}")
    assert _found([project]) == [
        ("sign-in.txt", "SC106", 2, 3),
        ("sign-in.html", "SC106", 2, 15),
    ]


def test_html_example_values_and_header_problems_are_reported_in_the_file(project: Path) -> None:
    templates = project / "templates"
    (templates / "sign-in.html").write_bytes(b"<p>{{code}}</p>\r\n<div>\r\n  <em>x</span></div>\n")
    (templates / "subject.txt").write_bytes(b"Code {{code}}\r\nBcc: x@example.com")
    (templates / "register.txt").write_bytes(b"Password:\n  <password> {{code}}, <b>bold</b>\n")
    (templates / "reply-to.txt").write_text("Ops <ops@example.com>, nobody")
    (project / "smtp-connector.yaml").write_text(
        PROJECT.replace(
            'content: "{{code}}"}\n',
            "content: {text: templates/register.txt}, replyTo: {text: templates/reply-to.txt}}\n",
            1,
        )
    )
    assert _found([project]) == [
        ("register.txt", "SC401", 2, 3),
        ("register.txt", "SC109", 2, 24),
        ("reply-to.txt", "SC411", 1, 1),
        ("sign-in.html", "SC110", 3, 8),
        ("subject.txt", "SC408", 1, 14),
    ]


def test_a_changed_text_file_relints_the_environments_that_read_it(project: Path) -> None:
    (project / "templates" / "sign-in.html").write_text("<p>{{code}} {{linc}}</p>\n")
    assert _found([project / "templates" / "sign-in.html"]) == [("sign-in.html", "SC106", 1, 13)]
    assert _found([project / "templates" / "fr" / "sign-in.txt"]) == [("sign-in.html", "SC106", 1, 13)]


def test_the_source_schema_takes_the_text_form(project: Path) -> None:
    (project / "environments" / "prod.yaml").write_text(
        "templates:\n  - usageType: SignIn\n    content: {text: 3}\n    locales: {fr: {content: {text: ''}}}\n"
    )
    found = [(f.rule, f.line) for f in lint_paths([str(project / "environments" / "prod.yaml")]).findings]
    assert ("SC202", 3) in found and ("SC202", 4) in found
