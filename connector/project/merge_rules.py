"""The merge rules, one set everywhere (docs/projects.md): provider < project < environment < ``--set``.

- Mappings merge key by key; scalars and lists are replaced by the higher layer.
- The top-level ``templates`` list merges by ``usageType``: an overlay changes one template (or one field
  of it) without repeating the others; a template it does not have yet is appended.
- ``null`` removes a key.
- A template's ``subject``, ``content``, ``replyTo`` and ``sendFrom`` are one value each, whichever form
  they take (a string, ``{text: PATH}``, ``{file: PATH}`` or ``{jinja: TEXT}``): a higher layer replaces the field whole.
  ``locales`` merges by language tag, then field by field, as mappings do.

:mod:`connector.project.layers` applies these rules while recording where each value came from. The tests
hold it to a second, plainer statement of the same rules (tests/merge_oracle.py, an associative merge of
patches), so the two must agree.
"""

from __future__ import annotations

from typing import Any, Final

from connector.logto import TEMPLATE_TEXT_FIELDS

TEMPLATES: Final = "templates"
USAGE_TYPE: Final = "usageType"
LOCALES: Final = "locales"


def template_key(item: Any) -> str | None:
    """The usage type a template entry merges on, or None if it has none."""
    if isinstance(item, dict):
        key = item.get(USAGE_TYPE)
        if isinstance(key, str):
            return key
    return None


def keyed_templates(value: Any) -> bool:
    """Whether ``value`` is a list of templates that can merge by usage type (each has one, no repeats)."""
    if not isinstance(value, list):
        return False
    keys = [template_key(item) for item in value]
    return None not in keys and len(set(keys)) == len(keys)


def replaced_whole(path: tuple[str | int, ...]) -> bool:
    """Whether the value at ``path`` is one template text field (set whole, even when it is a mapping)."""
    if not path or path[0] != TEMPLATES or path[-1] not in TEMPLATE_TEXT_FIELDS:
        return False
    return len(path) == 3 or (len(path) == 5 and path[2] == LOCALES)
