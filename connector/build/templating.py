"""Between compose and finalize: render a composed config's template fields and split off its languages.

A composed config may still hold ``{file: PATH}``, ``{text: PATH}`` and ``{jinja: TEXT}`` fields, and per-template
``locales``; Logto gets neither. :class:`Authoring` renders every field with the build variables (one
TemplateRenderer per build or lint run), checks the variable names and language tags, and gives the
config Logto gets plus one :class:`Variant` per other language, each answering ``locate`` with the line a
person wrote, so lint reports on rendered text at its source. Jinja2 is loaded only when a field or a
variable needs it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connector.authoring.locales import check_language_tag
from connector.build.located import FORMS, AuthoredConfig, Variant, Where
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath
from connector.logto import TEMPLATE_TEXT_FIELDS, sent_content_type
from connector.project.layers import Composed
from connector.project.merge_rules import LOCALES, TEMPLATES, USAGE_TYPE

if TYPE_CHECKING:
    from connector.authoring.templates import TemplateRenderer

DEFAULT_LANGUAGE = "en"
INHERITED = ("contentType", "replyTo", "sendFrom")  # what a variant takes from its template
# A variant's lists of keys its store entry leaves out, or stores as "" (docs/templates.md, "Languages").
OMIT, EMPTY = "omit", "empty"
STORED_EMPTY = ("replyTo", "sendFrom")  # the keys a variant may store as ""


@dataclass
class Authored:
    """One environment after rendering: the config, its language, its variants, and what went wrong."""

    config: AuthoredConfig
    language: str
    variants: list[Variant]
    findings: list[Finding]
    failed: set[Location]  # where fields that did not render are named (lint skips findings there)
    used: frozenset[str]  # template files rendered, from the project folder (layouts and includes too)
    files: dict[Location, tuple[Path, ...]]  # a {file:}, {text:} or {jinja:} field -> the files it read


class Authoring:
    """Renders the templates of one project's environments: make one per build or lint run."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._renderer: TemplateRenderer | None = None

    def renderer(self) -> TemplateRenderer:
        if self._renderer is None:
            # start-up: jinja2 loads only when a template is rendered
            from connector.authoring.templates import TemplateRenderer

            self._renderer = TemplateRenderer(self.root)
        return self._renderer

    def take_used(self) -> frozenset[str]:
        return self._renderer.take_used() if self._renderer is not None else frozenset()

    def render(self, composed: Composed) -> Authored:
        """Render ``composed`` (one environment); findings are data, never raised."""
        return _Run(self, composed).run()


class _Run:
    def __init__(self, authoring: Authoring, composed: Composed) -> None:
        self.authoring, self.composed = authoring, composed
        self.findings: list[Finding] = []
        self.failed: set[Location] = set()
        self.used: set[str] = set()
        self.files: dict[Location, tuple[Path, ...]] = {}
        self.language = composed.language or DEFAULT_LANGUAGE

    def run(self) -> Authored:
        composed = self.composed
        if composed.language is not None:
            self.findings += check_language_tag(
                composed.language, composed.locate(("language",)), ("language",)
            )
        if composed.variables:
            # start-up: jinja2 loads only when a template is rendered
            from connector.authoring.templates import check_variables

            self.findings += check_variables(
                composed.variables, lambda name: composed.locate(("variables", name), key=True)
            )
        data = dict(composed.data)
        where = Where(composed)
        variants: dict[str, list[tuple[dict[str, Any], dict[KeyPath, KeyPath]]]] = {}
        templates = data.get(TEMPLATES)
        if isinstance(templates, list):
            data[TEMPLATES] = [
                self._template(i, item, where, variants) if isinstance(item, dict) else item
                for i, item in enumerate(templates)
            ]
        return Authored(
            AuthoredConfig(data, where),
            self.language,
            [self._variant(tag, items) for tag, items in sorted(variants.items())],
            self.findings,
            self.failed,
            frozenset(self.used),
            self.files,
        )

    def _template(
        self,
        i: int,
        template: dict[str, Any],
        where: Where,
        variants: dict[str, list[tuple[dict[str, Any], dict[KeyPath, KeyPath]]]],
    ) -> dict[str, Any]:
        base: KeyPath = (TEMPLATES, i)
        out = {k: v for k, v in template.items() if k != LOCALES}
        html = template.get("contentType") == "text/html"
        for name in TEMPLATE_TEXT_FIELDS:
            if name in out:
                out[name] = self._field(
                    out[name], (*base, name), html, self.language, where.paths, (*base, name)
                )
        locales = template.get(LOCALES)
        if not isinstance(locales, dict):
            return out
        for tag, variant in locales.items():
            if not isinstance(variant, dict):
                continue
            vpath: KeyPath = (*base, LOCALES, tag)
            if self._tag_ok(tag, vpath):
                variants.setdefault(tag, []).append(self._variant_template(template, variant, base, vpath))
        return out

    def _tag_ok(self, tag: str, vpath: KeyPath) -> bool:
        where = self.composed.locate(vpath, key=True)
        found = check_language_tag(tag, where, vpath)
        if not found and tag == self.language:
            found = [
                Finding.at(
                    where,
                    "SC612",
                    f"a `{tag}` variant, but `{tag}` is the project's language: in Logto's email-template "
                    "store it would take precedence over the connector's templates",
                    "put this text in the template itself, or set `language` to the fallback language "
                    "of your sign-in experience",
                    key_path=vpath,
                )
            ]
        self.findings += found
        return not found

    def _variant_template(
        self, template: dict[str, Any], variant: dict[str, Any], base: KeyPath, vpath: KeyPath
    ) -> tuple[dict[str, Any], dict[KeyPath, KeyPath]]:
        paths: dict[KeyPath, KeyPath] = {(): vpath, (USAGE_TYPE,): (*base, USAGE_TYPE)}
        out: dict[str, Any] = {USAGE_TYPE: template.get(USAGE_TYPE)}
        omitted, emptied = self._listed(variant, vpath)
        for name in ("contentType", *TEMPLATE_TEXT_FIELDS):
            if name in omitted or name in emptied:
                continue  # stored without it, or as "": never inherited
            if name in variant:
                out[name], paths[(name,)] = variant[name], (*vpath, name)
            elif name in INHERITED and name in template:
                out[name], paths[(name,)] = template[name], (*base, name)
        html = sent_content_type(out.get("contentType")) == "text/html"
        tag = vpath[-1]
        assert isinstance(tag, str)
        for name in TEMPLATE_TEXT_FIELDS:
            if name in out:
                out[name] = self._field(out[name], paths[(name,)], html, tag, paths, (name,))
        for name in STORED_EMPTY:
            if out.get(name) == "":  # `replyTo: ""` (or text that renders empty): the store gets none
                del out[name]
            if name in emptied:
                out[name], paths[(name,)] = "", (*vpath, EMPTY)
        for name in ("subject", "content"):
            if out.get(name) is None:
                self.findings.append(
                    Finding.at(
                        self.composed.locate(vpath, key=True),
                        "SC203",
                        f"missing required key `{name}` in the `{tag}` variant of template "
                        f'"{out[USAGE_TYPE]}" (a variant inherits only contentType, replyTo and sendFrom)',
                        f"add `{name}:` under `{tag}:`",
                        key_path=(*vpath, name),
                    )
                )
        return out, paths

    def _listed(self, variant: dict[str, Any], vpath: KeyPath) -> tuple[set[str], set[str]]:
        """The keys the variant's ``omit`` and ``empty`` name (the source schema checks their items); a
        finding (SC613) for a key named twice or named and set."""
        lists: list[set[str]] = []
        for list_name, allowed in ((OMIT, INHERITED), (EMPTY, STORED_EMPTY)):
            value = variant.get(list_name)
            items = value if isinstance(value, list) else []
            lists.append({item for item in items if isinstance(item, str) and item in allowed})
        omitted, emptied = lists
        tag = vpath[-1]
        for name in sorted(omitted | emptied):
            if name in omitted and name in emptied:
                why, hint = f"in both `{OMIT}` and `{EMPTY}`", f"keep `{name}` in one of the two lists"
            elif variant.get(name) not in (None, ""):
                listed = OMIT if name in omitted else EMPTY
                why, hint = f"set and listed in `{listed}`", f"remove `{name}:` or take it out of `{listed}`"
            else:
                continue
            at: KeyPath = (*vpath, name) if name in variant else (*vpath, OMIT if name in omitted else EMPTY)
            self.findings.append(
                Finding.at(
                    self.composed.locate(at, key=name in variant),
                    "SC613",
                    f"`{name}` of the `{tag}` variant is {why}: what the store gets is unclear, so "
                    "nothing is built",
                    hint,
                    key_path=at,
                )
            )
        return omitted, emptied

    def _field(
        self,
        value: Any,
        source: KeyPath,
        html: bool,
        language: str,
        paths: dict[KeyPath, KeyPath],
        rendered_path: KeyPath,
    ) -> Any:
        if not isinstance(value, dict):
            return value
        form = next((f for f in FORMS if f in value), None)
        if form is not None:
            paths[rendered_path] = (*source, form)
        composed = self.composed
        self.used |= self.authoring.take_used()
        text, found = self.authoring.renderer().render_source(
            value,
            composed.variables,
            html=html and source[-1] == "content",
            locate=lambda sub: composed.locate((*source, *sub)),
            language=language,
            locate_text=lambda sub, line, column: composed.locate_text((*source, *sub), line, column),
        )
        names = self.authoring.take_used()
        self.used |= names
        # Located only when needed: most fields render (or are reused) cleanly and read no file.
        if form in ("file", "text") or (form == "jinja" and names):
            self.files[composed.locate((*source, form))] = tuple(
                self.authoring.root / name for name in sorted(names)
            )
        # A problem in the field's template text is about the field (the sandbox knows files and lines only).
        self.findings += [f if f.key_path else replace(f, key_path=source) for f in found]
        if text is None:
            self.failed.add(composed.locate((*source, form)) if form else composed.locate(source))
            return ""
        return text

    def _variant(self, tag: str, items: list[tuple[dict[str, Any], dict[KeyPath, KeyPath]]]) -> Variant:
        where = Where(self.composed)
        for j, (_, paths) in enumerate(items):
            for sub, source in paths.items():
                path: KeyPath = (TEMPLATES, j, *sub)
                where.paths[path] = source
        return Variant(tag, {TEMPLATES: [item for item, _ in items]}, where)
