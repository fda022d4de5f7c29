"""The build-time step between compose and finalize: template fields rendered with the merged variables,
variable names and language tags checked, every finding at the line a person wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.build.outputs import build
from connector.build.templating import Authoring
from connector.errors import InputError
from connector.lint import lint_source
from connector.project.layout import compose, load_project
from connector.source.loader import loads

from .projects import TEMPLATES, write_project

SIGN_IN = '    subject: Sign in\n    content: "Your code: {{code}}"\n'


def _project(tmp_path: Path, sign_in: str, **files: str) -> Path:
    text = "provider: dev-sink\nfromEmail: a@acme.example\n" + TEMPLATES.replace(SIGN_IN, sign_in)
    return write_project(tmp_path, {"smtp-connector.yaml": text, **files})


def _errors(root: Path, env: str | None = None) -> list[tuple[str, str, int, int]]:
    with pytest.raises(InputError) as caught:
        build(root, env)
    return [(Path(f.file).name, f.rule, f.line, f.column) for f in caught.value.findings]


def test_variables_merge_across_layers(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "    subject: {jinja: '{{ brand }} {{ colors.a }}{{ colors.b }}'}\n    content: '{{code}}'\n",
        **{
            "environments/prod.yaml": "variables:\n  colors: {b: B}\n",
        },
    )
    text = (root / "smtp-connector.yaml").read_text()
    (root / "smtp-connector.yaml").write_text(text + "variables: {brand: Acme, colors: {a: A, b: x}}\n")
    sign_in = next(t for t in build(root, "prod").config.templates if t.usageType == "SignIn")
    assert sign_in.subject == "Acme AB"


def test_placeholders_with_odd_spacing_come_out_as_written(tmp_path: Path) -> None:
    subject = "{{code}} {{  application.name}} {{\u00a0code\u00a0}} {{ organization.name\t}}"
    root = _project(
        tmp_path,
        f'    subject: {{jinja: "{subject}"}}\n    content: {{file: templates/t.txt.j2}}\n',
        **{"templates/t.txt.j2": "{% if true %}{{   code }}{% endif %}\n"},
    )
    sign_in = next(t for t in build(root, None).config.templates if t.usageType == "SignIn")
    assert (sign_in.subject, sign_in.content) == (subject, "{{   code }}")


def test_a_variable_named_like_a_placeholder_is_reported_where_it_is_set(tmp_path: Path) -> None:
    root = _project(
        tmp_path, SIGN_IN, **{"environments/prod.yaml": "variables:\n  code: 1\n  brand-name: x\n"}
    )
    assert _errors(root, "prod") == [("prod.yaml", "SC608", 2, 3), ("prod.yaml", "SC609", 3, 3)]
    result = Authoring(root).render(compose(load_project(root), "prod", resolve=False))
    assert [(f.rule, f.severity, f.line) for f in result.findings] == [
        ("SC608", "error", 2),
        ("SC609", "warning", 3),
    ]


def test_the_language_must_be_a_tag(tmp_path: Path) -> None:
    root = _project(tmp_path, SIGN_IN, **{"environments/prod.yaml": "language: en_US\n"})
    assert _errors(root, "prod") == [("prod.yaml", "SC610", 1, 11)]


def test_an_inline_jinja_error_is_reported_in_the_yaml(tmp_path: Path) -> None:
    root = _project(tmp_path, "    subject: {jinja: '{{ brand }'}\n    content: '{{code}}'\n")
    # Exact: the quote is not counted as text (docs/templates.md).
    assert _errors(root) == [("smtp-connector.yaml", "SC601", 6, 32)]


def test_a_missing_template_file_is_reported_at_its_reference(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "    subject: Sign in\n    content: {file: templates/sign-in.txt.j2}\n",
        **{"templates/sign_in.txt.j2": "x"},
    )
    with pytest.raises(InputError) as caught:
        build(root, None)
    [finding] = caught.value.findings
    assert (finding.rule, finding.line, finding.column) == ("SC604", 7, 21)
    assert (
        finding.message
        == 'template file "templates/sign-in.txt.j2" not found; did you mean "templates/sign_in.txt.j2"?'
    )


def test_html_content_escapes_variables_but_the_subject_does_not(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        "    contentType: text/html\n    subject: {jinja: '{{ brand }}'}\n    content: {jinja: '<p>{{ brand }} {{code}}</p>'}\n",
    )
    text = (
        (root / "smtp-connector.yaml")
        .read_text()
        .replace("  - usageType: SignIn\n    contentType: text/plain\n", "  - usageType: SignIn\n")
    )
    (root / "smtp-connector.yaml").write_text(text + "variables: {brand: A & B}\n")
    sign_in = next(t for t in build(root, None).config.templates if t.usageType == "SignIn")
    assert (sign_in.subject, sign_in.content) == ("A & B", "<p>A &amp; B {{code}}</p>")


def test_a_source_layer_with_template_forms_lints_clean_on_its_own() -> None:
    text = (
        "provider: gmail\nlanguage: en\nvariables: {brand: Acme}\ntemplates:\n"
        "  - usageType: SignIn\n    subject: {jinja: '{{ brand }}'}\n    content: {file: templates/a.j2}\n"
        "    locales: {fr: {content: {file: templates/fr/a.j2}}}\n"
    )
    document = loads(text.encode(), "smtp-connector.yaml").document
    assert document is not None
    assert lint_source(document, "layer") == []
    bad = loads(text.replace("{file: templates/a.j2}", "{fil: templates/a.j2}").encode(), "x.yaml").document
    assert [f.rule for f in lint_source(bad, "layer")] == ["SC203", "SC201"]
