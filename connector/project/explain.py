"""``explain``: each final value, the file:line:column that set it, and what it overrode.

It works on the unresolved composition, so it needs no secrets: a value shows ``${SMTP_PASS}`` as
written. Values of secret fields written literally are masked, and every line goes through redact().
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from connector.diagnostics.describe import one_line
from connector.diagnostics.paths import KeyPath, dotted, named
from connector.diagnostics.printable import printable_json
from connector.diagnostics.redact import REDACTED, redact
from connector.diagnostics.suggest import did_you_mean
from connector.errors import InputError
from connector.logto import is_secret_path
from connector.project.layers import Composed, Origin
from connector.project.merge_rules import replaced_whole
from connector.project.providers import shipped_name, shipped_place
from connector.source.secret_values import secret_parts

REMOVED = object()  # the value of an entry whose key a layer removed with null


@dataclass(frozen=True)
class Entry:
    named: KeyPath  # as people name it, ("templates", "SignIn", "subject")
    path: KeyPath  # the data path, ("templates", 0, "subject")
    value: Any
    origin: Origin

    @property
    def key(self) -> str:
        """``templates[SignIn].subject``: the path spelled as everywhere else (diagnostics.paths.dotted)."""
        return dotted(self.named)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(str(step) for step in self.named)


def entries(composed: Composed, key: str | None = None) -> list[Entry]:
    """Every final value (or those under ``key``), each with its origin."""
    found: list[Entry] = []
    paths: list[tuple[KeyPath, Any]] = []
    if composed.provider is not None:
        paths.append((("provider",), composed.provider))
    if composed.language is not None:
        paths.append((("language",), composed.language))
    paths.extend(composed.leaves())
    if composed.variables:
        paths.extend((("variables", *p), v) for p, v in _leaves(composed.variables, ()))
    for path, value in paths:
        found.append(Entry(named(path, composed.data), path, value, composed.origin(path)))
    for path in composed.removals():
        found.append(Entry(named(path, composed.data), path, REMOVED, composed.origin(path)))
    if key is None:
        return found
    wanted = tuple(_named(key))
    chosen = [e for e in found if e.parts[: len(wanted)] == wanted]
    if not chosen:
        names = sorted({".".join(e.parts[: len(wanted)]) for e in found} | {e.parts[0] for e in found})
        suggestion = did_you_mean(".".join(wanted), names)
        where = f"environment {composed.env}" if composed.env else "the base (no environment)"
        raise InputError(
            f"no key `{key}` in the config of {where}"
            + (f"; did you mean `{suggestion}`?" if suggestion else "")
        )
    return chosen


def format_text(found: list[Entry]) -> str:
    """``key = value`` lines, each followed by where it was set and what it overrode."""
    lines: list[str] = []
    for entry in found:
        if entry.value is REMOVED:
            lines.append(f"{entry.key} (removed)")
            lines.append(f"  removed at {_at(entry.origin)}")
        else:
            note = "  (empty: the build leaves it out, as Logto's save does)" if _empty(entry.value) else ""
            lines.append(f"{entry.key} = {listed_value(entry.path, entry.value)}{note}")
            lines.append(f"  set at {_at(entry.origin)}")
        for old in entry.origin.overrode:
            lines.append(f"  overrides {listed_value(entry.path, old.value)} at {_at(old)}")
    return redact("\n".join(lines) + "\n") if lines else ""


def format_json(found: list[Entry]) -> str:
    items = [
        {
            "key": e.key,
            **({"removed": True} if e.value is REMOVED else {"value": _plain(e.path, e.value)}),
            **_where(e.origin),
            "overrode": [{"value": _plain(e.path, o.value), **_where(o)} for o in e.origin.overrode],
        }
        for e in found
    ]
    # Printable as lint's and doctor's JSON: a value may hold bidi or C1 controls, or `##[`.
    return printable_json(redact(json.dumps(items, indent=2, ensure_ascii=False))) + "\n"


def listed_value(path: KeyPath, value: Any) -> str:
    """A value on one line (:func:`connector.diagnostics.describe.one_line`), literal secrets masked."""
    if replaced_whole(path) and isinstance(value, dict) and len(value) == 1:
        ((form, text),) = value.items()  # {text: PATH}, {file: PATH} or {jinja: TEXT}
        return f"{{{form}: {listed_value((), text)}}}"
    if isinstance(value, (dict, list)) and value and not (path and path[0] == "variables"):
        return "{…}" if isinstance(value, dict) else "[…]"
    if _secret(path) and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = _mask(str(value))
    return one_line(value)


def _plain(path: KeyPath, value: Any) -> Any:
    """The value as JSON data, literal secrets masked."""
    if _secret(path) and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return _mask(str(value))
    return value


def _mask(value: str) -> str:
    """Keep ${VAR} references (they name a variable, not its value); mask the literal parts."""
    return "".join(REDACTED if literal else text for text, literal in secret_parts(value))


def _secret(path: KeyPath) -> bool:
    return is_secret_path(path)


def _empty(value: Any) -> bool:
    return isinstance(value, (str, dict, list)) and not value


def _at(origin: Origin) -> str:
    """``file:line:col (environment prod)``; a shipped overlay as ``provider gmail (providers/gmail.yaml:10)``."""
    loc = origin.location
    return shipped_place(loc.file, loc.line) or f"{loc} ({_layer(origin.layer_name)})"


def _where(origin: Origin) -> dict[str, Any]:
    loc = origin.location
    name = shipped_name(loc.file)
    file = loc.file if name is None else f"providers/{name}.yaml"  # shipped: never an install path
    return {"file": file, "line": loc.line, "column": loc.column, "layer": origin.layer_name}


def _layer(name: str) -> str:
    return "--set" if name == "override" else name.replace(":", " ", 1)


def _named(key: str) -> list[str]:
    """The steps of a KEY as the user typed it (``templates.SignIn.subject`` or ``templates[SignIn].subject``)."""
    return [p for p in key.replace("[", ".").replace("]", "").split(".") if p]


def _leaves(value: Any, path: KeyPath) -> list[tuple[KeyPath, Any]]:
    if isinstance(value, dict) and value:
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))]
    return [(path, value)]
