"""``${VAR}`` references in source strings, resolved from the environment at build time only.

Forms: ``${VAR}`` (an error if unset), ``${VAR:-default}`` (the default if unset or empty) and
``${VAR:?message}`` (an error with that message if unset or empty); ``$${`` writes a literal ``${``.
A ``$`` not followed by ``{`` is text. Every value taken from the environment is registered with
:mod:`connector.diagnostics.redact`, so it appears in the built file and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath
from connector.diagnostics.redact import register_secret
from connector.logto import SECRET_KEYS, is_secret_path, secret_keys_in
from connector.source.files import LOGTO_SECTION

_START = re.compile(r"\$\$\{|\$\{")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}")
_FORMS = "write ${NAME}, ${NAME:-default} or ${NAME:?message}; write $${ for a literal ${"


@dataclass(frozen=True, slots=True)
class Reference:
    """One ``${...}``: the variable, its operator (``""``, ``":-"`` or ``":?"``) and the text after it."""

    name: str
    op: str
    argument: str
    text: str


def parse(text: str) -> tuple[list[str | Reference], str | None]:
    """Split ``text`` into literal parts and references; the second item names the first malformed ``${``."""
    parts: list[str | Reference] = []
    pos = 0
    while (start := _START.search(text, pos)) is not None:
        if start.group() == "$${":
            parts.append(text[pos : start.start()] + "${")
            pos = start.end()
            continue
        match = _REFERENCE.match(text, start.start())
        if match is None or "${" in (match.group(3) or ""):
            return parts, _fragment(text, start.start())
        parts.append(text[pos : start.start()])
        parts.append(Reference(match.group(1), match.group(2) or "", match.group(3) or "", match.group()))
        pos = match.end()
    parts.append(text[pos:])
    return _joined(parts), None


def _joined(parts: list[str | Reference]) -> list[str | Reference]:
    out: list[str | Reference] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return out


def references(text: str) -> list[Reference]:
    """The well-formed references in ``text`` (for listings; see :func:`check` for errors)."""
    return [part for part in parse(text)[0] if isinstance(part, Reference)]


def holds_reference(text: str) -> bool:
    """True when the build would take part of ``text`` from the environment: one reference or more, and
    nothing it refuses (a malformed ``${`` makes the whole string an error, SC503, not a reference)."""
    if "${" not in text:
        return False
    parts, problem = parse(text)
    return problem is None and any(isinstance(part, Reference) for part in parts)


def check(text: str, where: Location, key: str, path: KeyPath = ()) -> list[Finding]:
    """A finding for a malformed reference in ``text`` (the string at ``key``, ``path``), else nothing."""
    if "${" not in text:
        return []
    _, problem = parse(text)
    return [] if problem is None else [_malformed(problem, where, key, path)]


def refused(ref: Reference, environ: Mapping[str, str]) -> bool:
    """Whether :func:`resolve` refuses ``ref`` with ``environ`` (SC502): unset, or empty with ``:?``
    (``:-`` gives its default). For a command that reports such a variable instead of stopping (doctor)."""
    value = environ.get(ref.name)
    return (value is None and ref.op != ":-") or (value == "" and ref.op == ":?")


def resolve(
    text: str, environ: Mapping[str, str], where: Location, key: str, path: KeyPath = ()
) -> tuple[str, list[Finding]]:
    """``text`` with every reference replaced from ``environ``; findings for the ones that cannot be."""
    if "$" not in text:
        return text, []
    parts, problem = parse(text)
    if problem is not None:
        return text, [_malformed(problem, where, key, path)]
    out: list[str] = []
    findings: list[Finding] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        value = environ.get(part.name)
        if value is not None and value != "":
            register_secret(value)
            out.append(value)
        elif part.op == ":-":
            out.append(part.argument)
        elif part.op == ":?":
            state = "empty" if value == "" else "not set"
            reason = part.argument.strip() or f"{key} needs it"
            findings.append(
                Finding.at(
                    where,
                    "SC502",
                    f"environment variable {part.name} is {state}: {reason}",
                    f"set {part.name} in the environment that runs the build",
                    key_path=path,
                )
            )
        elif value == "":
            out.append("")
        else:
            findings.append(
                Finding.at(
                    where,
                    "SC502",
                    f"environment variable {part.name} is not set ({key} asks for it)",
                    f"set {part.name} in the environment that runs the build"
                    # A default in a committed file is a committed secret (SC403): no default for those.
                    + ("" if _secret(path) else f", or give a default: ${{{part.name}:-...}}"),
                    key_path=path,
                )
            )
    return "".join(out), findings


def _secret(path: KeyPath) -> bool:
    """A credential (``auth.pass``, deploy's ``logto.appSecret``): a default for it would be committed."""
    return is_secret_path(path) or tuple(path) == (LOGTO_SECTION, "appSecret")


_resolve_text = resolve  # resolve_tree's keyword argument is named like the function


def resolve_tree(
    value: Any,
    path: KeyPath,
    locate: Callable[[KeyPath], Location],
    name: Callable[[KeyPath], str],
    environ: Mapping[str, str],
    *,
    resolve: bool = True,
    secrets: bool = True,
) -> tuple[Any, list[Finding]]:
    """Every string in ``value`` resolved (or, with ``resolve=False``, only checked), with findings.

    ``secrets=False`` leaves references under a credential key (connector.logto.is_secret_path) as written:
    what renders or writes a message without connecting needs no secret. One walk for build, render and send.
    """
    findings: list[Finding] = []

    def walk(item: Any, here: KeyPath, secret: bool) -> Any:
        if isinstance(item, str):
            if "$" not in item:
                return item
            if not resolve or secret:
                findings.extend(check(item, locate(here), name(here), here))
                return item
            text, found = _resolve_text(item, environ, locate(here), name(here), here)
            findings.extend(found)
            return text
        if isinstance(item, dict):
            keys = secret_keys_in(here[-1]) if here else SECRET_KEYS
            return {k: walk(v, (*here, k), secret or (not secrets and k in keys)) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v, (*here, i), secret) for i, v in enumerate(item)]
        return item

    return walk(value, path, False), findings


def _fragment(text: str, start: int) -> str:
    end = text.find("}", start)
    fragment = text[start : end + 1] if 0 <= end < start + 40 else text[start : start + 20]
    return fragment


def _malformed(fragment: str, where: Location, key: str, path: KeyPath) -> Finding:
    message = f"`{fragment}` in {key} is not a valid variable reference"
    return Finding.at(where, "SC503", message, _FORMS, key_path=path)
