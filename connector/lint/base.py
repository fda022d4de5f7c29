"""What every lint rule sees (a :class:`Context`) and how rules register themselves."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from connector.diagnostics.findings import Finding, Location
from connector.project.variables import holds_reference

if TYPE_CHECKING:  # validate imports pydantic, which a lint of unrelated files must not pay for
    from connector.schema.validate import Located
    from connector.source.loader import KeyPath

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

    source: Located
    mode: Mode

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

    def at(self, path: KeyPath, *, key: bool = False) -> Location:
        return self.source.locate(path, key=key)

    def newest(self, *paths: KeyPath) -> KeyPath:
        """Of conflicting values, the one the highest layer set (a finding belongs where the user
        completed the conflict, not in a provider overlay); in a single file, the first."""
        pick = getattr(self.source, "newest", None)
        chosen: KeyPath = pick(*paths) if pick is not None else paths[0]
        return chosen

    def finding(
        self, path: KeyPath, rule: str, message: str, hint: str, *, key: bool = False, excerpt: str = ""
    ) -> Finding:
        """A finding about the value (or, with ``key``, the key) at ``path``; ``excerpt``: the text it is
        about as written, when a template file may hold it (see :class:`Finding`)."""
        return Finding.at(self.at(path, key=key), rule, message, hint, key_path=path, excerpt=excerpt)

    def templates(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each template mapping with its index; anything else in the list is the schema's business."""
        items = self.data.get("templates")
        if isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    yield index, item

    def template_name(self, template: dict[str, Any], index: int) -> str:
        """``"SignIn"``, or ``"SignIn" (fr)`` in a language variant."""
        language = getattr(self.source, "variant_language", None)
        name = template_name(template, index)
        return f"{name} ({language})" if isinstance(language, str) else name

    def mapping(self, key: str) -> dict[str, Any]:
        value = self.data.get(key)
        return value if isinstance(value, dict) else {}


def is_reference(value: object) -> bool:
    """True for a string that holds a well-formed ``${VAR}`` reference (its value comes from the environment).

    The grammar is the build's (:mod:`connector.project.variables`): what the build refuses is no reference.
    """
    return isinstance(value, str) and holds_reference(value)


def template_name(template: dict[str, Any], index: int) -> str:
    kind = template.get("usageType")
    return f'"{kind}"' if isinstance(kind, str) and kind else f"#{index + 1}"


RuleFunction = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class LintRule:
    function: RuleFunction
    modes: tuple[Mode, ...]


LINT_RULES: list[LintRule] = []


def rule(modes: tuple[Mode, ...] = ALL_MODES) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function for the kinds of input in ``modes`` (see :class:`Context`)."""

    def register(function: RuleFunction) -> RuleFunction:
        LINT_RULES.append(LintRule(function, modes))
        return function

    return register
