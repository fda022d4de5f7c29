"""Run doctor's parts on one config: load it as ``send`` does, then SMTP, DNS and templates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connector.doctor import Check, Options
from connector.doctor.smtp import Credentials
from connector.schema.models import ConnectorConfig, StoreTemplate, Template


def examine(
    target: str, *, env: str | None = None, overrides: Sequence[str] = (), options: Options
) -> list[Check]:
    """Every check of the parts asked for. A config that does not load is an :class:`InputError`, as
    for ``send``; a part that cannot run is a ``skip`` with the reason."""
    # start-up: imported when this runs, so other commands start fast
    from connector.mail.config import load_runtime_config

    # Loaded first without secrets: the DNS and template parts need none, and the SMTP part says which
    # variable is missing instead of stopping at it. With every variable set, loaded again with them.
    config = load_runtime_config(target, env=env, overrides=overrides, secrets=False)
    credentials = credentials_of(config, options.environ)
    checks: list[Check] = []
    if not credentials.missing and credentials.variables:
        config = load_runtime_config(target, env=env, overrides=overrides, secrets=True)
    if "smtp" in options.parts:
        if credentials.missing:
            checks.append(
                Check(
                    "config.secrets",
                    "skip",
                    f"{', '.join(credentials.missing)} not set: the SMTP login is not tried",
                    f"set {credentials.missing[0]} where doctor runs (a CI secret), or run with --only dns,templates",
                    _key_of(credentials, credentials.missing[0]),
                )
            )
        else:
            used = sorted({n for names in credentials.variables.values() for n in names})
            checks.append(
                Check(
                    "config.secrets",
                    "pass",
                    f"set: {', '.join(used)}" if used else "no environment variable needed",
                )
            )
        # start-up: imported when this runs, so other commands start fast
        from connector.doctor.smtp import smtp_checks, with_timeout

        checks += smtp_checks(
            with_timeout(config, options.timeout), credentials, largest_message=largest_message(config)
        )
    if "dns" in options.parts:
        # start-up: imported when this runs, so other commands start fast
        from connector.doctor.domains import dns_checks

        checks += dns_checks(config, options)
    if "templates" in options.parts:
        # start-up: imported when this runs, so other commands start fast
        from connector.doctor.templates import template_checks

        checks += template_checks(config, _variants(target, env, overrides))
    return checks


def credentials_of(config: ConnectorConfig, environ: Mapping[str, str]) -> Credentials:
    """The ``${VAR}`` each credential key reads (in a config loaded without secrets), and which are unset."""
    # start-up: imported when this runs, so other commands start fast
    from connector.diagnostics.paths import dotted
    from connector.logto.credentials import SECRETS
    from connector.source.variables import references

    data = config.to_logto()
    variables: dict[str, tuple[str, ...]] = {}
    missing: list[str] = []
    for path in SECRETS:
        value: Any = data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, str):
            continue
        found = references(value)
        if not found:
            continue
        variables[dotted(path)] = tuple(ref.name for ref in found)
        for ref in found:
            value_set = environ.get(ref.name)
            unset = value_set is None or (value_set == "" and ref.op == ":?")
            if unset and ref.op != ":-" and ref.name not in missing:
                missing.append(ref.name)
    return Credentials(variables, tuple(missing))


def _key_of(credentials: Credentials, name: str) -> str:
    return next((key for key, names in credentials.variables.items() if name in names), "")


def largest_message(config: ConnectorConfig) -> int | None:
    """The size in bytes of the largest message the templates make (each usage type Logto sends, with a
    six-digit code), or None when one cannot be built (send would say why)."""
    # start-up: imported when this runs, so other commands start fast
    from connector.errors import InputError
    from connector.logto import USAGE_TYPES
    from connector.mail.message import draft, fill_message
    from connector.mail.wire import message_bytes

    payload = {"code": "123456", "link": "https://example.com/invitation"}
    largest = 0
    try:
        for usage_type in USAGE_TYPES:
            if config.template_for(usage_type) is None:
                continue
            filled = fill_message(config, usage_type, payload)
            largest = max(largest, len(message_bytes(draft(config, filled, "someone@example.com"))))
    except InputError:
        return None
    return largest


def _variants(
    target: str, env: str | None, overrides: Sequence[str]
) -> Mapping[str, Sequence[Template | StoreTemplate]]:
    """A project's templates in its other languages (a built file's are not read: Logto holds them)."""
    # start-up: imported when this runs, so other commands start fast
    from pathlib import Path

    if not Path(target).is_dir():
        return {}
    # start-up: imported when this runs, so other commands start fast
    from connector.build.outputs import build

    return build(target, env, overrides=overrides, secrets=False).variants
