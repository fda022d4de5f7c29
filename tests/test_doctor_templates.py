"""doctor's templates part: Gmail's clipping size per usage type and language, and the reader checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector.logto.html_elements import GMAIL_CLIP_BYTES, html_notes

from .conftest import ROOT, CliRunner
from .projects import write_project
from .smtp_fixtures import logto_config, write_config


def checks_of(cli: CliRunner, target: str, *args: str, expect: int = 0) -> list[dict[str, str]]:
    result = cli("doctor", target, "--only", "templates", "--format", "json", *args, expect=expect)
    checks: list[dict[str, str]] = json.loads(result.stdout)["checks"]
    return checks


def html_config(content: str, subject: str = "Code {{code}}") -> dict[str, object]:
    config = logto_config(587)
    config["templates"][0].update(contentType="text/html", content=content, subject=subject)  # type: ignore[index]
    return config


@pytest.mark.parametrize(("extra", "status"), [(0, "pass"), (1, "fail")])
def test_the_clipping_size_is_lints_sc111(cli: CliRunner, tmp_path: Path, extra: int, status: str) -> None:
    """Over GMAIL_CLIP_BYTES of HTML as sent (Logto's placeholders stay: their values are not known), a
    fail with lint's words, at the content's place."""
    content = "<p>{{code}}</p>"
    path = write_config(
        tmp_path / "logto.json", html_config(content + "x" * (GMAIL_CLIP_BYTES - len(content) + extra))
    )
    checks = checks_of(cli, str(path), expect=1 if status == "fail" else 0)
    size = next(c for c in checks if c["id"] == "templates.size")
    assert size["status"] == status
    if status == "fail":
        assert size["key"] == "templates[0].content"
        assert "Gmail clips" in size["message"] and size["file"] == str(path)


def test_reader_problems_are_warnings_at_the_template_files_line_and_column(
    cli: CliRunner, tmp_path: Path
) -> None:
    """A template from a file: each problem where the file has it, in lint's words (the hook's)."""
    root = tmp_path / "project"
    html = '<html>\n  <img src="https://example.com/a.png">\n  <a href="http://example.com/">x</a>{{code}}\n</html>'
    write_project(
        root,
        {
            "environments/prod.yaml": "templates:\n  - usageType: SignIn\n    contentType: text/html\n"
            f"    subject: {'x' * 79}{{{{code}}}}\n    content: {{file: templates/sign-in.html}}\n",
            "templates/sign-in.html": html,
        },
    )
    checks = [c for c in checks_of(cli, str(root), "-e", "prod") if c["id"] == "templates.lint"]
    template = str(root / "templates" / "sign-in.html")
    assert sorted((c["status"], c["file"], c["line"], c["column"]) for c in checks) == [
        ("warn", str(root / "environments" / "prod.yaml"), 4, 14),  # SC115: the subject's length
        ("warn", template, 1, 1),  # SC114: no lang
        ("warn", template, 2, 3),  # SC112: no alt
        ("warn", template, 3, 3),  # SC113: http://
    ]
    messages = " ".join(c["message"] for c in checks)
    assert "screen readers" in messages and "87 characters" in messages
    cli("doctor", str(root), "-e", "prod", "--only", "templates", "--strict", expect=1)


def test_a_waiver_in_the_source_holds_for_doctor_too(cli: CliRunner, tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "project",
        {
            "environments/prod.yaml": "templates:\n  - usageType: SignIn\n    contentType: text/html\n"
            "    content: '<p><img src=\"https://x.example/a.png\">{{code}}</p>'  # smtp-connector: disable=SC112\n",
        },
    )
    checks = [c for c in checks_of(cli, str(root), "-e", "prod") if c["id"] == "templates.lint"]
    assert [c["status"] for c in checks] == ["pass"]


def test_every_language_of_a_project_is_checked(cli: CliRunner) -> None:
    checks = checks_of(cli, str(ROOT / "examples" / "acme"), "-e", "prod")
    size = next(c for c in checks if c["id"] == "templates.size")
    assert size["status"] == "pass"
    assert [c["status"] for c in checks if c["id"] == "templates.lint"] == ["pass"]


@pytest.mark.parametrize(
    ("html", "kinds"),
    [
        ('<img src="a.png">', ["img-alt"]),
        ('<img src="a.png" alt="">', []),
        ('<IMG SRC="a.png" ALT="x"/>', []),
        ('<a href="http://example.com">x</a>', ["http"]),
        ('<a href=" HTTP://example.com">x</a>', ["http"]),
        ('<a href="http://localhost:3000/">x</a>', []),
        ('<a href="http://127.0.0.1/">x</a>', []),
        ('<a href="https://example.com">x</a>', []),
        ("<p>http://example.com</p>", []),
        ("<html><p>x</p></html>", ["lang"]),
        ('<html lang="en"><p>x</p></html>', []),
        ("<!DOCTYPE html>\n<html>", ["lang"]),
        ("<div><html></html></div>", []),
        ("plain text", []),
    ],
)
def test_html_notes(html: str, kinds: list[str]) -> None:
    assert [n.kind for n in html_notes(html)] == kinds


FR_SIGN_IN = """\
templates:
  - usageType: SignIn
    locales:
      fr:
        contentType: text/html
        subject: Votre code
        content: {file: templates/fr.html}
"""


def _french_project(tmp_path: Path, padding: int) -> Path:
    """A project whose only HTML is a French SignIn of ``padding`` bytes beyond ``{{code}}``."""
    root = tmp_path / "project"
    write_project(
        root,
        {
            "environments/prod.yaml": FR_SIGN_IN,
            "templates/fr.html": "<p>{{code}}</p>" + "x" * padding,
        },
    )
    return root


@pytest.mark.parametrize(("extra", "status"), [(0, "pass"), (1, "fail")])
def test_a_language_of_a_project_is_measured_at_its_key(
    cli: CliRunner, tmp_path: Path, extra: int, status: str
) -> None:
    root = _french_project(tmp_path, GMAIL_CLIP_BYTES - len("<p>{{code}}</p>") + extra)
    checks = checks_of(cli, str(root), "-e", "prod", expect=1 if status == "fail" else 0)
    size = next(c for c in checks if c["id"] == "templates.size")
    assert (size["status"], size["environment"]) == (status, "prod")
    if status == "fail":
        assert size["key"] == "templates[0].locales.fr.content"  # where prod.yaml writes it, as lint names it
        assert '"SignIn" (fr)' in size["message"]
        # Where environments/prod.yaml names the file (FR_SIGN_IN, line 7: `content: {file: templates/fr.html}`).
        assert (size["file"], size["line"], size["column"]) == (
            str(root / "environments" / "prod.yaml"),
            7,
            25,
        )
    else:
        assert "SignIn (fr)" in size["message"]  # the largest one named


@pytest.mark.parametrize("beside", [True, False])
def test_a_built_file_is_checked_with_the_store_build_wrote_beside_it(
    cli: CliRunner, tmp_path: Path, beside: bool
) -> None:
    """`build --out-dir` writes prod.json and prod.email-templates.json; doctor reads both, as send does."""
    root = _french_project(tmp_path, GMAIL_CLIP_BYTES)
    cli("build", str(root), "--env", "prod", "--keep-refs", "--out-dir", str(tmp_path / "out"))
    if not beside:
        (tmp_path / "out" / "prod.email-templates.json").unlink()
    checks = checks_of(cli, str(tmp_path / "out" / "prod.json"), expect=1 if beside else 0)
    size = next(c for c in checks if c["id"] == "templates.size")
    assert size["status"] == ("fail" if beside else "pass")
    assert size["environment"] is None
