"""Apply a plan: the connector first, then the email templates, then read back and confirm.

Each write is sent once. When one is refused, :class:`PartialApply` says exactly which steps Logto took
and which it did not; running the deploy again reads the live state and plans only what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

from connector.deploy.client import LogtoError
from connector.deploy.plan import Desired, Plan, make_plan, read_live
from connector.diagnostics.printable import printable
from connector.errors import InputError
from connector.logto import SMTP_CONNECTOR_ID

if TYPE_CHECKING:
    from connector.deploy.client import ManagementClient


class PartialApply(InputError):
    """A write was refused after others were applied (or the read-back differs)."""


def send_test(client: ManagementClient, desired: Desired, address: str) -> None:
    """Ask Logto to send a test message with the built config (its console's "Send" button)."""
    try:
        client.write(
            "POST",
            f"/api/connectors/{SMTP_CONNECTOR_ID}/test",
            {"email": address, "config": desired.config},
        )
    except LogtoError as e:
        raise LogtoError(
            f"Logto could not send the test message to {address}, so nothing was applied:\n  {e}",
            hint=e.hint,
            status=e.status,
            code=e.code,
        ) from e


def apply_plan(
    client: ManagementClient, plan: Plan, desired: Desired, progress: Callable[[str], None] | None = None
) -> list[str]:
    """Send the plan's writes; the steps done. PartialApply when a write fails after others succeeded."""
    # (what it does, with {e} for the past tense; method; path; body)
    todo: list[tuple[str, str, str, object]] = []
    if plan.create:
        body: object = {"connectorId": SMTP_CONNECTOR_ID, "config": desired.config}
        todo.append(("create{e} connector " + SMTP_CONNECTOR_ID, "POST", "/api/connectors", body))
    elif plan.config:
        text = f"update{{e}} connector {SMTP_CONNECTOR_ID} (id {printable(str(plan.connector_id))})"
        todo.append((text, "PATCH", _route("/api/connectors", plan.connector_id), {"config": desired.config}))
    puts = plan.puts
    if puts:
        names = ", ".join(t.name for t in puts)
        text = f"put {len(puts)} email template{'s' * (len(puts) != 1)} ({names})"
        todo.append((text, "PUT", "/api/email-templates", {"templates": [dict(t.entry or {}) for t in puts]}))
    for t in plan.deletes:
        todo.append(
            (f"delete{{e}} email template {t.name}", "DELETE", _route("/api/email-templates", t.id), None)
        )
    steps: list[str] = []
    for i, (text, method, path, body) in enumerate(todo):
        try:
            client.write(method, path, body)
        except LogtoError as e:
            left = [item[0].replace("{e}", "") for item in todo[i:]]
            raise PartialApply(_partial(steps, left, e)) from e
        steps.append(text.replace("{e}", "d"))
        if progress is not None:
            progress(steps[-1])
    return steps


def _route(collection: str, entry_id: str | None) -> str:
    """``collection/ID`` with the id Logto answered as one path segment. The id is the server's text: a
    `/`, `?`, `#` or a `..` segment in it must not steer a write to another route, so everything but
    letters, digits, `-`, `_` and `~` is percent-encoded (the dot too: HTTP clients resolve a `..`
    segment before sending). Logto's own ids (21 letters and digits) are unchanged; any other names no
    entry, and Logto answers 404."""
    return f"{collection}/{quote(str(entry_id), safe='').replace('.', '%2E')}"


def confirm(client: ManagementClient, desired: Desired, steps: list[str], *, prune: bool) -> None:
    """Read Logto back; PartialApply unless it now holds what was built."""
    left = make_plan(desired, read_live(client), prune=prune)
    if left.changes:
        done = "; ".join(steps) or "nothing"
        detail = "".join(f"\n  {line}" for line in left.lines())
        raise PartialApply(
            f"applied: {done}; but reading back, Logto holds something else than the project built:{detail}"
        )


def _partial(steps: list[str], left: list[str], error: LogtoError) -> str:
    done = "; ".join(steps) if steps else "nothing"
    text = f"applied: {done}\nnot applied: {'; '.join(left)}\n{error.describe()}"
    if steps:
        text += "\nrun the deploy again: it reads what Logto holds now and applies only what is left"
    return text
