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
