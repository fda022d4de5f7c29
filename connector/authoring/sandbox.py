"""The Jinja2 environment templates are rendered in: sandboxed, strict, and confined to the project folder.

ImmutableSandboxedEnvironment refuses Python internals (``''.__class__``) and mutating the variables;
StrictUndefined makes any unknown name an error instead of an empty string; the loader reads only files
inside the project (no absolute paths, no ``..``, no symlink that leads out) and protects Logto's
runtime placeholders in every file it reads, includes and layouts too. Nothing from the process
environment is visible: templates see the build variables and Jinja2's own globals only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, MutableMapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from jinja2 import (
    BaseLoader,
    Environment,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateRuntimeError,
    Undefined,
    UndefinedError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import missing

from connector.authoring.protect import Protector
from connector.diagnostics.suggest import did_you_mean
from connector.safe_paths import outside_problem
from connector.source.loader import MAX_BYTES, read_capped
from connector.source.positions import byte_position


class BuildUndefinedError(UndefinedError):
    """An undefined name or key, with what was looked up and in what (for did-you-mean)."""

    def __init__(self, message: str | None = None, *, name: str | None, obj: Any, hint: str | None) -> None:
        super().__init__(message)
        self.undefined_name = name
        self.undefined_obj = None if obj is missing else obj
        self.undefined_hint = hint


class _Undefined(StrictUndefined):
    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[TemplateRuntimeError] = UndefinedError,
    ) -> None:
        if exc is UndefinedError:
            # Jinja2 raises `exc(message)`; a factory in its place keeps the name and object.
            exc = functools.partial(BuildUndefinedError, name=name, obj=obj, hint=hint)  # type: ignore[assignment]
        super().__init__(hint, obj, name, exc)


class TemplatePathError(TemplateError):
    """A template path that is refused (SC605) or a file that cannot be used (SC606).

    ``in_file`` is true when the problem is inside the file itself (not UTF-8), so the finding points there
    rather than at the place that named it.
    """

    def __init__(
        self,
        name: str,
        rule: str,
        message: str,
        hint: str,
        *,
        in_file: bool = False,
        line: int = 1,
        column: int = 1,
    ) -> None:
        super().__init__(message)
        self.name = name
        self.rule = rule
        self.hint = hint
        self.in_file = in_file
        self.line = line
        self.column = column


class MissingTemplate(TemplateNotFound):
    """A template file that does not exist, with the nearest existing name if there is one."""

    def __init__(self, name: str, suggestion: str | None) -> None:
        super().__init__(name)
        self.suggestion = suggestion


def template_file(real_root: Path, name: str) -> Path:
    """The file a template ``name`` (relative to the project folder) stands for, or TemplatePathError."""
    refused = functools.partial(TemplatePathError, name, "SC605")
    inside = "write the path from the project folder, e.g. templates/layout.html.j2"
    if not name:
        raise refused("an empty template path", inside)
    if "\x00" in name:
        raise refused("a template path with a NUL byte", inside)
    if name.startswith(("/", "\\")) or PureWindowsPath(name).drive or PurePosixPath(name).is_absolute():
        raise refused(f'template path "{name}" is absolute', inside)
    if "\\" in name:
        raise refused(f'template path "{name}" uses a backslash', "use / between folders")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise refused(f'template path "{name}" leaves the project folder with ".."', inside)
    try:
        real = real_root.joinpath(*parts).resolve()
    except (OSError, RuntimeError) as e:  # a symlink loop
        raise TemplatePathError(
            name, "SC606", f'template path "{name}" cannot be resolved: {e}', inside
        ) from e
    if real != real_root and outside_problem(real_root, real) is not None:
        raise refused(
            f'template path "{name}" is a symlink to a file outside the project folder',
            "copy the file into the project instead of linking to it",
        )
    if not real.exists():
        raise MissingTemplate(name, _nearest(real_root, parts))
    if real.is_dir():
        raise TemplatePathError(name, "SC606", f'template path "{name}" is a folder', "name a file in it")
    return real


def _nearest(real_root: Path, parts: list[str]) -> str | None:
    if not parts:
        return None
    try:
        siblings = [p.name for p in real_root.joinpath(*parts[:-1]).iterdir() if p.is_file()]
    except OSError:
        return None
    # Compare the names without their shared extension, or every .html.j2 file looks alike.
    stem, dot, suffix = parts[-1].partition(".")
    same_kind = {name.partition(".")[0]: name for name in siblings if name.partition(".")[2] == suffix}
    found = did_you_mean(stem, same_kind) if dot else did_you_mean(parts[-1], siblings)
    if found and dot:
        found = same_kind[found]
    return "/".join([*parts[:-1], found]) if found else None


def read(path: Path, name: str, *, nul: bool = False) -> str:
    """A template file's text (UTF-8, a BOM dropped), or TemplatePathError (SC606) saying why not.

    ``nul`` takes a NUL byte as text: a ``{text:}`` file is never given to Jinja2, and pulled text may
    hold one."""
    try:
        raw = read_capped(path, MAX_BYTES)
    except OSError as e:
        raise TemplatePathError(
            name, "SC606", f'template "{name}" cannot be read: {e.strerror or e}', "make the file readable"
        ) from e
    if len(raw) > MAX_BYTES:
        raise TemplatePathError(
            name,
            "SC606",
            f'template "{name}" is over the 1 MiB limit',
            "split it into includes",
            in_file=True,
        )
    bad = -1 if nul else raw.find(b"\x00")
    problem, text = "a NUL byte: this looks like a binary file", ""
    if bad < 0:
        try:
            text, problem = raw.decode("utf-8-sig"), ""
        except UnicodeDecodeError as e:
            bad, problem = e.start, f"byte 0x{raw[e.start]:02x} is not valid UTF-8"
    if problem:
        line, column = byte_position(raw, bad)  # character columns, as every other finding has
        raise TemplatePathError(
            name, "SC606", problem, "save the file as UTF-8 text", in_file=True, line=line, column=column
        )
    return text


class ProjectLoader(BaseLoader):
    """Loads templates by their path from the project folder, with runtime placeholders protected."""

    def __init__(self, root: Path, protector: Protector) -> None:
        self.real_root = root.resolve()
        self.protector = protector
        self.sources: dict[str, str] = {}  # template name -> the text as written (for columns)
        self.names: dict[str, str] = {}  # the file name Jinja2 puts in tracebacks -> template name

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = template_file(self.real_root, template)
        text = read(path, template)
        self.sources[template] = text
        self.names[str(path)] = template
        stamp = path.stat().st_mtime_ns
        return self.protector.protect(text), str(path), lambda: mtime(path) == stamp


def mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


class BuildEnvironment(ImmutableSandboxedEnvironment):
    """The sandboxed environment, noting every template name it is asked for (cached or not) in ``used``.

    The lint hook relints the environments whose templates, layouts or includes a commit changed.
    """

    used: set[str]

    def get_template(
        self,
        name: str | Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        """Every load goes through here: ours, and a template's extends, include and import."""
        if isinstance(name, str):
            self.used.add(name if parent is None else self.join_path(name, parent))
        return super().get_template(name, parent, globals)

    def select_template(
        self,
        names: Iterable[str | Template],
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        """An include of a list of names: each is noted (the ones after the first found too: a change to
        any of them may change which one is found)."""
        if not isinstance(names, Undefined):
            names = list(names)
            self.used.update(
                n if parent is None else self.join_path(n, parent) for n in names if isinstance(n, str)
            )
        return super().select_template(names, parent, globals)


def environment(
    loader: ProjectLoader | None, *, html: bool, used: set[str] | None = None
) -> BuildEnvironment:
    """A sandboxed, strict environment; ``html`` turns on autoescaping of every expression's value."""
    env = BuildEnvironment(loader=loader, undefined=_Undefined, autoescape=html, auto_reload=True)
    env.used = set() if used is None else used
    return env
