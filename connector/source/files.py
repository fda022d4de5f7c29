"""This tool's own project format: the names of a project's files and of its environments, and the key of
deploy's target in a source file. Lint, build, the runtime and deploy read them here, so all of them agree
on what a project is (docs/projects.md)."""

from __future__ import annotations

import re
from pathlib import Path

LOGTO_SECTION = "logto"  # the source-file key of deploy's target; never part of the built connector config
PROJECT_FILES = ("smtp-connector.yaml", "smtp-connector.yml")  # a project has one of them, not both
ENVIRONMENTS_DIR = "environments"  # environments/<name>.yaml (or .yml), one file per environment
# The names an environment may have (its file's stem); the hint names what it allows.
ENVIRONMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
ENVIRONMENT_NAME_HINT = "letters, digits, `-`, `_` and `.`, starting with a letter or digit"
YAML_SUFFIXES = (".yaml", ".yml")
SOURCE_SUFFIXES = (*YAML_SUFFIXES, ".json")  # what a source file or a final config may be named
# What `build` writes next to ENV.json when templates have `locales`: the body of Logto's
# PUT /api/email-templates (connector.authoring.locales), which lint checks as that body.
TEMPLATES_SUFFIX = ".email-templates.json"


def project_files_in(folder: Path) -> list[Path]:
    """The project files in ``folder`` (a project has exactly one: more is an error for the loader)."""
    return [folder / name for name in PROJECT_FILES if (folder / name).is_file()]
