"""Every finding about template text lands on the file, line and column the user typed (issue #22, item 4):
a line of a YAML `|-` block, a template file, a layout it extends, an include; a layout's problem once."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.build.outputs import build
from connector.errors import InputError
from connector.lint import lint_paths
from connector.source.loader import loads

from .projects import TEMPLATES, write_project

SIGN_IN = '    subject: Sign in\n    content: "Your code: {{code}}"\n'
GENERIC = '    subject: Code\n    content: "Your code: {{code}}"\n'
PLAIN = "    contentType: text/plain\n"
LAYOUT = """\
<!DOCTYPE html>
<html lang="{{ language }}">
<head><title>{{ brand }}</title></head>
<body>
  {% block body %}{% endblock %}
  {% include "templates/footer.html.j2" %}
</body>
</html>
"""


def _project(tmp_path: Path, sign_in: str, generic: str = GENERIC, **files: str) -> Path:
    text = "provider: dev-sink\nfromEmail: a@acme.example\nvariables: {brand: Acme}\n" + TEMPLATES.replace(
        PLAIN + SIGN_IN, PLAIN * (" contentType" not in sign_in) + sign_in, 1
    ).replace(PLAIN + GENERIC, PLAIN * (" contentType" not in generic) + generic, 1)
    files = {"templates/layout.html.j2": LAYOUT, "templates/footer.html.j2": "<p>Acme</p>\n", **files}
    return write_project(tmp_path, {"smtp-connector.yaml": text, **files})


def _lint(root: Path) -> list[tuple[str, str, int, int]]:
    found = lint_paths([str(root)]).findings
    return sorted((Path(f.file).name, f.rule, f.line, f.column) for f in found if not f.suppressed)


HTML_SIGN_IN = (
    "    contentType: text/html\n    subject: Sign in\n    content: {file: templates/sign-in.html.j2}\n"
)
HTML_GENERIC = (
    "    contentType: text/html\n    subject: Code\n    content: {file: templates/generic.html.j2}\n"
)
PAGE = '{% extends "templates/layout.html.j2" %}\n{% block body %}\n<p>Your code <b>{{ code }}</b></p>\n{% endblock %}\n'


def test_an_html_error_in_a_template_file_is_at_its_line_not_in_the_rendered_output(tmp_path: Path) -> None:
    page = PAGE.replace("</b></p>", "</strong></p>")
    root = _project(tmp_path, HTML_SIGN_IN, **{"templates/sign-in.html.j2": page})
    # `</strong>` is at line 3, column 27 of the file the user typed (line 8 of the rendered email).
    assert _lint(root) == [("sign-in.html.j2", "SC110", 3, 27)]
    [finding] = lint_paths([str(root)]).findings
    assert "line" not in finding.message  # no line of the rendered output, which the user never sees


def test_an_html_error_in_a_layout_is_reported_once_at_the_layouts_line(tmp_path: Path) -> None:
    layout = LAYOUT.replace("<title>{{ brand }}</title>", "<title>{{ brand }}</h2>")
    root = _project(
        tmp_path,
        HTML_SIGN_IN,
        HTML_GENERIC,
        **{
            "templates/layout.html.j2": layout,
            "templates/sign-in.html.j2": PAGE,
            "templates/generic.html.j2": PAGE,
            "environments/dev.yaml": "{}\n",
            "environments/prod.yaml": "{}\n",
        },
    )
    # Two templates extend it in two environments: one finding, at the layout's line 3, column 25.
    assert _lint(root) == [("layout.html.j2", "SC110", 3, 25)]


def test_an_html_error_in_an_include_is_reported_in_the_include(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        HTML_SIGN_IN,
        **{"templates/sign-in.html.j2": PAGE, "templates/footer.html.j2": "<p>Acme</em></p>\n"},
    )
    assert _lint(root) == [("footer.html.j2", "SC110", 1, 8)]


def test_a_layout_error_through_an_inline_jinja_field_is_in_the_layout(tmp_path: Path) -> None:
    layout = LAYOUT.replace("<title>{{ brand }}</title>", "<title>{{ brand }}</h2>")
    content = (
        "    contentType: text/html\n    subject: Sign in\n    content:\n      jinja: |-\n"
        '        {% extends "templates/layout.html.j2" %}\n'
        "        {% block body %}{{ code }}{% endblock %}\n"
    )
    root = _project(tmp_path, content, **{"templates/layout.html.j2": layout})
    assert _lint(root) == [("layout.html.j2", "SC110", 3, 25)]


def test_a_placeholder_typo_in_a_block_is_reported_on_its_own_line(tmp_path: Path) -> None:
    generic = "    subject: Code\n    content: |-\n      Hello.\n\n        Your code is {{ cod }}.\n"
    root = _project(tmp_path, SIGN_IN, generic)
    lines = (root / "smtp-connector.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "{{ cod }}" in text)
    column = lines[line - 1].index("{{ cod }}") + 1
    assert ("smtp-connector.yaml", "SC106", line, column) in _lint(root)
    assert lines[line - 1].startswith(
        "        Your"
    )  # a line indented deeper than the block keeps its spaces


def test_an_undefined_name_in_a_jinja_block_is_reported_on_its_own_line(tmp_path: Path) -> None:
    generic = "    subject: Code\n    content:\n      jinja: |-\n        Hello {{ brand }}.\n\n        Code: {{ cod }}\n"
    root = _project(tmp_path, SIGN_IN, generic)
    lines = (root / "smtp-connector.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "{{ cod }}" in text)
    with pytest.raises(InputError) as caught:
        build(root, None)
    [finding] = caught.value.findings
    assert (finding.rule, finding.line, finding.column) == ("SC602", line, lines[line - 1].index("cod") + 1)


@pytest.mark.parametrize(
    ("yaml", "where"),
    [
        ("a: x {{y}}\n", [(1, 4)]),  # plain: where it starts
        ('a: "x {{y}}"\n', [(1, 5)]),  # quoted: after the quote
        ("a: 'it''s'\n", None),  # an escaped quote: the text does not stand as it reads
        ('a: "x\\ty"\n', None),
        ("a: |-\n  one\n    two\n\n  four\n", [(2, 3), (3, 3), (4, 3), (5, 3)]),
        ("a: |\r\n  one\r\n  two\r\n", [(2, 3), (3, 3), (4, 3)]),  # CRLF; the clipped final newline too
        ("a: >\n  one\n  two\n", None),  # folded: lines joined
        ("a: x\n  y\n", None),  # a plain scalar over two lines is folded too
        ("a: |2\n    x\n", None),  # an indentation indicator: not the reading used here
    ],
)
def test_where_each_line_of_a_string_stands(yaml: str, where: list[tuple[int, int]] | None) -> None:
    document = loads(yaml.encode(), "f.yaml").document
    assert document is not None
    assert document.texts.get(("a",)) == (tuple(where) if where is not None else None)
    if where is not None:
        line, column = where[-1]
        assert document.locate_text(("a",), len(where), 2) == document.locate(("a",)).__class__(
            "f.yaml", line, column + 1
        )
    assert document.locate_text(("a",), 99, 1) is None
