"""What every lint rule sees (a :class:`Context`) and what a rule declares (a :class:`LintRule`).

A rule is a small pure function of its context: it reads the data and where each value was written, and
returns findings. It declares the kinds of input it runs on and every rule id it can report; the rules
that run are listed in :mod:`connector.lint.registry`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, Protocol

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath
from connector.logto import clean_deep
from connector.logto.usage_types import template_label
from connector.source.variables import holds_reference
from connector.source.walk import strings

# Build-time Jinja2 statements or comments: such text is rendered before Logto ever sees it.
JINJA = re.compile(r"\{[%#]")


Mode = Literal["final", "built", "composed", "layer", "project-layer", "variant"]
ALL_MODES: tuple[Mode, ...] = ("final", "built", "composed", "layer", "project-layer")
TEXT_MODES: tuple[Mode, ...] = ("final", "built", "composed", "layer")
WHOLE_MODES: tuple[Mode, ...] = ("final", "built", "composed")
# Files that are committed or edited by people: every mode but a built config, which holds its secrets.
COMMITTED_MODES: tuple[Mode, ...] = tuple(m for m in ALL_MODES if m != "built")
# Rules about one template's text also run on each language variant of a composed environment.
TEMPLATE_TEXT_MODES: tuple[Mode, ...] = (*TEXT_MODES, "variant")


class Source(Protocol):
    """What a rule reads: the data, and where each value (or key) was written."""

    @property
    def data(self) -> dict[str, Any]: ...

    def locate(self, path: KeyPath, *, key: bool = False) -> Location: ...

    def locate_excerpt(self, path: KeyPath, excerpt: str) -> Location | None: ...


class Layers(Protocol):
    """A composed environment's provenance (:class:`connector.project.layers.Composed`)."""

    @property
    def provider(self) -> str | None: ...

    def newest(self, *paths: KeyPath) -> KeyPath: ...

    @property
    def variables(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Provenance:
    """Where the linted config came from, beyond each value's place.

    ``layers``: the composed environment it was rendered from (None: one file, read on its own);
    ``language``: the language of a variant's templates (None: the config's own templates).
    """

    layers: Layers | None = None
    language: str | None = None


ONE_FILE = Provenance()


@dataclass(frozen=True)
class Context:
    """One thing being linted, and what kind of thing it is (``mode``):

    - ``final``: a config in Logto's format (JSON or YAML, built or exported from a Logto console);
    - ``built``: a final config as deployed, secrets resolved (``lint --built``): checked for what Logto
      accepts and sends, not for literal secrets, which it holds by design;
    - ``composed``: one environment of a project, merged, with ``${VAR}`` references left unresolved;
    - ``layer``: one project source file linted on its own (a partial config, maybe build-time Jinja2);
    - ``project-layer``: a source file whose project is composed too, so text and schema are checked there;
    - ``variant``: one language's templates of a composed environment (``locales``), rendered.
    """

    source: Source
    mode: Mode
    provenance: Provenance = ONE_FILE

    @property
    def complete(self) -> bool:
        """A whole config: rules may expect the required keys."""
        return self.mode in WHOLE_MODES

    @property
    def rendered(self) -> bool:
        """Template text is what Logto gets (not a source layer that Jinja2 may still render)."""
        return self.mode in (*WHOLE_MODES, "variant")

    @property
    def resolved(self) -> bool:
        """``${VAR}`` references have been replaced by their values."""
        return self.mode in ("final", "built")

    @property
    def data(self) -> dict[str, Any]:
        return self.source.data

    @cached_property
    def saved_auth(self) -> dict[str, Any] | None:
        """``auth`` as Logto's save keeps it (:func:`connector.logto.clean_deep`), worked out once for the
        rules that read it; None when ``auth`` is not a mapping."""
        auth = self.source.data.get("auth")
        return clean_deep(auth)[0] if isinstance(auth, dict) else None

    @cached_property
    def strings(self) -> tuple[tuple[KeyPath, str], ...]:
        """Every string in the data with its key path, in order (walked once for all the rules)."""
        return tuple(strings(self.source.data))

    def at(self, path: KeyPath, *, key: bool = False) -> Location:
        return self.source.locate(path, key=key)

    def newest(self, *paths: KeyPath) -> KeyPath:
        """Of conflicting values, the one the highest layer set (a finding belongs where the user
        completed the conflict, not in a provider overlay); in a single file, the first."""
        layers = self.provenance.layers
        return layers.newest(*paths) if layers is not None else paths[0]

    @property
    def build_variables(self) -> frozenset[str]:
        """The names of the project's build variables (``variables:``) that a template can use."""
        layers = self.provenance.layers
        names = layers.variables if layers is not None else self.data.get("variables")
        return frozenset(k for k in names if isinstance(k, str)) if isinstance(names, dict) else frozenset()

    @property
    def provider(self) -> str | None:
        """The provider overlay a composed environment names (None in a single file)."""
        layers = self.provenance.layers
        return layers.provider if layers is not None else None

    def finding(
        self, path: KeyPath, rule: str, message: str, hint: str, *, key: bool = False, excerpt: str = ""
    ) -> Finding:
        """A finding about the value (or, with ``key``, the key) at ``path``; ``excerpt``: the text it is
        about as written: the finding stands where the text was typed, when the file holds the string as it
        reads (a `|` block's own line), and a later stage may find it in a template file (:class:`Finding`)."""
        where = self.source.locate_excerpt(path, excerpt) if excerpt else None
        if where is None:
            where = self.at(path, key=key)
        return Finding.at(where, rule, message, hint, key_path=path, excerpt=excerpt)

    def templates(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each template mapping with its index; anything else in the list is the schema's business."""
        items = self.data.get("templates")
        if isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    yield index, item

    def template_name(self, template: dict[str, Any], index: int) -> str:
        """``"SignIn"``, or ``"SignIn" (fr)`` in a language variant."""
        language = self.provenance.language
        name = template_label(template, index)
        return f"{name} ({language})" if language is not None else name

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        return value if isinstance(value, dict) else {}


def is_reference(value: object) -> bool:
    """True for a string that holds a well-formed ``${VAR}`` reference (its value comes from the environment).

    The grammar is the build's (:mod:`connector.source.variables`): what the build refuses is no reference.
    """
    return isinstance(value, str) and holds_reference(value)


RuleFunction = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class LintRule:
    """A rule function, the kinds of input it runs on, and every rule id it may report (``emits``)."""

    function: RuleFunction
    modes: tuple[Mode, ...]
    emits: frozenset[str]

    @property
    def name(self) -> str:
        return self.function.__name__

    def __call__(self, context: Context) -> Iterable[Finding]:
        return self.function(context)


def rule(*emits: str, modes: tuple[Mode, ...] = ALL_MODES) -> Callable[[RuleFunction], LintRule]:
    """Make a rule function a :class:`LintRule` that reports ``emits`` on the kinds of input in ``modes``
    (see :class:`Context`). It runs once :mod:`connector.lint.registry` lists it."""

    def declare(function: RuleFunction) -> LintRule:
        return LintRule(function, modes, frozenset(emits))

    return declare
