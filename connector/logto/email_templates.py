"""Which template Logto sends for a usage type and a user's language: its email-template store, then the
connector config.

Logto's core looks in its email-template store (``getI18nEmailTemplate`` in
packages/core/src/libraries/connector.ts of logto-io/logto, since "fallback to generic template if specified
type is not found", #8053): the template of the usage type in the user's language tag (``payload.locale``,
matched exactly: ``fr-CA`` never finds ``fr``), else the usage type in the sign-in experience's fallback
language, else ``Generic`` in the fallback language. Only when the store has none does the SMTP connector use
its own config (``customTemplate ?? getConfigTemplateByType(type, config)`` in connector-smtp's
``sendMessage``; ``getConfigTemplateByType`` in @logto/connector-kit: the usage type, else ``Generic``), and
with neither it fails with "Template not found for type". tests/logto-peer/deploy-send.mjs mirrors the
store lookup for the differential tests; this module is the one copy the tool runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

GENERIC = "Generic"

T = TypeVar("T")


@dataclass(frozen=True)
class Choice(Generic[T]):
    """The template Logto sends: where it was found (``store``: the email-template store, in ``language``;
    else the connector config) and which usage type it is written for (``Generic`` when it stands in)."""

    template: T
    store: bool
    language: str | None  # the store entry's language tag; None for the connector config's template
    usage_type: str

    def describe(self, connector_language: str | None = None) -> str:
        """``SignIn (fr) from the email-template store``, ``Generic (en) from the connector config``."""
        language = self.language if self.store else connector_language
        tag = f" ({language})" if language else ""
        where = "the email-template store" if self.store else "the connector config"
        return f"{self.usage_type}{tag} from {where}"


def pick_template(
    usage_type: str,
    locale: str | None,
    fallback_language: str,
    store: Mapping[tuple[str, str], T],
    connector: Iterable[tuple[object, T]],
) -> Choice[T] | None:
    """The template Logto sends for ``usage_type`` to a user whose language is ``locale`` (None: not given).

    ``store`` maps (language tag, usage type) to the store's entries; ``connector`` is the config's
    templates, in order, each with its usage type. None when Logto finds none (it then fails with
    "Template not found for type")."""
    steps = [(locale, usage_type)] if locale else []
    steps += [(fallback_language, usage_type), (fallback_language, GENERIC)]
    for tag, kind in steps:
        found = store.get((tag, kind))
        if found is not None:
            return Choice(found, True, tag, kind)
    templates = list(connector)
    for kind in (usage_type, GENERIC):
        # The first of a usage type, as Array.prototype.find returns it.
        template = next((t for k, t in templates if k == kind), None)
        if template is not None:
            return Choice(template, False, None, kind)
    return None
