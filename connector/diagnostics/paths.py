"""Key paths: where in a config a value sits, as data (``("templates", 3, "subject")``).

This is the one home of the path type that findings, loaders, validation, merge and lint share.
"""

from __future__ import annotations

KeyPath = tuple[str | int, ...]

# The one key whose mapping form names its entries by usage type (``templates: {SignIn: ...}``).
_NAMED_ENTRIES = "templates"


def dotted(path: KeyPath) -> str:
    """A path as people write it: ``auth.pass``, ``templates[0].subject``, ``templates[SignIn].subject``.

    List indexes and the entries of ``templates`` (named by usage type in project sources) are written in
    brackets, other keys joined by dots; the empty path is "the config". Every message that names a key
    spells it with this function, so a path reads the same in lint, build, explain and the runtime.
    """
    text = ""
    for i, step in enumerate(path):
        if isinstance(step, int) or (i == 1 and path[0] == _NAMED_ENTRIES):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else step
    return text or "the config"


# The keys that name an entry of `templates`: a connector template's usage type, or the language tag and
# template type of an entry of Logto's email-template store (``ENV.email-templates.json``).
ENTRY_NAME_KEYS = frozenset({"usageType", "languageTag", "templateType"})


def entry_name(item: object) -> str | None:
    """The name people know a ``templates`` entry by: ``SignIn``, or ``fr SignIn`` in the store; else None."""
    if not isinstance(item, dict):
        return None
    kind = item.get("usageType")
    if isinstance(kind, str):
        return kind
    tag, kind = item.get("languageTag"), item.get("templateType")
    return f"{tag} {kind}" if isinstance(tag, str) and isinstance(kind, str) else None


def named(path: KeyPath, data: object) -> KeyPath:
    """``path`` in ``data`` with the index of a ``templates`` entry replaced by its name, when it has one:
    ``("templates", 0, "subject")`` -> ``("templates", "SignIn", "subject")``, spelled
    ``templates[SignIn].subject`` by :func:`dotted`."""
    if len(path) >= 2 and path[0] == _NAMED_ENTRIES and isinstance(path[1], int) and isinstance(data, dict):
        entries = data.get(_NAMED_ENTRIES)
        if isinstance(entries, list) and 0 <= path[1] < len(entries):
            name = entry_name(entries[path[1]])
            if name is not None:
                return (path[0], name, *path[2:])
    return path
