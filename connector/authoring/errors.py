"""Turn a Jinja2 failure into one finding at the template file's line and column.

Jinja2 gives the line (syntax errors carry it; at render time it rewrites the traceback so that frames
point at template lines); the column is found by locating the offending name on that line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from jinja2 import TemplateAssertionError, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError

from connector.authoring.protect import RUNTIME_ROOTS
from connector.authoring.sandbox import BuildUndefinedError, MissingTemplate, TemplatePathError
from connector.diagnostics.describe import kind_of
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.suggest import did_you_mean

INLINE = "<template>"  # the file name Jinja2 gives a template made from a string

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_QUOTED = re.compile(r"'([^']+)'")
_PLACEHOLDER_ROOTS = (
    "code, link, locale, uiLocales and the application., organization., user., inviter. paths"
)


class Attribute(str):
    """A name looked up on an object (`colors.primary`), searched for after a dot or in brackets."""


@dataclass(frozen=True)
class Sources:
    """What an error may point into: the project's template files, and the inline string if any."""

    display_root: Path
    files: Mapping[str, str]  # template name -> text as written
    filenames: Mapping[str, str]  # file name in tracebacks -> template name
    inline: tuple[str, Location] | None = None  # (text as written, where it starts in its YAML file)
    # Where a (line, column) of the inline text was written, when its YAML file holds it as it reads.
    inline_place: Callable[[int, int], Location | None] | None = None


_JINJA_LINES = re.compile(r"\r\n|\r|\n")


def to_finding(error: Exception, sources: Sources, fallback: Location, known: Iterable[str]) -> Finding:
    """One finding for ``error``; ``fallback`` is where the template was named, ``known`` the variables."""
    name, line = _origin(error, sources)
    text = sources.inline[0] if name == INLINE and sources.inline else sources.files.get(name or "", "")
    # Jinja2 numbers lines at \r\n, \r and \n (its lexer's newline_re); str.splitlines also splits at
    # \u2028, \x0c and more, which would put a finding on the wrong line of a template holding one.
    lines = _JINJA_LINES.split(text)
    line_text = lines[line - 1] if 0 < line <= len(lines) else ""
    rule, message, hint, needle = _describe(error, sorted(known), line_text)
    if name is None:
        return Finding.at(fallback, rule, message, hint)
    if isinstance(error, TemplatePathError) and error.in_file:
        return Finding.at(_place(sources, name, error.line, error.column), rule, message, hint)
    return Finding.at(_place(sources, name, line, column_of(line_text, needle)), rule, message, hint)


def _origin(error: Exception, sources: Sources) -> tuple[str | None, int]:
    if isinstance(error, TemplatePathError) and error.in_file:
        return error.name, error.line
    if isinstance(error, TemplateSyntaxError) and error.lineno:
        return (error.name or INLINE), error.lineno
    found: tuple[str | None, int] = (None, 0)
    tb = error.__traceback__
    while tb is not None:  # the innermost template frame is where it failed
        filename = tb.tb_frame.f_code.co_filename
        if filename in sources.filenames:
            found = (sources.filenames[filename], tb.tb_lineno)
        elif filename == INLINE and sources.inline:
            found = (INLINE, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _place(sources: Sources, name: str, line: int, column: int) -> Location:
    if name == INLINE and sources.inline:
        exact = sources.inline_place(line, column) if sources.inline_place else None
        if exact is not None:
            return exact
        origin = sources.inline[1]
        # Folded text or escapes: the line is the first one's plus the text's, the column approximate.
        return Location(
            origin.file, origin.line + line - 1, origin.column + column - 1 if line == 1 else column
        )
    return Location(str(sources.display_root / name), line, column)


def _describe(error: Exception, known: list[str], line: str) -> tuple[str, str, str, str | None]:
    """(rule, message, hint, the text to look for on the line)."""
    if isinstance(error, TemplateSyntaxError):
        hint = (
            "check the name against Jinja2's built-in filters and tests"
            if isinstance(error, TemplateAssertionError)
            else "check that each {{ has its }} and each {% if/for/block %} its end tag"
        )
        return "SC601", f"template syntax error: {error.message}", hint, _syntax_needle(error.message or "")
    if isinstance(error, BuildUndefinedError):
        return _undefined(error, known, line)
    if isinstance(error, SecurityError):
        quoted = _QUOTED.findall(str(error))
        attribute = str(error).startswith("access to attribute")
        return (
            "SC603",
            f"refused by the template sandbox: {str(error).rstrip('.')}",
            "templates may use build variables, filters, macros, includes and layouts, not Python internals",
            (Attribute(quoted[0]) if attribute else quoted[0]) if quoted else None,
        )
    if isinstance(error, TemplatePathError):
        return error.rule, str(error), error.hint, error.name
    if isinstance(error, MissingTemplate):
        suggestion = f'; did you mean "{error.suggestion}"?' if error.suggestion else ""
        return (
            "SC604",
            f'template file "{error.name}" not found{suggestion}',
            "paths are written from the project folder, e.g. templates/layout.html.j2",
            str(error.name),
        )
    if isinstance(error, TemplateNotFound):  # a list of names, none of them found
        return "SC604", f"template not found: {error.message}", "check the names in the include", None
    if isinstance(error, RecursionError):
        return "SC607", "template error: endless recursion", "an include, layout or macro calls itself", None
    return "SC607", f"template error: {error}", "fix the expression on this line", None


def _undefined(error: BuildUndefinedError, known: list[str], line: str) -> tuple[str, str, str, str | None]:
    name, obj = error.undefined_name, error.undefined_obj
    if error.undefined_hint or name is None:
        return "SC602", f"undefined: {error.message}", "check the macro call or the expression", name
    if obj is None:
        if name in RUNTIME_ROOTS:
            return (
                "SC602",
                f"`{name}` is a Logto placeholder, filled at send time: Jinja cannot use it at build time",
                f"write it on its own as {{{{ {name} }}}} (no filter, test or expression) to pass it to Logto",
                name,
            )
        suggestion = did_you_mean(name, [*known, *RUNTIME_ROOTS])
        if suggestion in RUNTIME_ROOTS:
            return (
                "SC602",
                f"undefined build variable `{name}`; did you mean the Logto placeholder {{{{ {suggestion} }}}}?",
                f"Logto fills {_PLACEHOLDER_ROOTS}",
                name,
            )
        if suggestion:
            return (
                "SC602",
                f"undefined build variable `{name}`; did you mean `{suggestion}`?",
                f"rename it to `{suggestion}`",
                name,
            )
        return (
            "SC602",
            f"undefined build variable `{name}`",
            "define it under `variables:` in the project file or the environment's file",
            name,
        )
    owner = re.search(rf"([A-Za-z_][\w.]*)\.{re.escape(name)}(?!\w)", line)
    full = f"{owner.group(1)}.{name}" if owner else name
    where = f"`{owner.group(1)}`" if owner else "it"
    if not isinstance(obj, Mapping):
        return (
            "SC602",
            f"undefined build variable `{full}`: {where} is {_kind(obj)} and has no `{name}`",
            f"use {where} itself, or make it a mapping under `variables:`",
            Attribute(name),
        )
    keys = [str(k) for k in obj]
    suggestion = did_you_mean(name, keys)
    return (
        "SC602",
        f"undefined build variable `{full}`: {where} has no key `{name}`"
        + (f"; did you mean `{suggestion}`?" if suggestion else ""),
        f"rename it to `{suggestion}`" if suggestion else _known_keys(keys),
        Attribute(name),
    )


def _known_keys(keys: list[str]) -> str:
    if not keys:
        return "define it under `variables:`"
    shown = ", ".join(f"`{k}`" for k in sorted(keys)[:8])
    return f"the keys there are {shown}" + (", ..." if len(keys) > 8 else "")


def _syntax_needle(message: str) -> str | None:
    got = re.search(r"got '([^']+)'", message)
    if got:
        return got.group(1)
    if message.startswith("unexpected end of template"):
        return None
    quoted = _QUOTED.findall(message)
    return quoted[0] if quoted else None


def column_of(line: str, needle: str | None) -> int:
    """1-based column of ``needle`` on ``line`` (inside a Jinja2 tag first), else of the first tag."""
    if needle:
        if isinstance(needle, Attribute):  # `.name` or `['name']`
            attr = re.escape(needle)
            pattern = re.compile(rf"\.({attr})(?!\w)|\[\s*['\"]({attr})['\"]\s*\]")
        else:
            pattern = re.compile(rf"(?<![\w.])({re.escape(needle)})(?!\w)")
        spans = [(m.start(), m.end()) for m in _TAG.finditer(line)] + [(0, len(line))]
        for start, end in spans:
            match = pattern.search(line, start, end)
            if match:
                group = 1 if match.group(1) is not None else 2
                return match.start(group) + 1
    tag = _TAG.search(line)
    if tag:
        return tag.start() + 1
    stripped = len(line) - len(line.lstrip())
    return stripped + 1 if line.strip() else 1


def _kind(value: object) -> str:
    # A sandbox value need not be JSON (a function, a range): name its Python type rather than "a value".
    kind = kind_of(value)
    return f"a {type(value).__name__}" if kind == "a value" else kind
