"""Rule details the example files do not show well: what counts as unfilled, HTML, and Logto's spacing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from connector.lint import lint_source
from connector.logto import CONFIG_KEYS
from connector.logto.examples import example_values, first_html_tag
from connector.logto.html_elements import check_html
from connector.schema.models import ConnectorConfig
from connector.source.loader import loads

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("text", "html", "found"),
    [
        ("<password>", False, ["<password>"]),
        ("<from_email_address@your.domain>", False, ["<from_email_address@your.domain>"]),
        ("Acme <noreply@acme.example>", False, []),
        ("<noreply@acme.example>", False, []),
        ("Acme <you@your-company.example>", False, ["<you@your-company.example>"]),
        ("<mailto:a@example.com>, <https://example.com/u>", False, []),
        ("Your code is <<code>>", False, ["<<code>>"]),
        ("<p>Hi <b>{{code}}</b></p>", True, []),
        ("<p>Hi <user_name></p>", True, ["<user_name>"]),
        ('<my-widget data-x="1">', True, []),
        ("Your <code> is 1", False, ["<code>"]),
        ("a <b>bold</b> claim", False, []),
        ("3 < 4 > 2", False, []),
    ],
)
def test_unfilled(text: str, html: bool, found: list[str]) -> None:
    assert [example.text for example in example_values(text, html)] == found


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<p>a<p>b<br><img src=x><hr/>", None),
        ("<ul><li>a<li>b</ul><table><tr><td>1<td>2</table>", None),
        ("<div>\n<b>x\n</div>", "line 3: `<b>` (opened on line 2) is not closed before `</div>`"),
        ("<b>x</i>", "line 1: `</i>` closes nothing that is open"),
        ("<div>x", "line 1: `<div>` is never closed"),
        ('<a href="x', "line 1: the text ends inside a tag or comment that is never closed"),
        ("<style>p {}</style><!-- c --><script>x<y</script>", None),
        ("Hello <name>", None),  # not an element: the unfilled-value rule's business
    ],
)
def test_check_html(html: str, problem: str | None) -> None:
    found = check_html(html)
    assert (f"line {found.line}: {found.message}" if found else None) == problem


def test_first_html_tag() -> None:
    assert first_html_tag("a <b>x</b>") == "<b>"
    assert first_html_tag("line<br>next") == "<br>"
    assert first_html_tag("see <https://example.com> or <code>") is None


def _lint(yaml_text: str, mode: str = "final") -> list[tuple[str, str]]:
    document = loads(yaml_text, "t.yaml").document
    assert document is not None
    return [(f.rule, f.message) for f in lint_source(document, mode)]  # type: ignore[arg-type]


CONFIG = """host: smtp.example.com
port: 587
auth: {{user: a@example.com, pass: "${{P}}"}}
fromEmail: a@example.com
templates:
  - {{usageType: SignIn, contentType: text/plain, subject: Code, content: "{sign_in}"}}
  - {{usageType: Register, contentType: text/plain, subject: Code, content: "{{{{code}}}}"}}
  - {{usageType: ForgotPassword, contentType: text/plain, subject: Code, content: "{{{{code}}}}"}}
  - {{usageType: Generic, contentType: text/plain, subject: Code, content: "{{{{code}}}}"}}
"""


@pytest.mark.parametrize("spacing", ["{{code}}", "{{ code }}", "{{\\tcode\\n}}", "{{\\u00a0code\\ufeff}}"])
def test_code_placeholder_with_any_spacing_logto_accepts(spacing: str) -> None:
    assert _lint(CONFIG.format(sign_in=spacing)) == []


@pytest.mark.parametrize("spacing", ["{{\\u0085code}}", "{{ co de }}"])
def test_spacing_logto_does_not_accept(spacing: str) -> None:
    rules = [rule for rule, _ in _lint(CONFIG.format(sign_in=spacing))]
    assert "SC104" in rules and "SC107" in rules


def test_a_layer_is_not_asked_for_required_keys_or_whole_config_rules() -> None:
    layer = "provider: gmail\nport: 465\nsecure: false\nauth: {}\ntemplates:\n  - {usageType: SignIn, subject: x}\n"
    assert _lint(layer, "layer") == []
    assert _lint(layer, "project-layer") == []


def test_a_layer_still_gets_its_unknown_keys_and_wrong_types() -> None:
    assert sorted(r for r, _ in _lint("provider: gmail\nprot: 465\nsecure: 'yes'\n", "layer")) == [
        "SC201",
        "SC202",
    ]


def test_composed_keeps_references_for_later() -> None:
    composed = CONFIG.format(sign_in="{{code}}").replace("port: 587", "port: ${SMTP_PORT}")
    assert _lint(composed, "composed") == []
    # A final config is what Logto gets: the reference is a wrong type and would never be resolved.
    assert [r for r, _ in _lint(composed, "final")] == ["SC202", "SC509"]


def test_connector_keys_match_the_models() -> None:
    fields = {field.alias or name for name, field in ConnectorConfig.model_fields.items()}
    assert fields == CONFIG_KEYS


def test_linting_files_keeps_pydantic_jsonschema_and_jinja2_unloaded(tmp_path: Path) -> None:
    unrelated = tmp_path / "package.json"
    unrelated.write_text('{"name": "web"}')
    code = (
        "import sys; from connector.cli.main import main; main(['lint', sys.argv[1]]); "
        "print(sorted(m for m in ('pydantic', 'jsonschema', 'jinja2', 'httpx') if m in sys.modules))"
    )
    for path, loaded in ((unrelated, "[]"), (ROOT / "tests/data/lint/good/minimal.yaml", "[]")):
        result = subprocess.run(
            [sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
        )
        assert result.stdout.strip().splitlines()[-1] == loaded
