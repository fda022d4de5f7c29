"""Build-time Jinja2 cannot read files outside the project, the environment, or Python internals.

The usual template-injection payloads, each refused with a finding (never an exception, never output).
Through connector.authoring.templates: the project files' `{file: ...}` and `{jinja: ...}` sources are wired into
`build` on the compose branch; test_authoring.py covers the sandbox case by case, this file the escapes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.diagnostics.findings import Location

from .templates_once import render_template_file, render_template_string

ORIGIN = Location("email/smtp-connector.yaml", 3, 14)
UNSAFE = "refused by the template sandbox: access to attribute"

ESCAPES = [
    ("{{ ''.__class__ }}", "SC603", f"{UNSAFE} '__class__' of 'str' object is unsafe"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "SC603", f"{UNSAFE} '__class__' of 'str' object is unsafe"),
    ("{{ ''|attr('__class__') }}", "SC603", f"{UNSAFE} '__class__' of 'str' object is unsafe"),
    ("{{ '{0.__class__}'.format('') }}", "SC603", f"{UNSAFE} '__class__' of 'str' object is unsafe"),
    ("{{ self.__init__ }}", "SC603", f"{UNSAFE} '__init__' of 'TemplateReference' object is unsafe"),
    ("{{ self._TemplateReference__context }}", "SC603",
     f"{UNSAFE} '_TemplateReference__context' of 'TemplateReference' object is unsafe"),
    ("{{ namespace.__init__.__globals__ }}", "SC603", f"{UNSAFE} '__init__' of 'type' object is unsafe"),
    ("{{ joiner.__init__.__globals__.os }}", "SC603", f"{UNSAFE} '__init__' of 'type' object is unsafe"),
    ("{% for x in [1] %}{{ loop.__class__ }}{% endfor %}", "SC603",
     f"{UNSAFE} '__class__' of 'LoopContext' object is unsafe"),
    ("{% set x = [] %}{{ x.append(1) }}", "SC603", f"{UNSAFE} 'append' of 'list' object is unsafe"),
    ("{{ range.__self__ }}", "SC602", "undefined build variable `range.__self__`: `range` is a function and has no `__self__`"),
    ("{{ config }}", "SC602", "undefined build variable `config`"),
    ("{{ request }}", "SC602", "undefined build variable `request`"),
    ("{{ os.environ }}", "SC602", "undefined build variable `os`"),
    ("{{ environ.SMTP_PASS }}", "SC602", "undefined build variable `environ`"),
    ("{{ SMTP_PASS }}", "SC602", "undefined build variable `SMTP_PASS`"),
    ("{% include '/etc/passwd' %}", "SC605", 'template path "/etc/passwd" is absolute'),
    ("{% extends '/etc/hosts' %}", "SC605", 'template path "/etc/hosts" is absolute'),
    ("{% import '/etc/passwd' as p %}", "SC605", 'template path "/etc/passwd" is absolute'),
    ("{% include '../../../../etc/passwd' %}", "SC605",
     'template path "../../../../etc/passwd" leaves the project folder with ".."'),
    ("{{ range(10**9) | list | length }}", "SC607",
     "template error: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000)."),
]  # fmt: skip


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SMTP_PASS", "hunter2-canary")
    project = tmp_path / "email"
    (project / "templates").mkdir(parents=True)
    return project


@pytest.mark.parametrize(("text", "rule", "message"), ESCAPES)
@pytest.mark.parametrize("html", [False, True])
def test_an_inline_escape_is_refused(root: Path, text: str, rule: str, message: str, html: bool) -> None:
    rendered, findings = render_template_string(root, text, {"brand": "Acme"}, html=html, origin=ORIGIN)
    assert rendered is None
    assert [(f.rule, f.message) for f in findings] == [(rule, message)]
    assert findings[0].file == ORIGIN.file


@pytest.mark.parametrize(("text", "rule", "message"), ESCAPES)
def test_an_escape_in_a_template_file_or_a_layout_is_refused(
    root: Path, text: str, rule: str, message: str
) -> None:
    (root / "templates" / "layout.html.j2").write_text("<main>{% block body %}{% endblock %}</main>\n" + text)
    (root / "templates" / "sign-in.html.j2").write_text(
        "{% extends 'templates/layout.html.j2' %}{% block body %}{{ code }}{% endblock %}"
    )
    rendered, findings = render_template_file(
        root, "templates/sign-in.html.j2", {}, html=True, referenced_at=ORIGIN
    )
    assert rendered is None
    assert [(f.rule, f.message) for f in findings] == [(rule, message)]
    if rule != "SC605":
        assert (findings[0].file, findings[0].line) == (str(root / "templates" / "layout.html.j2"), 2)


def test_nothing_of_the_process_reaches_the_output(root: Path) -> None:
    text = "{{ brand }} {{ lipsum(1, false) | length > 0 }} {{ cycler('a').next() }} {{ code }}"
    rendered, findings = render_template_string(root, text, {"brand": "Acme"}, html=False, origin=ORIGIN)
    assert findings == [] and rendered == "Acme True a {{ code }}"
