from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connector.authoring.templates import TemplateRenderer, check_variables
from connector.diagnostics.findings import Finding, Location
from connector.logto import USAGE_TYPES
from connector.logto.placeholders import fill_placeholders
from connector.preview import SAMPLE_CODE, SAMPLE_LINK, sample_payload

from .templates_once import render_template_file, render_template_string

YAML = Location("email/smtp-connector.yaml", 7, 14)
VARIABLES: dict[str, Any] = {
    "brand": "Acme & <Co>",
    "product_url": "https://acme.example",
    "colors": {"primary": "#0a84ff", "text": "#1d1d1f"},
}

Write = Callable[[str, str], Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def write(relpath: str, text: str) -> Path:
        path = tmp_path / "project" / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    (tmp_path / "project").mkdir()
    return write


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "project"


def render(root: Path, relpath: str, variables: dict[str, Any] | None = None, *, html: bool = True) -> str:
    text, findings = render_template_file(
        root, relpath, VARIABLES if variables is None else variables, html=html, referenced_at=YAML
    )
    assert findings == []
    assert text is not None
    return text


def only_finding(
    root: Path, relpath: str, variables: dict[str, Any] | None = None, html: bool = True
) -> Finding:
    text, findings = render_template_file(
        root, relpath, VARIABLES if variables is None else variables, html=html, referenced_at=YAML
    )
    assert text is None
    assert len(findings) == 1, findings
    return findings[0]


def where(root: Path, relpath: str, line: int, column: int) -> tuple[str, int, int]:
    return (str(root / relpath), line, column)


def at(finding: Finding) -> tuple[str, int, int]:
    return (finding.file, finding.line, finding.column)


# Logto's runtime placeholders come out exactly as written.

ODD_SPACING = [
    "{{code}}",
    "{{ code }}",
    "{{  application.name}}",
    "{{\u00a0code}}",
    "{{\ufeffcode\u3000}}",
    "{{\tuser.name\n}}",
    "{{ link }}",
    "{{ locale }}",
    "{{uiLocales}}",
    "{{ organization.name }}",
    "{{ inviter.name }}",
    "{{ application.branding.logoUrl }}",
]


@pytest.mark.parametrize("placeholder", ODD_SPACING)
@pytest.mark.parametrize("html", [True, False])
def test_placeholders_pass_through_unchanged(root: Path, write: Write, placeholder: str, html: bool) -> None:
    write("templates/t.j2", f"<p>{{{{ brand }}}}: {placeholder}</p>")
    brand = "Acme &amp; &lt;Co&gt;" if html else "Acme & <Co>"
    assert render(root, "templates/t.j2", html=html) == f"<p>{brand}: {placeholder}</p>"


def test_placeholders_in_layouts_includes_and_macros(root: Path, write: Write) -> None:
    write(
        "templates/layout.html.j2",
        '<html lang="{{ language }}"><body style="color: {{ colors.primary }}">\n'
        "{% block body %}{% endblock %}\n"
        "<footer>{{ brand }} · {{  application.name}}</footer></body></html>",
    )
    write("templates/partials/signature.html.j2", "<p>— {{ brand }} for {{\u00a0organization.name}}</p>")
    write(
        "templates/macros.html.j2",
        '{% macro button(url, label) %}<a href="{{ url }}">{{ label }}</a>{{user.name}}{% endmacro %}',
    )
    write(
        "templates/invite.html.j2",
        '{% extends "templates/layout.html.j2" %}\n'
        '{% from "templates/macros.html.j2" import button %}\n'
        "{% block body %}<p>{{inviter.name}} invites you: {{code}}</p>\n"
        '{{ button("{{ link }}", "Join " ~ brand) }}\n'
        '{% include "templates/partials/signature.html.j2" %}{% endblock %}',
    )
    text, findings = TemplateRenderer(root).render_file(
        "templates/invite.html.j2", VARIABLES, html=True, referenced_at=YAML, language="fr"
    )
    assert findings == []
    assert text == (
        '<html lang="fr"><body style="color: #0a84ff">\n'
        "<p>{{inviter.name}} invites you: {{code}}</p>\n"
        '<a href="{{ link }}">Join Acme &amp; &lt;Co&gt;</a>{{user.name}}\n'
        "<p>— Acme &amp; &lt;Co&gt; for {{\u00a0organization.name}}</p>\n"
        "<footer>Acme &amp; &lt;Co&gt; · {{  application.name}}</footer></body></html>"
    )


@pytest.mark.parametrize("usage_type", USAGE_TYPES)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_built_content_shows_the_code_or_link_where_the_author_put_it(
    root: Path, write: Write, usage_type: str, language: str
) -> None:
    write("templates/layout.html.j2", "<main>{% block body %}{% endblock %}</main><p>{{ brand }}</p>")
    key = "link" if usage_type == "OrganizationInvitation" else "code"
    write(
        "templates/message.html.j2",
        '{% extends "templates/layout.html.j2" %}{% block body %}'
        f"<b>{{{{{key}}}}}</b><i>{{{{ {key} }}}}</i>{{% endblock %}}",
    )
    text = render(root, "templates/message.html.j2")
    sent = fill_placeholders(text, sample_payload(usage_type, language))
    value = SAMPLE_LINK if key == "link" else SAMPLE_CODE
    assert sent == f"<main><b>{value}</b><i>{value}</i></main><p>Acme &amp; &lt;Co&gt;</p>"


def test_a_placeholder_over_several_lines_keeps_the_line_numbers(root: Path, write: Write) -> None:
    write("templates/t.j2", "a {{\n  code\n}} b\n{{ brnd }}")
    assert at(only_finding(root, "templates/t.j2")) == where(root, "templates/t.j2", 4, 4)
    write("templates/ok.j2", "a {{\r\n  code\r\n}} b")
    assert render(root, "templates/ok.j2") == "a {{\r\n  code\r\n}} b"


def test_autoescape_applies_to_build_variables_in_html_only(root: Path, write: Write) -> None:
    write("templates/t.j2", "{{ brand }} <b>{{ code }}</b> {{ '<i>' ~ brand ~ '</i>' }} {{ footer|safe }}")
    variables = {**VARIABLES, "footer": "<hr>"}
    assert render(root, "templates/t.j2", variables, html=True) == (
        "Acme &amp; &lt;Co&gt; <b>{{ code }}</b> &lt;i&gt;Acme &amp; &lt;Co&gt;&lt;/i&gt; <hr>"
    )
    assert render(root, "templates/t.j2", variables, html=False) == (
        "Acme & <Co> <b>{{ code }}</b> <i>Acme & <Co></i> <hr>"
    )


def test_raw_blocks_comments_and_other_double_braces(root: Path, write: Write) -> None:
    write("templates/t.j2", "{# {{ code }} #}{% raw %}{{ brand }}{% endraw %}|{{ product_url }}|{{{ code }}}")
    assert render(root, "templates/t.j2") == "{{ brand }}|https://acme.example|{{{ code }}}"


def test_a_template_file_may_start_with_a_bom_and_loses_one_trailing_newline(
    root: Path, write: Write
) -> None:
    (root / "t.txt").write_bytes("\ufeffHello {{ code }}\n".encode())
    assert render(root, "t.txt", html=False) == "Hello {{ code }}"


def test_a_changed_file_is_read_again(root: Path, write: Write) -> None:
    renderer = TemplateRenderer(root)
    path = write("templates/t.j2", "one")
    assert renderer.render_file("templates/t.j2", {}, html=False, referenced_at=YAML) == ("one", [])
    path.write_text("two")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert renderer.render_file("templates/t.j2", {}, html=False, referenced_at=YAML) == ("two", [])


def test_a_repeated_render_is_reused_and_still_reports_the_files_it_read(root: Path, write: Write) -> None:
    renderer = TemplateRenderer(root)
    write("templates/layout.j2", "[{% block body %}{% endblock %}]")
    write(
        "templates/t.j2",
        '{% extends "templates/layout.j2" %}{% block body %}{{ brand }} {{code}}{% endblock %}',
    )
    for brand in ("Acme", "Acme", "Other"):
        text, findings = renderer.render_file(
            "templates/t.j2", {"brand": brand}, html=False, referenced_at=YAML
        )
        assert (text, findings) == (f"[{brand} {{{{code}}}}]", [])
        # The hook relints the environments whose rendering read a changed file: a reused render counts.
        assert renderer.take_used() == {"templates/t.j2", "templates/layout.j2"}


# Errors: one finding, at the template file's own line and column.


def test_syntax_error_unknown_tag(root: Path, write: Write) -> None:
    write("templates/t.j2", "a\n<p>{% endif %}</p>\n")
    finding = only_finding(root, "templates/t.j2")
    assert at(finding) == where(root, "templates/t.j2", 2, 7)
    assert (finding.rule, finding.severity) == ("SC601", "error")
    assert finding.message == "template syntax error: Encountered unknown tag 'endif'."
    assert finding.hint == "check that each {{ has its }} and each {% if/for/block %} its end tag"


def test_syntax_error_unbalanced_placeholder(root: Path, write: Write) -> None:
    write("templates/t.j2", "a\n<p>{{ code }</p>\n")
    finding = only_finding(root, "templates/t.j2")
    assert at(finding) == where(root, "templates/t.j2", 2, 12)
    assert finding.message == "template syntax error: unexpected '}'"


def test_syntax_error_unknown_filter(root: Path, write: Write) -> None:
    write("templates/t.j2", "{{ brand | shout }}")
    finding = only_finding(root, "templates/t.j2")
    assert (finding.rule, *at(finding)[1:]) == ("SC601", 1, 12)
    assert finding.message == "template syntax error: No filter named 'shout'."
    assert finding.hint == "check the name against Jinja2's built-in filters and tests"


def test_syntax_error_in_an_included_file_points_into_it(root: Path, write: Write) -> None:
    write("templates/main.j2", 'x\n{% include "templates/part.j2" %}')
    write("templates/part.j2", "one\ntwo\n{% for x in colors %}")
    finding = only_finding(root, "templates/main.j2")
    assert at(finding) == where(root, "templates/part.j2", 3, 1)
    assert finding.message == (
        "template syntax error: Unexpected end of template. Jinja was looking for the following tags: "
        "'endfor' or 'else'. The innermost block that needs to be closed is 'for'."
    )


def test_undefined_variable_with_did_you_mean(root: Path, write: Write) -> None:
    write("templates/t.j2", "Hello\n<p>{{ brnd }}</p>")
    finding = only_finding(root, "templates/t.j2")
    assert at(finding) == where(root, "templates/t.j2", 2, 7)
    assert (finding.rule, finding.message) == (
        "SC602",
        "undefined build variable `brnd`; did you mean `brand`?",
    )
    assert finding.hint == "rename it to `brand`"


def test_undefined_variable_without_suggestion(root: Path, write: Write) -> None:
    write("templates/t.j2", "{% if x %}{{ support_email }}{% endif %}")
    finding = only_finding(root, "templates/t.j2", {**VARIABLES, "x": True})
    assert at(finding) == where(root, "templates/t.j2", 1, 14)
    assert finding.message == "undefined build variable `support_email`"
    assert finding.hint == "define it under `variables:` in the project file or the environment's file"


def test_undefined_key_in_a_layout_points_into_the_layout(root: Path, write: Write) -> None:
    write(
        "templates/layout.j2", "<html>\n<body style='color: {{ colors.primry }}'>{% block b %}{% endblock %}"
    )
    write("templates/t.j2", '{% extends "templates/layout.j2" %}{% block b %}x{% endblock %}')
    finding = only_finding(root, "templates/t.j2")
    assert at(finding) == where(root, "templates/layout.j2", 2, 31)
    assert finding.message == (
        "undefined build variable `colors.primry`: `colors` has no key `primry`; did you mean `primary`?"
    )


def test_undefined_attribute_of_a_string(root: Path, write: Write) -> None:
    write("templates/t.j2", "{{ brand.name }}")
    finding = only_finding(root, "templates/t.j2")
    assert (finding.line, finding.column) == (1, 10)
    assert finding.message == "undefined build variable `brand.name`: `brand` is a string and has no `name`"


def test_a_placeholder_inside_a_jinja_expression_is_explained(root: Path, write: Write) -> None:
    write("templates/t.j2", "ok {{ code }}\n{{ code | upper }}")
    finding = only_finding(root, "templates/t.j2")
    assert at(finding) == where(root, "templates/t.j2", 2, 4)
    assert (
        finding.message
        == "`code` is a Logto placeholder, filled at send time: Jinja cannot use it at build time"
    )
    assert (
        finding.hint
        == "write it on its own as {{ code }} (no filter, test or expression) to pass it to Logto"
    )


def test_a_misspelt_placeholder_suggests_the_placeholder(root: Path, write: Write) -> None:
    write("templates/t.j2", "Your code: {{ cod }}")
    finding = only_finding(root, "templates/t.j2")
    assert (finding.line, finding.column) == (1, 15)
    assert finding.message == "undefined build variable `cod`; did you mean the Logto placeholder {{ code }}?"


def test_environment_variables_are_not_visible(
    root: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PASS", "hunter22")
    write("templates/t.j2", "{{ SMTP_PASS }}")
    assert only_finding(root, "templates/t.j2").message == "undefined build variable `SMTP_PASS`"


@pytest.mark.parametrize(
    ("expression", "column", "message"),
    [
        ("''.__class__.__mro__", 7, "access to attribute '__class__' of 'str' object is unsafe"),
        ("cycler.__init__.__globals__", 11, "access to attribute '__init__' of 'type' object is unsafe"),
        ("lipsum.__globals__", 11, "access to attribute '__globals__' of 'function' object is unsafe"),
        ("colors.update", 11, "access to attribute 'update' of 'dict' object is unsafe"),
    ],
)
def test_sandbox_escapes_are_refused(
    root: Path, write: Write, expression: str, column: int, message: str
) -> None:
    write("templates/t.j2", f"line one\n{{{{ {expression} }}}}")
    finding = only_finding(root, "templates/t.j2")
    assert at(finding) == where(root, "templates/t.j2", 2, column)
    assert (finding.rule, finding.message) == ("SC603", f"refused by the template sandbox: {message}")
    assert finding.hint == (
        "templates may use build variables, filters, macros, includes and layouts, not Python internals"
    )


def test_a_mutating_call_is_refused(root: Path, write: Write) -> None:
    write("templates/t.j2", "{{ colors.update({'primary': 'red'}) }}")
    assert only_finding(root, "templates/t.j2").rule == "SC603"


def test_missing_file_is_reported_where_the_yaml_names_it(root: Path, write: Write) -> None:
    write("templates/sign-in.html.j2", "x")
    finding = only_finding(root, "templates/sign-on.html.j2")
    assert at(finding) == (YAML.file, YAML.line, YAML.column)
    assert finding.rule == "SC604"
    assert finding.message == (
        'template file "templates/sign-on.html.j2" not found; did you mean "templates/sign-in.html.j2"?'
    )
    assert finding.hint == "paths are written from the project folder, e.g. templates/layout.html.j2"


def test_missing_include_is_reported_at_the_include(root: Path, write: Write) -> None:
    write("templates/footer.html.j2", "x")
    write("templates/t.j2", 'a\n  {% include "templates/footr.html.j2" %}')
    finding = only_finding(root, "templates/t.j2")
    assert at(finding) == where(root, "templates/t.j2", 2, 15)
    assert finding.message == (
        'template file "templates/footr.html.j2" not found; did you mean "templates/footer.html.j2"?'
    )


def test_include_ignore_missing_still_works(root: Path, write: Write) -> None:
    write("templates/t.j2", 'a{% include "templates/optional.j2" ignore missing %}b')
    assert render(root, "templates/t.j2") == "ab"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    return secret


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../secret.txt", 'template path "../secret.txt" leaves the project folder with ".."'),
        (
            "templates/../../secret.txt",
            'template path "templates/../../secret.txt" leaves the project folder with ".."',
        ),
        ("/etc/passwd", 'template path "/etc/passwd" is absolute'),
        ("C:/Windows/win.ini", 'template path "C:/Windows/win.ini" is absolute'),
    ],
)
def test_paths_outside_the_project_are_refused(
    root: Path, write: Write, outside: Path, name: str, message: str
) -> None:
    write("templates/t.j2", f'x\n<p>{{% include "{name}" %}}</p>')
    finding = only_finding(root, "templates/t.j2")
    assert at(finding) == where(root, "templates/t.j2", 2, 16)
    assert (finding.rule, finding.message) == ("SC605", message)
    # Named directly from YAML: reported there.
    direct = only_finding(root, name)
    assert (direct.rule, direct.message, direct.line) == ("SC605", message, YAML.line)


def test_a_backslash_path_is_refused(root: Path) -> None:
    finding = only_finding(root, "templates\\x.j2")
    assert (finding.rule, finding.message, finding.hint) == (
        "SC605",
        'template path "templates\\x.j2" uses a backslash',
        "use / between folders",
    )


def test_empty_and_nul_paths_are_refused(root: Path) -> None:
    assert only_finding(root, "").message == "an empty template path"
    assert only_finding(root, "a\x00b").message == "a template path with a NUL byte"


def test_a_symlink_out_of_the_project_is_refused(root: Path, write: Write, outside: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "secret.j2").symlink_to(outside)
    (root / "inside.j2").write_text("inside {{ code }}")
    (root / "templates" / "ok.j2").symlink_to(root / "inside.j2")
    finding = only_finding(root, "templates/secret.j2")
    assert (finding.rule, finding.message) == (
        "SC605",
        'template path "templates/secret.j2" is a symlink to a file outside the project folder',
    )
    assert "TOP SECRET" not in finding.format()
    assert render(root, "templates/ok.j2") == "inside {{ code }}"


def test_unreadable_files(root: Path, write: Write) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "latin1.j2").write_bytes(b"ok\nna\xefve")
    finding = only_finding(root, "templates/latin1.j2")
    assert at(finding) == where(root, "templates/latin1.j2", 2, 3)
    assert (finding.rule, finding.message) == ("SC606", "byte 0xef is not valid UTF-8")
    (root / "templates" / "bin.j2").write_bytes(b"\x89PNG\x00")
    assert only_finding(root, "templates/bin.j2").message == "a NUL byte: this looks like a binary file"
    folder = only_finding(root, "templates")
    assert (folder.rule, folder.message, folder.line) == ("SC606", 'template path "templates" is a folder', 7)


def test_a_bad_byte_after_non_ascii_text_is_at_the_same_character_column_as_the_loader_says(
    root: Path, write: Write
) -> None:
    from connector.source.loader import loads

    raw = "héllo \xff".encode().replace(b"\xc3\xbf", b"\xff")  # é is two bytes: byte column 8, character 7
    (root / "templates").mkdir()
    (root / "templates" / "bad.j2").write_bytes(raw)
    finding = only_finding(root, "templates/bad.j2")
    assert at(finding) == where(root, "templates/bad.j2", 1, 7)
    loaded = loads(raw, "bad.yaml").findings[0]
    assert (loaded.rule, loaded.line, loaded.column) == ("SC002", 1, 7)
    (root / "big.j2").write_bytes(b"x" * (1024 * 1024 + 1))
    assert only_finding(root, "big.j2").message == 'template "big.j2" is over the 1 MiB limit'


def test_runtime_errors(root: Path, write: Write) -> None:
    write("templates/t.j2", "a\n{{ 1 // 0 }}")
    finding = only_finding(root, "templates/t.j2")
    assert (finding.rule, finding.line, finding.message) == (
        "SC607",
        2,
        "template error: integer division or modulo by zero",
    )
    write("templates/loop.j2", 'x{% include "templates/loop.j2" %}')
    loop = only_finding(root, "templates/loop.j2")
    assert (loop.rule, loop.line, loop.message) == ("SC607", 1, "template error: endless recursion")


def test_a_filter_that_changes_a_placeholder_is_an_error(root: Path, write: Write) -> None:
    write("templates/t.j2", '{{ "{{ code }}" | reverse }}')
    finding = only_finding(root, "templates/t.j2")
    assert (finding.rule, finding.file, finding.line) == ("SC607", YAML.file, YAML.line)
    assert finding.message == (
        "a Jinja filter or expression changed a Logto placeholder, so Logto would not fill it"
    )


def test_a_placeholder_in_a_jinja_string_survives(root: Path, write: Write) -> None:
    write("templates/t.j2", '{% set hello = "Hi {{ user.name }}" %}{{ hello | upper }} {{ hello }}')
    assert render(root, "templates/t.j2") == "HI {{ user.name }} Hi {{ user.name }}"


# Inline strings, the three source forms, and build variable names.


def test_inline_jinja_string(root: Path) -> None:
    text, findings = render_template_string(
        root, "{{ brand }} sign-in code: {{code}}", VARIABLES, html=False, origin=YAML
    )
    assert (text, findings) == ("Acme & <Co> sign-in code: {{code}}", [])


def test_an_inline_string_may_include_a_project_file(root: Path, write: Write) -> None:
    write("templates/subject-prefix.txt", "[{{ brand }}]")
    text, findings = render_template_string(
        root, '{% include "templates/subject-prefix.txt" %} {{ code }}', VARIABLES, html=False, origin=YAML
    )
    assert (text, findings) == ("[Acme & <Co>] {{ code }}", [])


def test_inline_errors_point_into_the_yaml_file(root: Path) -> None:
    _, findings = render_template_string(root, "Code {{ cod }}", VARIABLES, html=False, origin=YAML)
    assert at(findings[0]) == (YAML.file, YAML.line, YAML.column + 8)
    _, findings = render_template_string(root, "one\ntwo {{ ''.__class__ }}", {}, html=False, origin=YAML)
    assert (findings[0].rule, *at(findings[0])) == ("SC603", YAML.file, YAML.line + 1, 11)


def test_render_source_forms(root: Path, write: Write) -> None:
    write("templates/t.j2", "{{ brand }} {{ code }}")
    renderer = TemplateRenderer(root)
    spots: list[tuple[str, ...]] = []

    def locate(path: tuple[str, ...]) -> Location:
        spots.append(path)
        return Location("p.yaml", 3 + len(path), 5)

    def source(value: object) -> tuple[str | None, list[Finding]]:
        return renderer.render_source(value, VARIABLES, html=True, locate=locate)

    assert source("{{ brand }} {{ code }}") == ("{{ brand }} {{ code }}", [])  # literal: what Logto gets
    assert source({"file": "templates/t.j2"}) == ("Acme &amp; &lt;Co&gt; {{ code }}", [])
    assert source({"jinja": "{{ brand }}!"}) == ("Acme &amp; &lt;Co&gt;!", [])
    _, findings = source({"file": "templates/nope.j2"})
    assert (findings[0].rule, findings[0].line) == ("SC604", 4)
    assert spots[-1] == ("file",)
    for bad in ({"files": "x"}, {"file": 3}, {"file": "a", "jinja": "b"}, ["x"]):
        _, findings = source(bad)
        assert [(f.rule, f.line, f.message) for f in findings] == [
            ("SC611", 3, "a template field must be a string, {text: PATH}, {file: PATH} or {jinja: TEXT}")
        ]


def test_check_variables() -> None:
    variables = {"brand": "A", "code": "x", "user": {}, "language": "en", "brand-name": "B", "2col": 1}
    findings = check_variables(variables, lambda name: Location("p.yaml", list(variables).index(name) + 1, 3))
    assert [(f.rule, f.severity, f.line, f.message, f.hint) for f in findings] == [
        (
            "SC608",
            "error",
            2,
            "build variable `code` has the name of a Logto placeholder; {{ code }} in a template is always "
            "left for Logto to fill",
            "rename it: Logto fills code, link, locale, uiLocales, application, organization, user and "
            "inviter at send time",
        ),
        (
            "SC608",
            "error",
            3,
            "build variable `user` has the name of a Logto placeholder; {{ user }} in a template is always "
            "left for Logto to fill",
            "rename it: Logto fills code, link, locale, uiLocales, application, organization, user and "
            "inviter at send time",
        ),
        (
            "SC608",
            "error",
            4,
            "build variable `language` is set by the build to the language being rendered",
            "rename it",
        ),
        (
            "SC609",
            "warning",
            5,
            "build variable `brand-name` cannot be used in a template: a name is letters, digits and _, "
            "and does not start with a digit",
            "rename it to `brand_name`",
        ),
        (
            "SC609",
            "warning",
            6,
            "build variable `2col` cannot be used in a template: a name is letters, digits and _, "
            "and does not start with a digit",
            "rename it to `_2col`",
        ),
    ]


def test_a_shadowing_variable_never_replaces_the_placeholder(root: Path, write: Write) -> None:
    write("templates/t.j2", "{{ code }}")
    assert render(root, "templates/t.j2", {"code": "999"}) == "{{ code }}"


def test_a_template_line_holding_a_line_separator_is_one_line_as_jinja_counts_it(tmp_path: Path) -> None:
    """Jinja2 does not end a line at U+2028: the column is looked up on the line Jinja2 named."""
    origin = Location("c.yaml", 3, 10)
    result = render_template_string(tmp_path, "a\u2028b\n  {{ nope }}", {}, html=False, origin=origin)
    _, findings = result
    [found] = [f for f in findings if f.rule == "SC602"]
    assert (found.file, found.line, found.column) == ("c.yaml", 4, 6)
