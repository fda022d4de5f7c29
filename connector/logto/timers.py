"""Node's timer limit as a check several stages share (SC311): lint, build, ``--set``, render and send.

Node clamps a timer of 2^31 ms or more to 1 ms (TimeoutOverflowWarning): nodemailer's connection,
greeting, socket and DNS timeouts then fire at once and every send fails (tests/test_logto_send.py).
"""

from __future__ import annotations

from connector.diagnostics.findings import Finding, Located
from connector.logto import MAX_TIMER_MS, TIMEOUT_KEYS


def timer_problem(key: str, value: object) -> tuple[str, str] | None:
    """SC311's message and hint for the timeout ``key`` set to ``value``, or None when Node keeps it."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= MAX_TIMER_MS:
        return None
    return (
        f"`{key}` is {MAX_TIMER_MS + 1:,} ms or more: Node clamps such a timer to 1 ms, so the timeout fires "
        "at once and every send fails",
        f"use at most {MAX_TIMER_MS:,} ms (about 24.8 days); the default is nodemailer's",
    )


def timer_findings(source: Located) -> list[Finding]:
    """SC311 for each timeout of ``source`` that Node would clamp to 1 ms."""
    found = []
    for key in TIMEOUT_KEYS:
        problem = timer_problem(key, source.data.get(key))
        if problem is not None:
            found.append(Finding.at(source.locate((key,)), "SC311", *problem, key_path=(key,)))
    return found
