"""Small config projects written into a temporary folder, for the compose and build tests."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = """\
templates:
  - usageType: SignIn
    contentType: text/plain
    subject: Sign in
    content: "Your code: {{code}}"
  - usageType: Register
    contentType: text/plain
    subject: Register
    content: "Your code: {{code}}"
  - usageType: ForgotPassword
    contentType: text/plain
    subject: Reset
    content: "Your code: {{code}}"
  - usageType: Generic
    contentType: text/plain
    subject: Code
    content: "Your code: {{code}}"
"""

PROJECT = "provider: sendgrid\nfromEmail: Acme <no-reply@acme.example>\n" + TEMPLATES


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path: text) under ``root``; ``smtp-connector.yaml`` defaults to PROJECT."""
    files = {"smtp-connector.yaml": PROJECT, **files}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# Any <...> in the files init writes (comments included), to replace with a plausible value.
PLACEHOLDER = re.compile(r"<[^<>\n]+>")


def _plausible(match: re.Match[str]) -> str:
    inner = match.group(0)[1:-1]
    if "@" in inner:
        return inner
    return "us-east-1" if inner == "region" else "filled-in-value"


def fill_in(project: Path) -> None:
    """Replace every <...> value in a project made by init, as its user would."""
    for path in [project / "smtp-connector.yaml", *sorted((project / "environments").glob("*.yaml"))]:
        path.write_text(PLACEHOLDER.sub(_plausible, path.read_text()))
