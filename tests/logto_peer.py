"""Logto's own code as a test peer: the pinned npm packages under tests/logto-peer, run by Node.

``guard(config)`` runs the SMTP connector's real zod guard and Logto's real clean-deep step (the one its
connector routes apply before storing a config) on ``config`` and returns::

    {"ok": bool, "issues": [...], "cleaned": <config as stored>, "cleanedOk": bool, "cleanedIssues": [...]}

Each issue is a zod issue: ``path`` (list), ``code``, ``message`` (plus ``expected``/``received``/``keys``
and, for a union, ``unionIssues``: one issue list per branch). ``config`` may be a ``str``: the JSON text
exactly as Logto would receive it (a byte-order mark or ``Infinity`` then gives ``"parseError"``). Numbers
JSON cannot carry come back as ``{"$number": "Infinity"}``.

``mail_options(config, usage_type, payload)`` runs the connector's ``sendMessage`` up to the point where it
hands nodemailer the message (nothing is sent) and returns ``from``, ``replyTo``, ``subject``, ``text`` and
``html`` as Logto built them, or ``{"error": ...}``.

``node(script)`` runs one ES module in the peer and reads what it prints as JSON; ``options_read(*sources)``
names the options the peer's nodemailer reads (``options.NAME``) in those of its source files.

One Node process serves the whole session (thousands of checks take well under a second each hundred).
Without Node or ``npm ci`` in tests/logto-peer the caller is skipped with the reason, unless REQUIRE_NODE is
set (CI sets it), in which case it fails.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

PEER_DIR = Path(__file__).resolve().parent / "logto-peer"
_SETUP = "cd tests/logto-peer && npm ci"


def missing() -> str | None:
    """Why the Logto peer cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not on PATH (CI installs Debian's nodejs and npm)"
    if not (PEER_DIR / "node_modules" / "@logto" / "connector-smtp").is_dir():
        return f"the Logto peer is not installed (run: {_SETUP})"
    return None


def require() -> None:
    """Skip the calling test when the peer cannot run, or fail when REQUIRE_NODE is set."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get("REQUIRE_NODE"):  # set by .ci/run, so a failed install cannot pass as a skip
        pytest.fail(f"REQUIRE_NODE is set but {reason}")
    pytest.skip(f"Logto's own code is needed: {reason}")


def run_script(name: str, payload: Any) -> subprocess.CompletedProcess[str]:
    """Run one of the peer's one-shot scripts with ``payload`` as JSON on its standard input."""
    require()
    return subprocess.run(
        ["node", str(PEER_DIR / name)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=PEER_DIR,
        timeout=60,
        check=False,
    )


def node(script: str) -> Any:
    """Run ``script`` (an ES module) with Node in the peer's folder; what it prints, read as JSON."""
    require()
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=PEER_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


# The nodemailer sources that read the options of the transport Logto makes (the SMTP transport and
# connection, the mailer's dkim and proxy, the pool, the shared URL and option parsing). createTransport
# (lib/nodemailer.js) reads the top level too, before it picks the transport.
NODEMAILER_TRANSPORT_SOURCES = (
    "lib/smtp-transport/index.js",
    "lib/smtp-connection/index.js",
    "lib/mailer/index.js",
    "lib/smtp-pool/index.js",
    "lib/smtp-pool/pool-resource.js",
    "lib/shared/index.js",
)


@functools.cache
def nodemailer_dir() -> Path:
    """The folder of the nodemailer package Logto's SMTP connector loads."""
    found = node(
        "import { createRequire } from 'node:module';"
        "const require = createRequire(import.meta.resolve('@logto/connector-smtp'));"
        "console.log(JSON.stringify(require.resolve('nodemailer/package.json')));"
    )
    return Path(found).parent


def options_read(*sources: str) -> set[str]:
    """The names the peer's nodemailer reads as ``options.NAME`` in ``sources`` (paths in its package)."""
    root = nodemailer_dir()
    names: set[str] = set()
    for source in sources:
        names |= set(re.findall(r"\boptions\.([A-Za-z_]\w*)", (root / source).read_text(encoding="utf-8")))
    return names


class Peer:
    """One long-running Node script under tests/logto-peer speaking JSON Lines."""

    def __init__(self, script: str) -> None:
        self.script = script
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen[str]:
        if self._proc is None or self._proc.poll() is not None:
            require()
            self._proc = subprocess.Popen(
                ["node", self.script],
                cwd=PEER_DIR,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=None,  # Node's own errors go to the test's stderr
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
            atexit.register(self.close)
        return self._proc

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def ask_many(self, lines: Iterable[str]) -> list[dict[str, Any]]:
        """Send lines (each one JSON text, no line break) and return the answers in order.

        The lines are written from a thread so neither side blocks on a full pipe.
        """
        batch = list(lines)
        for line in batch:
            if "\n" in line or "\r" in line:
                raise ValueError("a peer request must be one line")
        with self._lock:
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            stdin = proc.stdin

            def write() -> None:
                for line in batch:
                    stdin.write(line + "\n")
                stdin.flush()

            writer = threading.Thread(target=write, daemon=True)
            writer.start()
            answers = []
            for _ in batch:
                reply = proc.stdout.readline()
                if not reply:
                    writer.join(timeout=1)
                    self._proc = None
                    raise RuntimeError(f"node {self.script} exited ({proc.wait()}); its stderr is above")
                answers.append(json.loads(reply))
            writer.join()
            return answers

    def ask(self, line: str) -> dict[str, Any]:
        return self.ask_many([line])[0]


def to_json_line(value: Any) -> str:
    """``value`` as one line of JSON text; a str is taken as the JSON text itself."""
    if isinstance(value, str):
        return value
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    if limit:
        sys.set_int_max_str_digits(0)  # huge integers are test cases too
    try:
        return json.dumps(value, ensure_ascii=True)
    finally:
        if limit:
            sys.set_int_max_str_digits(limit)


_GUARD = Peer("guard.mjs")


def guard(config: Any) -> dict[str, Any]:
    """Logto's verdict on ``config``: its connector guard, its clean-deep step, and the guard again."""
    return _GUARD.ask(to_json_line(config))


def guard_many(configs: Iterable[Any]) -> list[dict[str, Any]]:
    """``guard`` for many configs in one round trip (the fast path for generated cases)."""
    return _GUARD.ask_many(to_json_line(c) for c in configs)


def accepted(verdict: dict[str, Any]) -> bool:
    """Accepted by Logto: the guard passes on save and on every send (after the clean step)."""
    return bool(verdict["ok"] and verdict["cleanedOk"])


_MAIL_OPTIONS = Peer("mail-options.mjs")


def mail_options(
    config: Any,
    usage_type: str,
    payload: Any,
    to: str = "bob@example.com",
    *,
    store: list[dict[str, Any]] | None = None,
    fallback_language: str = "en",
) -> dict[str, Any]:
    """What Logto's connector hands nodemailer for one message: from, replyTo, subject, text, html.

    ``store``: Logto's email-template store (entries of its API), looked up as core looks it up."""
    request: dict[str, Any] = {"config": config, "to": to, "type": usage_type, "payload": payload}
    if store is not None:
        request |= {"store": store, "fallbackLanguage": fallback_language}
    return _MAIL_OPTIONS.ask(to_json_line(request))


_PEER = Peer("peer.mjs")


def fill(template: str, payload_json: str) -> dict[str, Any]:
    """Logto's placeholder filling (connector-kit) of ``template`` with the payload read by JSON.parse."""
    return _PEER.ask(json.dumps({"op": "fill", "template": template, "payload": payload_json}))


def fill_many(cases: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    return _PEER.ask_many(json.dumps({"op": "fill", "template": t, "payload": p}) for t, p in cases)


def send(config: dict[str, Any], to: str, usage_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Logto's connector sendMessage with ``config`` (its guard, buildMailOptions, nodemailer)."""
    data = {"to": to, "type": usage_type, "payload": payload}
    return _PEER.ask(json.dumps({"op": "send", "config": config, "data": data}))


def email_templates(body: Any) -> dict[str, Any]:
    """The body guard of Logto's ``PUT /api/email-templates`` (@logto/schemas) on ``body``."""
    return _PEER.ask(json.dumps({"op": "emailTemplates", "body": body}))
