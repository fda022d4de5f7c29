"""A recipient's language at send time: which template Logto sends them (its email-template store first,
then the connector config), for ``render``, ``send`` and ``preview`` (docs/runtime.md, "Languages").

The lookup is :func:`connector.logto.email_templates.pick_template`, Logto's own order. The store is what
the project builds for Logto's email-template API (its ``locales``, ENV.email-templates.json); its fallback
language is the project's ``language``, which the docs ask to set to the sign-in experience's fallback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from connector.errors import InputError
from connector.logto import USAGE_TYPES
from connector.logto.email_templates import Choice, pick_template
from connector.schema.models import ConnectorConfig, StoreTemplate, Template

DEFAULT_LANGUAGE = "en"  # Logto's default sign-in experience falls back to English


@dataclass(frozen=True)
class Languages:
    """The connector templates' language (Logto's fallback language) and the email-template store."""

    language: str = DEFAULT_LANGUAGE
    store: Mapping[tuple[str, str], Template] = field(default_factory=dict)  # (tag, usage type) -> template

    @classmethod
    def from_variants(cls, language: str, variants: Mapping[str, Sequence[StoreTemplate]]) -> Languages:
        return cls(language, {(tag, t.usageType): _sent(t) for tag, items in variants.items() for t in items})

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted({tag for tag, _ in self.store}))

    def choose(self, config: ConnectorConfig, usage_type: str, locale: str | None) -> Choice[Template]:
        """The template Logto sends for ``usage_type`` to a user in ``locale``; Logto's error if none."""
        choice = pick_template(usage_type, locale, self.language, self.store, _pairs(config))
        if choice is None:
            raise InputError(f"Template not found for type: {usage_type}")
        return choice

    def describe(self, choice: Choice[Template]) -> str:
        return choice.describe(self.language)


def localized(
    config: ConnectorConfig, languages: Languages, locale: str | None
) -> tuple[ConnectorConfig, dict[str, Choice[Template]]]:
    """``config`` as a user in ``locale`` gets it: each usage type's template is the one Logto picks (from
    the store when it has one), so filling it as Logto does (:mod:`connector.mail.message`) sends that."""
    chosen: dict[str, Choice[Template]] = {}
    for usage_type in USAGE_TYPES:
        choice = pick_template(usage_type, locale, languages.language, languages.store, _pairs(config))
        if choice is not None:
            chosen[usage_type] = choice
    if not any(choice.store for choice in chosen.values()):
        return config, chosen  # the connector's own templates, as they are
    # One template per usage type, each the one picked: the connector's Generic, not a stored Generic in
    # the user's language, stands in for a type that neither the store nor the connector has.
    picked = [c.template.model_copy(update={"usageType": kind}) for kind, c in chosen.items()]
    return config.model_copy(update={"templates": [*picked, *config.templates]}), chosen


def _pairs(config: ConnectorConfig) -> list[tuple[object, Template]]:
    return [(t.usageType, t) for t in config.templates]


def _sent(stored: StoreTemplate) -> Template:
    """A store entry as Logto's connector sends it: no contentType is HTML, an empty replyTo or sendFrom
    is as if absent (connector-smtp's buildMailOptions tests them for truth)."""
    return Template(
        usageType=stored.usageType,
        contentType=stored.contentType or "text/html",
        subject=stored.subject,
        content=stored.content,
        replyTo=stored.replyTo or None,
        sendFrom=stored.sendFrom or None,
    )
