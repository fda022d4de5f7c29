"""One-call renderings of a template file or an inline Jinja2 string, for the tests (the build keeps one
:class:`connector.authoring.templates.TemplateRenderer` per run instead)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from connector.authoring.templates import RenderResult, TemplateRenderer
from connector.diagnostics.findings import Location


def render_template_file(
    root: str | os.PathLike[str],
    relpath: str,
    variables: Mapping[str, Any],
    *,
    html: bool,
    referenced_at: Location,
    language: str | None = None,
) -> RenderResult:
    """Render one template file of the project at ``root`` (see TemplateRenderer.render_file)."""
    return TemplateRenderer(root).render_file(
        relpath, variables, html=html, referenced_at=referenced_at, language=language
    )


def render_template_string(
    root: str | os.PathLike[str],
    text: str,
    variables: Mapping[str, Any],
    *,
    html: bool,
    origin: Location,
    language: str | None = None,
) -> RenderResult:
    """Render an inline Jinja2 string; includes in it are read from ``root``."""
    return TemplateRenderer(root).render_string(text, variables, html=html, origin=origin, language=language)
