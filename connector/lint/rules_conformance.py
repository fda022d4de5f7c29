"""SC311, SC312, SC409, SC410: values Logto's guard accepts but nodemailer or Node handle otherwise at send time.

Each is held to Logto's own code (nodemailer 8, Node's timers) by tests/test_logto_send.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from connector.diagnostics.findings import Finding
from connector.lint.base import ALL_MODES, Context, is_reference, rule
from connector.logto import (
    DOUBLED_HEADERS,
    OWN_HEADERS,
    REPLACED_HEADERS,
    proxy_problem,
)
from connector.logto.timers import timer_findings


@rule("SC311", modes=ALL_MODES)
def timer_overflow(ctx: Context) -> Iterator[Finding]:
    yield from timer_findings(ctx.source)


@rule("SC409", "SC410", modes=ALL_MODES)
def custom_header_names(ctx: Context) -> Iterator[Finding]:
    headers = ctx.data.get("customHeaders")
    if not isinstance(headers, dict):
        return
    for name in headers:
        if not isinstance(name, str):
            continue
        lowered = name.lower()
        if lowered in DOUBLED_HEADERS:
            yield ctx.finding(
                ("customHeaders", name),
                "SC410",
                f"customHeaders: `{name}` is written next to the {name} nodemailer writes itself, so the "
                "message has two and mail clients may show it broken",
                "remove it: the template's contentType sets the body's type",
                key=True,
            )
        elif lowered in OWN_HEADERS:
            yield ctx.finding(
                ("customHeaders", name),
                "SC409",
                f"customHeaders: `{name}` is not sent: nodemailer writes the message's own {name} instead"
                + (" (unless the message has no Reply-To)" if lowered == "reply-to" else ""),
                "set it through fromEmail, replyTo, sendFrom or the template's subject, and remove this one",
                key=True,
            )
        elif lowered in REPLACED_HEADERS:
            same = " (every message then has the same one, and receivers drop repeats)"
            yield ctx.finding(
                ("customHeaders", name),
                "SC409",
                f"customHeaders: `{name}` replaces the {name} nodemailer generates for each message"
                + (same if lowered == "message-id" else ""),
                "remove it and let each message get its own",
                key=True,
            )


@rule("SC312", modes=ALL_MODES)
def proxy_scheme(ctx: Context) -> Iterator[Finding]:
    proxy = ctx.data.get("proxy")
    if isinstance(proxy, str) and proxy and not is_reference(proxy):
        problem = proxy_problem(proxy)
        if problem is not None:
            yield ctx.finding(
                ("proxy",),
                "SC312",
                f"`proxy`: {problem}",
                "use an http:// or https:// proxy, or remove `proxy`",
            )
