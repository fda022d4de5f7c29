"""Linting a config project: every source layer, and every environment's composed result.

Composition is connector.project.layout's (``load_project``, ``compose``), imported only when a project is
linted. Each environment is rendered as the build renders it
(:mod:`connector.build.templating`: template files, ``{jinja:}`` strings, language variants) and the rules see
the text Logto gets, reported at the lines that produced it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from connector.build.located import FORMS
from connector.build.templating import Authoring
from connector.diagnostics.findings import Finding, Location, has_errors
from connector.diagnostics.paths import KeyPath
from connector.errors import InputError, UsageError
from connector.lint.base import Mode, Provenance
from connector.lint.engine import Linter, lint_source
from connector.logto import USAGE_TYPES
from connector.logto.email_templates import pick_template
from connector.project import layout
from connector.source.files import ENVIRONMENTS_DIR, SOURCE_SUFFIXES
from connector.source.positions import position
from connector.source.suppress import LintConfig


def affected_environments(project: Any, changed: Iterable[Path]) -> set[str] | None:
    """The environments a change to ``changed`` alters by itself; None means all of them.

    A change to environments/<env>.yaml affects <env>; the project file or any other source file (a
    provider overlay) affects every environment. Template files are left out here: they affect the
    environments that render them (:func:`changed_templates`), which only rendering tells.
    """
    root = Path(project.root).resolve()
    names = set(project.environments)
    envs: set[str] = set()
    for path in changed:
        try:
            relative = path.resolve().relative_to(root)
        except ValueError:
            continue
        parts = relative.parts
        if len(parts) == 2 and parts[0] == ENVIRONMENTS_DIR and relative.stem in names:
            envs.add(relative.stem)
        elif not _is_template(relative):
            return None
    return envs


def changed_templates(project: Any, changed: Iterable[Path]) -> frozenset[str]:
    """The template files among ``changed``, named from the project folder as templates name them."""
    root = Path(project.root).resolve()
    found = set()
    for path in changed:
        try:
            relative = path.resolve().relative_to(root)
        except ValueError:
            continue
        if _is_template(relative):
            found.add(relative.as_posix())
    return frozenset(found)


def _is_template(relative: Path) -> bool:
    return relative.parts[:1] == ("templates",) or relative.suffix.lower() not in SOURCE_SUFFIXES


def lint_project(
    linter: Linter,
    root: Path,
    *,
    env: str | None = None,
    changed: Iterable[Path] | None = None,
    layers: bool = True,
) -> None:
    """Lint a project into ``linter``: its layers (or only ``changed`` ones) and the environments they affect.

    ``layers=False`` checks the composed environments only (what ``build`` gates on: a value the built
    environment overrides is not its concern)."""

    config = linter.configs.for_dir(root)
    try:
        # Tolerant: a key or type error in a layer is reported and the environments are still composed
        # and checked, so one run finds every problem it can (issue #22).
        project = layout.load_project(root, tolerant=True)
    except InputError as e:
        linter.add(e.findings or [_failure(root, e)], config)
        linter.result.linted.append(str(root))
        return
    if has_errors(project.findings):  # what load_project would have raised with
        linter.add(project.findings, config)
    environments = tuple(project.environments)
    if env is not None and env not in environments:
        raise UsageError(layout.unknown_environment(project, env))
    changed_files = None if changed is None else [Path(p) for p in changed]
    targets: Iterable[str | None]
    templates: frozenset[str] = frozenset()
    direct: set[str] | None = None  # environments relinted whatever they render
    if env is not None:
        targets = [env]
    elif changed_files is not None and (direct := affected_environments(project, changed_files)) is not None:
        templates = changed_templates(project, changed_files)
        targets = (environments or [None]) if templates else sorted(direct)
    else:
        targets = environments or [None]
    # The project's own files, each on its own too (shipped provider overlays hold `<...>` fill-ins that
    # the project overrides: they are checked in the composed result only).
    own = [project.project_file, *project.environment_files.values()]
    files = changed_files if changed_files is not None else [Path(doc.file) for doc in own]
    found = linter.result.findings
    first = len(found)
    for layer in files if layers else ():
        if layer.suffix.lower() in SOURCE_SUFFIXES:
            linter.lint_file(layer, str(layer), mode="project-layer")
    layered = len(found)

    authoring = Authoring(project.root)
    in_files: set[tuple[str, int, int, str]] = set()  # findings moved into a shared file, reported once
    for name in targets:
        try:
            composed = layout.compose(project, name, resolve=False)
        except InputError as e:
            linter.add(e.findings or [_failure(root, e)], config)
            continue
        authored = authoring.render(composed)
        if direct is not None and name not in direct and not authored.used & templates:
            continue  # a changed template that this environment does not render
        # SC614 (a language's fallbacks) is lint's to say: the build, gating on its findings, does not
        # repeat it.
        _lint_environment(linter, authored, composed, config, in_files, root, fallbacks=layers)
        linter.result.environments += 1
        linter.result.files.update(os.path.abspath(project.root / used) for used in authored.used)
    # A problem a layer shows and an environment shows too is reported once, as the environment words it:
    # it rendered the text (a variant's finding names its language). One that no environment composed
    # here shows (none composes, `--env` names another) stays the layer's.
    shown = {_place(f) for f in found[layered:]}
    found[first:layered] = [f for f in found[first:layered] if _place(f) not in shown]
    own_files = [project.project_file, *project.environment_files.values()]
    linter.result.files.update(os.path.abspath(doc.file) for doc in own_files)
    linter.result.linted.append(str(root))


def source_suppressions(root: Path, env: str) -> frozenset[tuple[str, KeyPath]]:
    """The (rule, key path) of each finding about environment ``env`` that its sources suppress (a comment,
    the lint config, a shipped overlay's own waiver such as dev-sink's SC302): a config built from them
    keeps these suppressions, though it holds no comment."""

    try:
        project = layout.load_project(root)
        composed = layout.compose(project, env, resolve=False)
    except InputError:
        return frozenset()  # the project's own lint reports why
    authored = Authoring(project.root).render(composed)
    linter = Linter()
    config = linter.configs.for_dir(root)
    waived = set()
    for finding in lint_source(authored.config, "composed", Provenance(composed)):
        shown = composed.user_facing([finding])
        if not shown or any(f.suppressed for f in linter.suppressor.apply(shown, config, {})):
            waived.add((finding.rule, finding.key_path))
    return frozenset(waived)


def _lint_environment(
    linter: Linter,
    authored: Any,
    composed: Any,
    config: LintConfig,
    in_files: set[tuple[str, int, int, str]],
    root: Path,
    *,
    fallbacks: bool = True,
) -> None:
    """The rendered config and each language variant; nothing about a field that did not render.

    A finding about template text lands where the user typed that text: its line in a YAML string, or in a
    template file, layout or include the field read (a layout's problem is reported once, not per template
    and environment that extends it)."""
    kept: list[Finding] = []
    places: set[Place] = set()
    sources: list[tuple[Any, Mode, str | None]] = [
        (authored.config, "composed", None),
        *((v, "variant", v.language) for v in authored.variants),
    ]
    for source, mode, language in sources:
        for finding in lint_source(source, mode, Provenance(composed, language)):
            if finding.location in authored.failed:
                continue
            if mode == "variant" and finding.key_path:
                # The variant's own path (templates[0].content) names the key where it is written:
                # templates[0].locales.fr.content (a field it inherits: the template's own).
                finding = dataclasses.replace(
                    finding, key_path=_written_at(source.where.source(finding.key_path))
                )
            moved = _in_template(finding, authored.files)
            if moved.file != finding.file:  # into a template file, which several fields may read
                key = (moved.file, moved.line, moved.column, moved.rule)
                if key in in_files:
                    continue
                in_files.add(key)
            elif (place := _place(moved)) in places:
                # A variant's finding about a field it inherits (sendFrom, replyTo): the template's own was
                # reported, for every language at once.
                continue
            else:
                places.add(place)
            kept.append(moved)
    if fallbacks:
        kept += _fallbacks(authored)
    found = authored.config.user_facing([*authored.findings, *kept])
    linter.add([_as_given(f, root) for f in found], config)


# What makes two findings one problem: the rule, where it stands, the text it quotes, and the field it is
# about, its list indexes left out (a layer numbers its templates in its own list, an environment in the
# merged one) and a rendered field named as written (`subject`, not `subject.jinja`); the file by its absolute
# path (a changed layer is named as given, the project's files relative to here when inside it).
Place = tuple[str, int, int, str, str, tuple[str | None, ...]]


def _place(finding: Finding) -> Place:
    field = tuple(None if isinstance(step, int) else step for step in _written_at(finding.key_path))
    return (os.path.abspath(finding.file), finding.line, finding.column, finding.rule, finding.excerpt, field)


def _written_at(path: KeyPath) -> KeyPath:
    """A composed source path without the ``file``/``text``/``jinja`` step of a rendered field."""
    return path[:-1] if path and path[-1] in FORMS else path


def _as_given(finding: Finding, root: Path) -> Finding:
    """A finding in a file of the project named from the project folder as the user gave it
    (``email/templates/x.html.j2``), not by the absolute path rendering resolved it to."""
    if not os.path.isabs(finding.file) or root.is_absolute():
        return finding
    try:
        relative = Path(finding.file).relative_to(root.resolve())
    except ValueError:
        return finding
    return dataclasses.replace(finding, file=str(root / relative))


def _in_template(finding: Finding, files: dict[Location, tuple[Path, ...]]) -> Finding:
    """A finding about a ``{file:}``, ``{text:}`` or ``{jinja:}`` field, moved to where a file it read has
    the text it is about (its ``excerpt``: a placeholder as written, ``{{cod}}``, a tag, a line break)."""
    paths = files.get(finding.location)
    if not paths or not finding.excerpt:
        return finding
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8-sig")  # as written: a CR is text an excerpt may hold
        except (OSError, UnicodeDecodeError):
            continue
        offset = text.find(finding.excerpt)
        if offset >= 0:
            line, column = position(text, offset)
            return dataclasses.replace(finding, file=str(path), line=line, column=column)
    return finding


def _failure(root: Path, error: InputError) -> Finding:
    return Finding.at(
        Location(str(root)), "SC001", str(error), error.hint or "fix the project so that it composes"
    )


def _fallbacks(authored: Any) -> list[Finding]:
    """SC614: per language of the project's ``locales``, the usage types a user in that language gets in
    another language, as Logto falls back (connector.logto.email_templates), and the template they get."""

    items = authored.config.data.get("templates")
    connector = (
        [(t.get("usageType"), t) for t in items if isinstance(t, dict)] if isinstance(items, list) else []
    )
    store: dict[tuple[str, str], dict[str, Any]] = {
        (variant.language, t["usageType"]): t
        for variant in authored.variants
        for t in variant.data["templates"]
        if isinstance(t, dict) and isinstance(t.get("usageType"), str)
    }
    findings = []
    for variant in authored.variants:
        tag = variant.language
        own: list[str] = []
        generic: list[str] = []
        for kind in USAGE_TYPES:
            choice = pick_template(kind, tag, authored.language, store, connector)
            if choice is None or (choice.store and choice.language == tag):
                continue
            # The store holds no variant in the project's own language (SC612): a fallback is the connector's.
            (own if choice.usage_type == kind else generic).append(kind)
        if own or generic:
            parts = [f"the connector's `{authored.language}` templates for {', '.join(own)}"] if own else []
            parts += [f"its `{authored.language}` Generic for {', '.join(generic)}"] if generic else []
            findings.append(
                Finding.at(
                    variant.locate(("templates", 0), key=True),
                    "SC614",
                    f"a `{tag}` user gets {' and '.join(parts)}: there is no `{tag}` variant of them, and "
                    "Logto falls back",
                    f"add a `{tag}:` variant under `locales:` of each, or accept the fallback "
                    "(`# smtp-connector: disable=SC614`)",
                    key_path=("templates", 0, "locales", tag),
                )
            )
    return findings
