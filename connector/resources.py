"""Where the shipped data lives: inside the wheel (``connector/_data``) or at the top of a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from connector import __version__

_PACKAGE = Path(__file__).resolve().parent
PROJECT_URL = "https://github.com/smtp-connector/smtp-connector"
# The source schema of this version, which every YAML file the tool writes names (README: editors then
# complete keys and show each key's documentation).
SCHEMA_URL = f"{PROJECT_URL.replace('github.com', 'raw.githubusercontent.com')}/v{__version__}/schema/smtp-connector.source.schema.json"
SCHEMA_LINE = f"# yaml-language-server: $schema={SCHEMA_URL}\n"


@cache
def data_dir(name: str) -> Path:
    """The folder ``schema`` or ``providers``, from an installed wheel or from a source checkout."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the {name}/ folder is missing from this installation of smtp-connector")


def schema_path(name: str = "smtp-connector.schema.json") -> Path:
    return data_dir("schema") / name


def shipped_dir() -> Path:
    """The folder of the shipped provider overlays (``providers/*.yaml``)."""
    return data_dir("providers")


@cache
def shipped_names() -> tuple[str, ...]:
    """The shipped providers' names (the overlay files' stems), sorted."""
    return tuple(sorted(path.stem for path in shipped_dir().glob("*.yaml")))


def rule_examples_dir() -> Path | None:
    """The lint's bad examples (tests/data/lint/bad in a checkout), which ``rules ID`` shows; None if absent."""
    for candidate in (
        _PACKAGE / "_data" / "rule-examples",
        _PACKAGE.parent / "tests" / "data" / "lint" / "bad",
    ):
        if candidate.is_dir():
            return candidate
    return None
