"""Applying layers with provenance: the rules of :mod:`connector.project.merge_rules`, remembering who set each value.

Every node of the merged data (mappings, lists and scalars) keeps the layer, file and path inside that
file that set it, and the chain of values it overrode; keys removed by ``null`` (or emptied at build
time) keep the place that removed them. :class:`Composed` answers ``locate`` from that record, so every
finding about a merged value points at the line a person wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath
from connector.project.merge_rules import TEMPLATES, USAGE_TYPE, keyed_templates, replaced_whole
from connector.project.providers import shipped_name, shipped_place
from connector.source.files import LOGTO_SECTION
from connector.source.loader import Document
from connector.source.suppress import Suppressor

# Source keys that are not part of the final config (`logto` names the deploy target: connector.deploy).
META_KEYS = ("provider", "variables", "language", LOGTO_SECTION)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a final value came from: the place, the layer (``provider:gmail``, ``project``,
    ``environment:prod``, ``override``), what it overrode (most recent first) and the value as written."""

    location: Location
    layer_name: str
    overrode: tuple[Origin, ...] = ()
    value: Any = None


@dataclass(frozen=True, slots=True)
class _Node:
    doc: Document
    path: KeyPath  # inside doc
    layer: str
    value: Any
    overrode: tuple[_Node, ...] = ()

    def origin(self) -> Origin:
        return Origin(
            self.doc.locate(self.path),
            self.layer,
            tuple(n.origin() for n in self.overrode),
            self.value,
        )

    def alone(self) -> _Node:
        return _Node(self.doc, self.path, self.layer, self.value)


@dataclass
class State:
    """The merged data so far and the record of where every node came from."""

    data: dict[str, Any] = field(default_factory=dict)
    nodes: dict[KeyPath, _Node] = field(default_factory=dict)
    removed: dict[KeyPath, _Node] = field(default_factory=dict)
    layers: tuple[str, ...] = ()  # applied, lowest first

    def copy(self) -> State:
        # data is never mutated in place (changed paths are copied), so sharing it is safe.
        return State(self.data, dict(self.nodes), dict(self.removed), self.layers)

    def apply(self, doc: Document, layer: str, *, root: bool = False) -> None:
        """Merge one layer on top, by the rules of :mod:`connector.project.merge_rules`.

        ``root``: this layer's file answers for the config as a whole (a key missing everywhere).
        """
        self.layers = (*self.layers, layer)
        if root or () not in self.nodes:
            self.nodes[()] = _Node(doc, (), layer, None)
        self.data = _Applier(self, doc, layer).mapping(self.data, doc.data, (), ())


class _Applier:
    def __init__(self, state: State, doc: Document, layer: str) -> None:
        self.state, self.doc, self.layer = state, doc, layer

    def mapping(
        self, base: dict[str, Any], over: dict[str, Any], path: KeyPath, lpath: KeyPath
    ) -> dict[str, Any]:
        result = dict(base)
        nodes, removed = self.state.nodes, self.state.removed
        for key, value in over.items():
            here, there = (*path, key), (*lpath, key)
            if value is None:
                old = nodes.get(here)
                if key in result:
                    self._forget(here, result.pop(key))
                    nodes.pop(here, None)
                removed[here] = _Node(self.doc, there, self.layer, None, _chain(old))
            elif key in result:
                if key == USAGE_TYPE and len(path) == 2 and path[0] == TEMPLATES and result[key] == value:
                    continue  # the key a template merges on, not a change
                result[key] = self.value(result[key], value, here, there)
            else:
                removed.pop(here, None)
                result[key] = self.new(value, here, there, ())
        return result

    def value(self, base: Any, over: Any, path: KeyPath, lpath: KeyPath) -> Any:
        if isinstance(over, dict) and isinstance(base, dict) and not replaced_whole(path):
            return self.mapping(base, over, path, lpath)
        if path == (TEMPLATES,) and keyed_templates(over) and keyed_templates(base):
            return self.templates(base, over, path, lpath)
        # Otherwise the higher value replaces the lower whole, as in connector.project.merge_rules: a list that is not
        # one template per usage type (an item without one, a repeat, not a mapping) cannot merge by it.
        old = self.state.nodes.get(path)
        self._forget(path, base)
        return self.new(over, path, lpath, _chain(old))

    def templates(self, base: list[Any], over: list[Any], path: KeyPath, lpath: KeyPath) -> list[Any]:
        result = list(base)
        index = {item[USAGE_TYPE]: i for i, item in enumerate(result)}
        for j, item in enumerate(over):
            kind = item[USAGE_TYPE]
            if kind in index:
                i = index[kind]
                result[i] = self.mapping(result[i], item, (*path, i), (*lpath, j))
            else:
                index[kind] = len(result)
                result.append(self.new(item, (*path, len(result)), (*lpath, j), ()))
        return result

    def new(self, value: Any, path: KeyPath, lpath: KeyPath, overrode: tuple[_Node, ...]) -> Any:
        """Record a value set whole by this layer; nulls inside mappings mean "absent"."""
        self.state.nodes[path] = _Node(self.doc, lpath, self.layer, value, overrode)
        if isinstance(value, dict):
            return {k: self.new(v, (*path, k), (*lpath, k), ()) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            if path == (TEMPLATES,) and keyed_templates(value):
                return [self.new(item, (*path, i), (*lpath, i), ()) for i, item in enumerate(value)]
            for i, item in enumerate(value):
                self._record_raw(item, (*path, i), (*lpath, i))
        return value

    def _record_raw(self, value: Any, path: KeyPath, lpath: KeyPath) -> None:
        # Inside a list the value is kept as written (lists are replaced whole); only positions are noted.
        self.state.nodes[path] = _Node(self.doc, lpath, self.layer, value)
        children = (
            value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        )
        for k, v in children:
            self._record_raw(v, (*path, k), (*lpath, k))

    def _forget(self, path: KeyPath, old: Any) -> None:
        if not isinstance(old, (dict, list)):
            return
        n = len(path)
        for table in (self.state.nodes, self.state.removed):
            for key in [k for k in table if len(k) > n and k[:n] == path]:
                del table[key]


def _chain(old: _Node | None) -> tuple[_Node, ...]:
    return () if old is None else (old.alone(), *old.overrode)


@dataclass
class Composed:
    """The merged config of one environment (or the base, ``env=None``), with provenance.

    ``data`` is the config without the ``provider``, ``variables`` and ``language`` keys (attributes here).
    Template fields may still be ``{text: PATH}``, ``{file: PATH}`` or ``{jinja: TEXT}`` and templates may hold ``locales``:
    :mod:`connector.build.templating` renders them.
    It implements the ``Located`` protocol of :mod:`connector.schema.validate`.
    """

    data: dict[str, Any]
    variables: dict[str, Any]
    provider: str | None
    env: str | None
    state: State = field(repr=False)
    resolved: bool = False
    language: str | None = None  # as written (None: not set, the build's default applies)

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        """The file, line and column that set the value at ``path`` (or its key).

        A place in a shipped provider overlay is the user's only when nothing they wrote touches the
        value: when one of their layers set a key inside it, that line is the one to show.
        """
        nodes, removed = self.state.nodes, self.state.removed
        for depth in range(len(path), -1, -1):
            prefix = path[:depth]
            node = nodes.get(prefix) or removed.get(prefix)
            if node is not None:
                where = node.doc.locate((*node.path, *path[depth:]), key=key)
                if node.layer.startswith("provider:") and _shipped(where.file):
                    return self._user_key_inside(path) or where
                return where
        return Location("<no source>", 1, 1)

    def locate_text(self, path: KeyPath, line: int, column: int) -> Location | None:
        """Where character ``column`` of line ``line`` of the string at ``path`` was written, when the file
        holds it as it reads (:meth:`connector.source.document.Document.locate_text`); else None."""
        for depth in range(len(path), -1, -1):
            node = self.state.nodes.get(path[:depth])
            if node is not None:
                return node.doc.locate_text((*node.path, *path[depth:]), line, column)
        return None

    def _user_key_inside(self, path: KeyPath) -> Location | None:
        """The key inside ``path`` that the highest layer other than the provider wrote, if any."""
        n, order = len(path), self.state.layers
        inside = [
            node
            for p, node in self.state.nodes.items()
            if p[:n] == path and node.layer in order and not node.layer.startswith("provider:")
        ]
        if not inside:
            return None
        node = max(inside, key=lambda node: order.index(node.layer))
        return node.doc.locate(node.path, key=True)

    def newest(self, *paths: KeyPath) -> KeyPath:
        """Of values that conflict, the one the highest layer set: where the user completed the conflict."""
        order = self.state.layers

        def rank(path: KeyPath) -> int:
            node = self.state.nodes.get(path)
            return order.index(node.layer) if node is not None and node.layer in order else -1

        return max(paths, key=rank)

    def user_facing(self, findings: Iterable[Finding]) -> list[Finding]:
        """Findings moved off shipped provider overlays (installed files nobody edits) onto the line that
        chose the provider, naming the overlay as ``provider gmail (providers/gmail.yaml:10)``."""
        out = []
        for finding in findings:
            place = _shipped_place(finding.file, finding.line)
            if place is None:
                out.append(finding)
                continue
            if finding.rule in _shipped_suppressions(finding.file, finding.line):
                continue  # accepted by the overlay's authors (dev-sink's SC302): not the user's to see
            chosen = self.state.nodes.get(("provider",))
            where = chosen.doc.locate(chosen.path) if chosen is not None else finding.location
            out.append(
                replace(
                    finding,
                    file=where.file,
                    line=where.line,
                    column=where.column,
                    message=f"{finding.message} (set by {place})",
                )
            )
        return out

    def origin(self, path: KeyPath) -> Origin:
        """Who set the value at ``path``, and what it overrode; for a removed key, who removed it."""
        node = self.state.nodes.get(path) or self.state.removed.get(path)
        if node is None:
            raise KeyError(path)
        return node.origin()

    def last_touched(self, path: KeyPath) -> Location:
        """The key, at ``path`` or inside it, that the highest layer wrote (who last changed this part)."""
        n, order = len(path), self.state.layers
        inside = [node for p, node in self.state.nodes.items() if p[:n] == path and node.layer in order]
        if not inside:
            return self.locate(path, key=True)
        node = max(inside, key=lambda node: order.index(node.layer))
        return node.doc.locate(node.path, key=True)

    def removals(self) -> list[KeyPath]:
        """Keys a layer removed with null that a lower layer had set (and no higher layer set again)."""
        nodes = self.state.nodes
        return [path for path, node in self.state.removed.items() if node.overrode and path not in nodes]

    def leaves(self) -> Iterator[tuple[KeyPath, Any]]:
        """Every final scalar or list value (lists and template text fields are set whole), in order."""
        yield from _leaves(self.data, ())


def _leaves(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    if isinstance(value, dict) and value and not replaced_whole(path):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list) and path == (TEMPLATES,):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path, value


def _shipped(file: str) -> bool:
    return shipped_name(file) is not None


def _shipped_place(file: str, line: int) -> str | None:
    return shipped_place(file, line)


def _shipped_suppressions(file: str, line: int) -> set[str]:
    global _SUPPRESSOR
    if _SUPPRESSOR is None:
        _SUPPRESSOR = Suppressor({})
    ids: set[str] = _SUPPRESSOR.inline(file, line)
    return ids


_SUPPRESSOR: Any = None  # one reader of the shipped overlays' suppression comments, each line read once
