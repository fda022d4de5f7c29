"""The merge rules of connector/project/merge_rules.py stated a second way, as patches: the oracle the tests hold
connector/project/layers.py (which also records provenance) to.

A layer is read as a *patch*; :func:`merge` composes two patches into one, and is associative, so
``merge(merge(a, b), c) == merge(a, merge(b, c))``: folding the layers in any grouping gives the same
result. Deleting a key and then setting it again must stay "replace", not "merge into what was deleted",
which plain data cannot say; the markers :data:`DELETE` and :class:`Replace` carry that inside patches and
:func:`materialize` turns a patch back into plain data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from connector.logto import TEMPLATE_TEXT_FIELDS
from connector.project.merge_rules import LOCALES, TEMPLATES, USAGE_TYPE, keyed_templates


class _Delete:
    __slots__ = ()

    def __repr__(self) -> str:
        return "DELETE"


DELETE: Final = _Delete()


@dataclass(frozen=True, slots=True)
class Replace:
    """Set ``value`` (plain data) whole, whatever was there before."""

    value: Any


@dataclass(frozen=True, slots=True)
class TemplatesPatch:
    """Template patches keyed by usage type, in order of first appearance."""

    items: tuple[tuple[str, Any], ...]


def to_patch(layer: Mapping[str, Any]) -> dict[str, Any]:
    """Read one layer (plain data as loaded, ``None`` meaning remove) as a patch."""
    patch: dict[str, Any] = {}
    for key, value in layer.items():
        if key == TEMPLATES and keyed_templates(value):
            patch[key] = TemplatesPatch(tuple((item[USAGE_TYPE], _template_patch(item)) for item in value))
        else:
            patch[key] = _value_patch(value)
    return patch


def _template_patch(item: dict[str, Any]) -> dict[str, Any]:
    patch = _fields_patch(item)
    locales = item.get(LOCALES)
    if isinstance(locales, dict):
        patch[LOCALES] = {
            tag: _fields_patch(variant) if isinstance(variant, dict) else _value_patch(variant)
            for tag, variant in locales.items()
        }
    return patch


def _fields_patch(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        key: Replace(_without_nulls(value))
        if key in TEMPLATE_TEXT_FIELDS and isinstance(value, dict)
        else _value_patch(value)
        for key, value in fields.items()
    }


def _without_nulls(value: Any) -> Any:
    # As when a layer sets a mapping whole: a null inside it means "absent".
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    return value


def _value_patch(value: Any) -> Any:
    if value is None:
        return DELETE
    if isinstance(value, dict):
        return {key: _value_patch(item) for key, item in value.items()}
    return value  # scalars and lists are values, replaced whole


def merge(lower: Any, higher: Any) -> Any:
    """The patch that does ``lower`` and then ``higher``."""
    if higher is DELETE or isinstance(higher, Replace):
        return higher
    if isinstance(higher, dict):
        if isinstance(lower, dict):
            merged = dict(lower)
            for key, value in higher.items():
                merged[key] = merge(merged[key], value) if key in merged else value
            return merged
        base = lower.value if isinstance(lower, Replace) and isinstance(lower.value, dict) else {}
        return Replace(materialize(merge(base, higher)))
    if isinstance(higher, TemplatesPatch):
        if isinstance(lower, TemplatesPatch):
            items = dict(lower.items)
            for key, value in higher.items:
                items[key] = merge(items[key], value) if key in items else value
            return TemplatesPatch(tuple(items.items()))
        plain = lower.value if isinstance(lower, Replace) else lower
        below = to_patch({TEMPLATES: plain})[TEMPLATES] if keyed_templates(plain) else TemplatesPatch(())
        return Replace(materialize(merge(below, higher)))
    return higher  # a scalar or a list replaces whatever was below


def materialize(patch: Any) -> Any:
    """The plain data a patch produces when applied to nothing."""
    if isinstance(patch, dict):
        return {key: materialize(value) for key, value in patch.items() if value is not DELETE}
    if isinstance(patch, Replace):
        return patch.value
    if isinstance(patch, TemplatesPatch):
        return [materialize(item) for _, item in patch.items]
    return patch


def apply(base: Mapping[str, Any], *layers: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``layers`` (lowest first) onto ``base``: the plain result, without provenance."""
    patch: Any = to_patch(base)
    for layer in layers:
        patch = merge(patch, to_patch(layer))
    result: dict[str, Any] = materialize(patch)
    return result
