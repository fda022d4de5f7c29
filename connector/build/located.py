"""Configs with template fields rendered that still know their sources (what lint and validation see).

A field written ``content: {file: templates/x.j2}`` (or ``{text: …}``) is located at ``templates/x.j2`` in the YAML; a
variant's fields at its ``locales.<tag>`` keys, or at the template's own field when it inherits it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath
from connector.project.layers import Composed
from connector.source.document import excerpt_place

FORMS = ("file", "text", "jinja")


class Where:
    """Maps paths of rendered data to the composed source: a field written ``{file: x}`` to ``x``."""

    def __init__(self, composed: Composed) -> None:
        self.composed = composed
        self.paths: dict[KeyPath, KeyPath] = {}  # rendered path -> source path (prefix mapping)

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        source = self.source(path)
        return self.composed.locate(source, key=key and not (source and source[-1] in FORMS))

    def source(self, path: KeyPath) -> KeyPath:
        """The composed path that ``path`` was rendered from (a rendered field: its ``file``/``text``/``jinja`` key)."""
        for depth in range(len(path), 0, -1):
            source = self.paths.get(path[:depth])
            if source is not None:
                if source[-1] in FORMS:  # a rendered field: its file path or Jinja text says where
                    return source
                return (*source, *path[depth:])
        return path

    def locate_excerpt(self, path: KeyPath, excerpt: str) -> Location | None:
        """Where the field at ``path`` has ``excerpt`` in the text written in YAML (a plain string or a
        ``{jinja:}`` one), when the file holds that text as it reads; None otherwise (a file, folded text)."""
        source = self.source(path)
        if source[-1:] in (("file",), ("text",)):
            return None
        place = excerpt_place(self.composed.data, source, excerpt)
        return self.composed.locate_text(source, *place) if place is not None else None


@dataclass
class AuthoredConfig:
    """The config Logto gets (template fields rendered, ``locales`` removed), with source positions."""

    data: dict[str, Any]
    where: Where = field(repr=False)

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        return self.where.locate(path, key=key)

    def locate_excerpt(self, path: KeyPath, excerpt: str) -> Location | None:
        return self.where.locate_excerpt(path, excerpt)

    def newest(self, *paths: KeyPath) -> KeyPath:
        return self.where.composed.newest(*paths)

    def user_facing(self, findings: Iterable[Finding]) -> list[Finding]:
        return self.where.composed.user_facing(findings)


@dataclass
class Variant:
    """One other language: its templates (fields rendered, inherited ones filled in), with positions."""

    language: str
    data: dict[str, Any]  # {"templates": [...]}, the shape lint expects
    where: Where = field(repr=False)

    @property
    def variant_language(self) -> str:
        return self.language

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        return self.where.locate(path, key=key)

    def locate_excerpt(self, path: KeyPath, excerpt: str) -> Location | None:
        return self.where.locate_excerpt(path, excerpt)
