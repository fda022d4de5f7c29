"""What Logto holds, what the project builds, and the plan that turns one into the other.

The connector config is compared key by key (templates by ``usageType``), the email-template store by
(languageTag, templateType). Secrets (:data:`connector.logto.SECRET_KEYS`) are shown as changed or
unchanged, never as values. Logto's store answers are the facts of packages/core's routes: ``GET
/api/connectors`` lists ``{id, connectorId, type, config, ...}``, ``GET /api/email-templates`` lists
``{id, languageTag, templateType, details}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connector.authoring.locales import email_templates_body
from connector.build.diff import Kind, compare
from connector.build.finalize import config_text
from connector.diagnostics.describe import one_line
from connector.diagnostics.paths import KeyPath, dotted
from connector.diagnostics.printable import printable
from connector.logto import CREDENTIAL_URL_KEYS, SMTP_CONNECTOR_ID, is_secret_path
from connector.logto.addresses import header
from connector.logto.credentials import register_resolved_secrets, url_secrets

if TYPE_CHECKING:
    from connector.build.outputs import Built
    from connector.deploy.client import ManagementClient

_SIGN = {"added": "+", "changed": "~", "removed": "-"}


@dataclass(frozen=True)
class Desired:
    """What the project builds for one environment: the connector config and the other languages."""

    config: dict[str, Any]
    templates: tuple[dict[str, Any], ...]  # {languageTag, templateType, details}
    language: str = "en"  # the connector's own templates' language: the sign-in experience's fallback

    @classmethod
    def from_built(cls, built: Built) -> Desired:
        config = json.loads(config_text(built.config))
        register_resolved_secrets(config)
        entries = email_templates_body(built.variants)["templates"] if built.variants else []
        return cls(config, tuple(entries), built.language)


@dataclass(frozen=True)
class Live:
    """What Logto holds: the SMTP connector (None when there is none), the other email connectors a new
    SMTP connector would replace, and the email-template store."""

    connector: dict[str, Any] | None
    other_email: tuple[str, ...]
    templates: tuple[dict[str, Any], ...]

    @property
    def config(self) -> dict[str, Any] | None:
        if self.connector is None:
            return None
        config = self.connector.get("config")
        return config if isinstance(config, dict) else {}


def read_live(client: ManagementClient) -> Live:
    """Read the connectors and the email-template store (GETs, retried)."""
    # start-up: httpx loads only when Logto is called
    from connector.deploy.client import LogtoError

    connectors = client.get("/api/connectors")
    templates = client.get("/api/email-templates")
    if not isinstance(connectors, list) or not isinstance(templates, list):
        raise LogtoError(
            "Logto answered GET /api/connectors or /api/email-templates with something not a list"
        )
    smtp = [c for c in connectors if isinstance(c, dict) and c.get("connectorId") == SMTP_CONNECTOR_ID]
    others = tuple(
        str(c.get("connectorId"))
        for c in connectors
        if isinstance(c, dict) and c.get("type") == "Email" and c.get("connectorId") != SMTP_CONNECTOR_ID
    )
    live = Live(smtp[0] if smtp else None, others, tuple(t for t in templates if isinstance(t, dict)))
    if live.config is not None:
        register_resolved_secrets(live.config)
    return live


@dataclass(frozen=True)
class ConfigChange:
    """One key of the connector config: added, changed or removed. ``secret`` values are never shown."""

    path: KeyPath  # ("templates", "SignIn", "subject"), spelled by diagnostics.paths.dotted
    kind: Kind
    before: Any = None
    after: Any = None
    secret: bool = False

    def line(self, *, create: bool = False) -> str:
        sign, path = _SIGN[self.kind], printable(dotted(self.path))  # key names may come from Logto
        if self.secret and create:
            return f"{sign} {path}: (secret)"
        if self.secret:
            return f"{sign} {path}: {'changed' if self.kind == 'changed' else self.kind} (secret)"
        if self.kind == "added":
            return f"{sign} {path}: {one_line(self.after)}{_sent(self.path, self.after)}"
        if self.kind == "removed":
            return f"{sign} {path} (was {one_line(self.before)})"
        return (
            f"{sign} {path}: {one_line(self.before)} -> {one_line(self.after)}{_sent(self.path, self.after)}"
        )


def _sent(path: KeyPath, value: Any) -> str:
    """For a sender or reply-to, the mailboxes Logto's nodemailer writes when they differ from the text."""
    if path not in (("fromEmail",), ("replyTo",)) or not isinstance(value, str):
        return ""
    written = header(value)
    return "" if written == value else f" (Logto sends {one_line(written) if written else 'no address'})"


@dataclass(frozen=True)
class TemplateChange:
    """One entry of the email-template store, by language tag and template type."""

    language: str
    type: str
    kind: Kind
    fields: tuple[str, ...] = ()  # the details that change
    id: str | None = None  # the live entry's id
    entry: Mapping[str, Any] | None = None  # what to PUT

    @property
    def name(self) -> str:
        """``fr SignIn``, printable: Logto's store may hold any text in either."""
        return printable(f"{self.language} {self.type}")


@dataclass(frozen=True)
class Plan:
    """The changes that make Logto hold what the project builds."""

    create: bool
    connector_id: str | None
    config: tuple[ConfigChange, ...]
    secrets_unchanged: tuple[KeyPath, ...]
    templates: tuple[TemplateChange, ...]  # added or changed: to PUT; removed: to DELETE (pruning only)
    kept: tuple[TemplateChange, ...]  # live only, left alone without --prune-templates
    replaces: tuple[str, ...] = ()  # other email connectors Logto removes when the SMTP one is created
    shadows: tuple[str, ...] = ()  # per kept template: which of the project's templates Logto sends it for

    @property
    def puts(self) -> tuple[TemplateChange, ...]:
        return tuple(t for t in self.templates if t.kind != "removed")

    @property
    def deletes(self) -> tuple[TemplateChange, ...]:
        return tuple(t for t in self.templates if t.kind == "removed")

    @property
    def changes(self) -> bool:
        return self.create or bool(self.config) or bool(self.templates)

    def lines(self) -> list[str]:
        """The plan as people read it (no secret value in it)."""
        out: list[str] = []
        if not self.changes:
            out.append("no changes: Logto holds what the project builds")
            out += [f"  note: {_kept(t, why)}" for t, why in zip(self.kept, self.shadows, strict=False)]
            return out
        if self.create:
            out.append(f"connector {SMTP_CONNECTOR_ID}: create")
            for other in self.replaces:
                out.append(f"  (Logto keeps one email connector: creating it removes `{printable(other)}`)")
        elif self.config:
            out.append(f"connector {SMTP_CONNECTOR_ID} (id {printable(str(self.connector_id))}): update")
        else:
            out.append(f"connector {SMTP_CONNECTOR_ID} (id {printable(str(self.connector_id))}): no changes")
        out += [f"  {change.line(create=self.create)}" for change in self.config]
        if self.config and not self.create:
            out += [f"  = {printable(dotted(path))}: unchanged (secret)" for path in self.secrets_unchanged]
        if self.templates or self.kept:
            out.append("email templates:")
            for t in self.templates:
                what = f" ({printable(', '.join(t.fields))})" if t.fields else ""
                out.append(f"  {_SIGN[t.kind]} {t.name}{what}")
            out += [f"  note: {_kept(t, why)}" for t, why in zip(self.kept, self.shadows, strict=False)]
        return out

    def summary(self) -> str:
        parts = []
        if self.create:
            parts.append("create the connector")
        elif self.config:
            parts.append(f"update {len(self.config)} connector key{'s' * (len(self.config) != 1)}")
        if self.puts:
            parts.append(f"put {len(self.puts)} email template{'s' * (len(self.puts) != 1)}")
        if self.deletes:
            parts.append(f"delete {len(self.deletes)} email template{'s' * (len(self.deletes) != 1)}")
        return ", ".join(parts) or "no changes"


def make_plan(desired: Desired, live: Live, *, prune: bool = False) -> Plan:
    """Compare; ``prune`` deletes live templates the project does not have (else they are kept)."""
    live_config = live.config
    # A create lists every key it sets, as an update does (a reviewer sees what will be stored).
    changes, unchanged = diff_config({} if live_config is None else live_config, desired.config)
    templates, kept = _diff_templates(desired.templates, live.templates, prune)
    return Plan(
        create=live.connector is None,
        connector_id=None if live.connector is None else str(live.connector.get("id")),
        config=tuple(changes),
        secrets_unchanged=tuple(unchanged),
        templates=tuple(templates),
        kept=tuple(kept),
        replaces=live.other_email if live.connector is None else (),
        shadows=tuple(_shadowed(t, desired, live.templates) for t in kept),
    )


def _shadowed(kept: TemplateChange, desired: Desired, store: Sequence[Mapping[str, Any]]) -> str:
    """Which of the project's templates Logto sends the kept store template ``kept`` in place of ('' for
    none). Logto takes a store template for (type, the user's language), then (type, the fallback
    language), then (Generic, the fallback language), and the connector config's only after those
    (packages/core/src/libraries/connector.ts, getI18nEmailTemplate); the fallback language is taken to
    be the project's ``language``, as `pull --language` and lint SC612 do."""
    items = desired.config.get("templates")
    own = [str(t.get("usageType")) for t in items if isinstance(t, dict)] if isinstance(items, list) else []
    stored = {(str(t.get("languageTag")), str(t.get("templateType"))) for t in store}
    stored |= {(str(t.get("languageTag")), str(t.get("templateType"))) for t in desired.templates}
    fallback = desired.language
    if kept.language != fallback:
        if kept.type not in own:
            return ""
        return (
            f"Logto sends it instead of the project's {printable(kept.type)} template to users whose "
            f"language is {printable(kept.language)}"
        )
    if kept.type == "Generic":
        hidden = [kind for kind in own if (fallback, kind) not in stored or kind == "Generic"]
    else:
        hidden = [kind for kind in own if kind == kept.type]
    if not hidden:
        return ""
    test = ", and in deploy --test-to's test send" if "Generic" in hidden else ""
    return (
        f"in the fallback language `{printable(fallback)}`, Logto sends it instead of the project's "
        f"{printable(', '.join(hidden))} template{'s' * (len(hidden) != 1)} (the connector config's) in "
        f"every language without a store template of its own{test}"
    )


def diff_config(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[list[ConfigChange], list[KeyPath]]:
    """The changed keys (:func:`connector.build.diff.compare`), and the secret keys left as they are."""
    changes: list[ConfigChange] = []
    unchanged: list[KeyPath] = []
    for d in compare(before, after):
        secret = _is_secret(d.path, d.before, d.after)
        if d.kind != "unchanged":
            changes.append(ConfigChange(d.path, d.kind, d.before, d.after, secret))
        elif secret:
            unchanged.append(d.path)
    return changes, unchanged


def _is_secret(path: KeyPath, *values: Any) -> bool:
    # A template's name is its usage type, not a key: a template named `pass` is not a credential.
    if is_secret_path(path[2:] if path[:1] == ("templates",) else path):
        return True
    # A proxy or connection URL may carry a password (user:pass@host), a `url` TLS credentials in its query.
    return (
        len(path) == 1
        and path[0] in CREDENTIAL_URL_KEYS
        and any(isinstance(v, str) and ("@" in v or url_secrets(path[0], v)) for v in values)
    )


def _diff_templates(
    desired: Sequence[Mapping[str, Any]], live: Sequence[Mapping[str, Any]], prune: bool
) -> tuple[list[TemplateChange], list[TemplateChange]]:
    by_key = {(str(t.get("languageTag")), str(t.get("templateType"))): t for t in live}
    changes: list[TemplateChange] = []
    wanted = set()
    for entry in desired:
        key = (entry["languageTag"], entry["templateType"])
        wanted.add(key)
        current = by_key.get(key)
        if current is None:
            changes.append(TemplateChange(*key, "added", entry=entry))
            continue
        details = current.get("details")
        old = details if isinstance(details, dict) else {}
        new = entry["details"]
        fields = tuple(f for f in dict.fromkeys([*new, *old]) if old.get(f) != new.get(f))
        if fields:
            changes.append(TemplateChange(*key, "changed", fields, _id(current), entry))
    kept: list[TemplateChange] = []
    for key, current in by_key.items():
        if key in wanted:
            continue
        change = TemplateChange(*key, "removed", id=_id(current))
        (changes if prune else kept).append(change)
    return changes, kept


def _id(entry: Mapping[str, Any]) -> str | None:
    value = entry.get("id")
    return value if isinstance(value, str) else None


def _kept(t: TemplateChange, shadows: str = "") -> str:
    text = f"{t.name} is in Logto but not in the project (kept; --prune-templates deletes it)"
    return f"{text}; {shadows}" if shadows else text
