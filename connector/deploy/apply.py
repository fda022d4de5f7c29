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
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.printable import printable
from connector.errors import InputError
from connector.logto import SMTP_CONNECTOR_ID, requests

if TYPE_CHECKING:
    from connector.deploy.client import ManagementClient


class PartialApply(InputError):
    """A write was refused after others were applied (or the read-back differs)."""


def oversized(plan: Plan | None, desired: Desired, where: str) -> list[Finding]:
    """The requests of ``plan`` (None: only the connector config, as the test send carries it) that
    Logto refuses whatever deploy does: a connector config over its JSON body limit, or a template that
    is over it on its own (the others are split into requests that fit). ``where``: Logto's address."""
    found: list[Finding] = []
    if plan is None or plan.create or plan.config:
        size = requests.connector_request_size(desired.config)
        if size > requests.MAX_JSON_BODY:
            found.append(
                Finding.at(
                    Location(f"{where}/api/connectors"),
                    "SC705",
                    f"the connector config is {requests.size_text(size)} as deploy sends it, over Logto's "
                    f"limit of {requests.size_text(requests.MAX_JSON_BODY)} for one JSON body: Logto "
                    "would answer 404 Not Found and store nothing, so nothing was sent",
                    "make the largest templates smaller (move images to a web server and link them)",
                )
            )
    for t in () if plan is None else plan.puts:
        size = requests.put_size([requests.entry_size(t.entry or {})])
        if size > requests.MAX_JSON_BODY:
            found.append(
                Finding.at(
                    Location(f"{where}/api/email-templates"),
                    "SC706",
                    f"email template {t.name} is {requests.size_text(size)} in the request that stores it, "
                    f"over Logto's limit of {requests.size_text(requests.MAX_JSON_BODY)} for one JSON body: "
                    "Logto would answer 404 Not Found and store nothing, so nothing was sent",
                    "make the template smaller (move images to a web server and link them)",
                )
            )
    return found


def send_test(client: ManagementClient, desired: Desired, address: str) -> None:
    """Ask Logto to send a test message with the built config (its console's "Send" button)."""
    found = oversized(None, desired, client.target.base_url)
    if found:
        raise InputError(findings=found)
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
    """Send the plan's writes; the steps done. PartialApply when a write fails after others succeeded.

    The templates go in as many PUTs as it takes to keep each within Logto's JSON body limit; a request
    that cannot fit is refused (InputError with SC705 / SC706) before anything is sent."""
    found = oversized(plan, desired, client.target.base_url)
    if found:
        raise InputError(findings=found)
    # (what it does, with {e} for the past tense; method; path; body)
    todo: list[tuple[str, str, str, object]] = []
    if plan.create:
        body: object = {"connectorId": SMTP_CONNECTOR_ID, "config": desired.config}
        todo.append(("create{e} connector " + SMTP_CONNECTOR_ID, "POST", "/api/connectors", body))
    elif plan.config:
        text = f"update{{e}} connector {SMTP_CONNECTOR_ID} (id {printable(str(plan.connector_id))})"
        todo.append((text, "PATCH", _route("/api/connectors", plan.connector_id), {"config": desired.config}))
    puts = plan.puts
    entries = [dict(t.entry or {}) for t in puts]
    for batch in requests.pack([requests.entry_size(entry) for entry in entries]):
        names = ", ".join(puts[i].name for i in batch)
        text = f"put {len(batch)} email template{'s' * (len(batch) != 1)} ({names})"
        todo.append((text, "PUT", "/api/email-templates", {"templates": [entries[i] for i in batch]}))
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
