"""Build-time authoring: template files and inline Jinja2 strings, rendered with the build variables.

In the project's YAML a subject, content, replyTo or sendFrom is one of four forms (docs/templates.md):
a plain string, taken literally (exactly what Logto gets); ``{text: PATH}``, a file taken literally, never
given to Jinja2; ``{file: PATH}``, a Jinja2 template file; ``{jinja: TEXT}``, a short Jinja2 template
written inline (PATH written from the project folder). Logto's runtime placeholders come out unchanged in
all four; errors are findings at the template's own line and column.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from jinja2 import Template

from connector.authoring.errors import Sources, to_finding
from connector.authoring.protect import RUNTIME_ROOTS, Protector, altered
from connector.authoring.sandbox import (
    MissingTemplate,
    ProjectLoader,
    TemplatePathError,
    environment,
    read,
    template_file,
)
from connector.diagnostics.findings import Finding, Location

RenderResult = tuple[str | None, list[Finding]]
SourcePath = tuple[str, ...]

# Set by the build for every rendering: the language tag being rendered (for <html lang> in a layout).
BUILD_VARIABLES = frozenset({"language"})


RenderKey = tuple[str, bool, str, str | None, str]


class TemplateRenderer:
    """Renders one project's templates; reuse it for a whole build (compiled files are cached)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._protector = Protector()
        self._loader = ProjectLoader(self.root, self._protector)
        self._used: set[str] = set()
        self._inline: dict[tuple[bool, str], Template] = {}  # the same {jinja:} text in every environment
        self._fingerprints: dict[int, tuple[Mapping[str, Any], str]] = {}
        self._rendered: dict[RenderKey, tuple[str, dict[str, tuple[str, int | None]]]] = {}
        self._reads: dict[RenderKey, frozenset[str]] = {}
        self._environments = {
            html: environment(self._loader, html=html, used=self._used) for html in (False, True)
        }

    def take_used(self) -> frozenset[str]:
        """The template files named (from the project folder) since the last call: layouts and includes too."""
        used = frozenset(_normal(name) for name in self._used)
        self._used.clear()
        return used

    def render_file(
        self,
        relpath: str,
        variables: Mapping[str, Any],
        *,
        html: bool,
        referenced_at: Location,
        language: str | None = None,
    ) -> RenderResult:
        """Render the template file ``relpath``; ``referenced_at`` is where the YAML named it.

        ``html`` autoescapes the build variables (use it for text/html content, never for a subject).
        """
        key = ("file", html, relpath, language, self._fingerprint(variables))
        return self._render(
            key, variables, language, referenced_at, self._sources,
            lambda: self._environments[html].get_template(relpath),
        )  # fmt: skip

    def read_text(self, relpath: str, *, referenced_at: Location) -> RenderResult:
        """The file ``relpath`` as written, never rendered: read as a template file is (inside the project
        folder, UTF-8, 1 MiB at most, a BOM dropped; a NUL byte is text here), with the same findings."""
        try:
            text = read(template_file(self._loader.real_root, relpath), relpath, nul=True)
        except (TemplatePathError, MissingTemplate) as e:
            return None, [to_finding(e, self._sources(), referenced_at, ())]
        self._used.add(relpath)  # the hook relints what reads a changed file
        return text, []

    def render_string(
        self,
        text: str,
        variables: Mapping[str, Any],
        *,
        html: bool,
        origin: Location,
        language: str | None = None,
        place: Callable[[int, int], Location | None] | None = None,
    ) -> RenderResult:
        """Render an inline Jinja2 string; ``origin`` is where the string starts in its YAML file, ``place``
        where a line and column of it were written (None where the file does not hold it as it reads)."""

        def compiled() -> Template:
            template = self._inline.get((html, text))
            if template is None:
                template = self._environments[html].from_string(self._protector.protect(text))
                self._inline[html, text] = template
            return template

        key = ("jinja", html, text, language, self._fingerprint(variables))
        return self._render(
            key, variables, language, origin, lambda: self._sources((text, origin), place), compiled
        )

    def _render(
        self,
        key: RenderKey,
        variables: Mapping[str, Any],
        language: str | None,
        where: Location,
        sources: Callable[[], Sources],
        template: Callable[[], Template],
    ) -> RenderResult:
        cached = self._reuse(key)
        if cached is not None:
            return cached, []
        context = _context(variables, language)
        try:
            with self._recording(key):
                text = template().render(context)
        except Exception as e:  # any failure inside a template is the author's to fix, not a bug
            return None, [to_finding(e, sources(), where, context)]
        return self._remember(key, self._finish(text, where))

    def render_source(
        self,
        value: object,
        variables: Mapping[str, Any],
        *,
        html: bool,
        locate: Callable[[SourcePath], Location],
        language: str | None = None,
        locate_text: Callable[[SourcePath, int, int], Location | None] | None = None,
    ) -> RenderResult:
        """Render a template field as written in YAML: a string or ``{text:}`` (kept literally),
        ``{file:}`` or ``{jinja:}``.

        ``locate(())`` is where the value stands, ``locate(("file",))`` where its path does;
        ``locate_text(("jinja",), line, column)`` where a character of inline text was written, if known.
        """
        if isinstance(value, str):
            return value, []
        if isinstance(value, Mapping) and len(value) == 1:
            ((key, inner),) = value.items()
            if key == "text" and isinstance(inner, str):
                return self.read_text(inner, referenced_at=locate(("text",)))
            if key == "file" and isinstance(inner, str):
                return self.render_file(
                    inner, variables, html=html, referenced_at=locate(("file",)), language=language
                )
            if key == "jinja" and isinstance(inner, str):
                return self.render_string(
                    inner,
                    variables,
                    html=html,
                    origin=locate(("jinja",)),
                    language=language,
                    place=(lambda line, column: locate_text(("jinja",), line, column))
                    if locate_text
                    else None,
                )
        return None, [
            Finding.at(
                locate(()),
                "SC611",
                "a template field must be a string, {text: PATH}, {file: PATH} or {jinja: TEXT}",
                "write `content: {text: templates/sign-in.html}`, or the text itself",
            )
        ]

    # Environments of one build mostly share their build variables, so the same field renders to the same
    # text many times: each successful render is kept with the files it read (which the hook's scope
    # needs), keyed by the source, the escaping, the language and the variables' content.
    def _fingerprint(self, variables: Mapping[str, Any]) -> str:
        held = self._fingerprints.get(id(variables))
        if held is None or held[0] is not variables:
            held = (variables, json.dumps(variables, sort_keys=True, default=repr))
            self._fingerprints[id(variables)] = held
        return held[1]

    def _reuse(self, key: RenderKey) -> str | None:
        hit = self._rendered.get(key)
        if hit is None:
            return None
        text, stamps = hit
        if any(_stamp(path) != stamp for path, stamp in stamps.values()):
            del self._rendered[key]  # a file it read has changed since: render it again
            return None
        self._used.update(stamps)
        return text

    @contextlib.contextmanager
    def _recording(self, key: RenderKey) -> Iterator[None]:
        earlier = set(self._used)
        self._used.clear()
        try:
            yield
        finally:
            self._reads[key] = frozenset(self._used)
            self._used.update(earlier)

    def _remember(self, key: RenderKey, rendered: RenderResult) -> RenderResult:
        text, findings = rendered
        if text is not None and not findings:
            read = self._reads.pop(key, frozenset())
            paths = {name: os.path.join(self.root, name) for name in read}
            self._rendered[key] = (text, {name: (path, _stamp(path)) for name, path in paths.items()})
        return rendered

    def _sources(
        self,
        inline: tuple[str, Location] | None = None,
        place: Callable[[int, int], Location | None] | None = None,
    ) -> Sources:
        return Sources(self.root, self._loader.sources, self._loader.names, inline, place)

    def _finish(self, text: str, where: Location) -> RenderResult:
        restored = self._protector.restore(text)
        if altered(restored):
            return None, [
                Finding.at(
                    where,
                    "SC607",
                    "a Jinja filter or expression changed a Logto placeholder, so Logto would not fill it",
                    "write placeholders such as {{ code }} as plain text, outside Jinja expressions and filters",
                )
            ]
        return restored, []


def _normal(name: str) -> str:
    return "/".join(part for part in name.split("/") if part not in ("", "."))


def _context(variables: Mapping[str, Any], language: str | None) -> dict[str, Any]:
    context = dict(variables)
    if language is not None:
        context["language"] = language
    return context


def check_variables(variables: Mapping[str, Any], locate: Callable[[str], Location]) -> list[Finding]:
    """Findings for build variable names a template could not use; ``locate(name)`` is where it is set."""
    findings = []
    for name in variables:
        if name in RUNTIME_ROOTS:
            findings.append(
                Finding.at(
                    locate(name),
                    "SC608",
                    f"build variable `{name}` has the name of a Logto placeholder; "
                    f"{{{{ {name} }}}} in a template is always left for Logto to fill",
                    "rename it: Logto fills code, link, locale, uiLocales, application, organization, "
                    "user and inviter at send time",
                )
            )
        elif name in BUILD_VARIABLES:
            findings.append(
                Finding.at(
                    locate(name),
                    "SC608",
                    f"build variable `{name}` is set by the build to the language being rendered",
                    "rename it",
                )
            )
        elif not name.isidentifier():
            findings.append(
                Finding.at(
                    locate(name),
                    "SC609",
                    f"build variable `{name}` cannot be used in a template: a name is letters, digits "
                    "and _, and does not start with a digit",
                    f"rename it to `{_identifier(name)}`",
                )
            )
    return findings


def _identifier(name: str) -> str:
    cleaned = re.sub(r"\W+", "_", name).strip("_") or "name"
    return f"_{cleaned}" if cleaned[0].isdigit() else cleaned


def _stamp(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None
