"""A Logto Management API on 127.0.0.1 for the deploy tests, behaving as Logto's routes do.

Facts from logto-io/logto packages/core (routes/connector/index.ts, config-testing.ts,
routes/email-template/index.ts, middleware/koa-auth, errors/RequestError, koa-connector-error-handler) and
the English phrases of packages/phrases:

- ``POST /oidc/token``: client credentials (HTTP Basic or form fields), ``resource`` must be the Management
  API indicator; OAuth errors ``{error, error_description}`` (401 invalid_client, 400 invalid_target).
- ``/api/*`` needs ``Authorization: Bearer``; errors are ``{code, message, data?, details?}``.
- Connector configs are checked with the SMTP connector's real guard and clean step (tests/logto_peer.py:
  Logto's own zod and clean-deep) and stored as cleaned (nulls, empty strings, {} and [] removed).
  PATCH replaces the whole config; POST of an email connector replaces the other email connectors.
- Email templates: PUT upserts by (languageTag, templateType) and keeps empty strings; null is 400
  ``guard.invalid_input``; DELETE by id.
- ``POST /api/connectors/{factoryId}/test`` sends a Generic message with code 000000 through Logto's SMTP
  connector code (the store's templates first), 204 when sent, 400 ``connector.general`` when not.
- A JSON body over 1,048,576 bytes (koa-body's ``jsonLimit`` default, ``1mb``, which ``koaGuard`` uses) is
  refused by raw-body with an HTTP error that Logto's error handler passes over, so Koa answers its default
  ``404 Not Found``, plain text (middleware/koa-error-handler.ts; measured on Logto 1.42). The bearer check
  runs first.
- The email-template store keeps what the route's guard takes: empty strings (``replyTo: ""``) and a
  template without ``contentType`` (connector-kit's ``emailTemplateDetailsGuard``); no clean step.
- The bearer check (middleware/koa-auth) answers 401 ``auth.unauthorized`` with jose's error in ``data``:
  ``{code: "ERR_JWT_EXPIRED", claim: "exp", ...}`` for an expired token (``expire_tokens()``),
  ``ERR_JWS_INVALID`` for a token that is not a JWT at all.
- The token endpoint (oidc-provider) answers an unknown client id with 400 ``invalid_client`` ("client is
  invalid", InvalidClient) and a wrong secret with 401 ``invalid_client`` ("client authentication failed",
  InvalidClientAuth).

``server.fault(method, path, status=503)`` makes the next matching request fail (or, with ``delay=``, holds
its answer until the client hangs up, at most that long);
``server.requests`` logs every request (method, path) for "no write was sent" assertions.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import select
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from connector.logto import USAGE_TYPES
from tests import logto_peer

SMTP_ID = "simple-mail-transfer-protocol"
SELF_HOSTED = "https://default.logto.app/api"
# The email-template types Logto's route accepts: the usage types, held to Logto's code in test_logto_facts.
TEMPLATE_TYPES = USAGE_TYPES
# Logto's email regex (core-kit), close enough for the test send's body guard.
_EMAIL = re.compile(r"^\S+@\S+\.\S+$")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
JSON_LIMIT = 1 << 20  # koa-body's jsonLimit, "1mb" as the `bytes` package reads it


class Text(str):
    """An answer body sent as text/plain, as Koa sends its own default answers."""


def _peer(payload: dict[str, Any]) -> dict[str, Any]:
    proc = logto_peer.run_script("deploy-send.mjs", payload)
    if proc.returncode != 0:
        raise RuntimeError(f"deploy-send.mjs failed: {proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@dataclass
class Fault:
    method: str
    path: str
    status: int | None = None
    body: Any = None
    delay: float = 0.0
    times: int = 1


@dataclass
class FakeLogto:
    """Logto's Management API state and behaviour; start with :func:`logto_server`."""

    app_id: str = "m2m-deployer"
    app_secret: str = field(default_factory=lambda: "sk-" + secrets.token_hex(12))
    resource: str = SELF_HOSTED
    fallback_language: str = "en"
    connectors: list[dict[str, Any]] = field(default_factory=list)
    templates: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    sent_tests: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)  # token -> when it expires (time.monotonic)
    token_lifetime: int = 3600
    faults: list[Fault] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    # Set-up helpers for tests.

    def fault(self, method: str, path: str, **kwargs: Any) -> None:
        self.faults.append(Fault(method, path, **kwargs))

    def expire_tokens(self) -> None:
        """Every token issued so far is now past its ``exp`` (as a long deploy's would be)."""
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = 0.0

    def add_connector(self, connector_id: str, config: dict[str, Any], *, kind: str = "Email") -> str:
        entry_id = secrets.token_hex(6)
        self.connectors.append({"id": entry_id, "connectorId": connector_id, "type": kind, "config": config})
        return entry_id

    def add_template(self, tag: str, kind: str, details: dict[str, Any]) -> str:
        entry_id = secrets.token_hex(6)
        self.templates.append(
            {
                "id": entry_id,
                "tenantId": "default",
                "languageTag": tag,
                "templateType": kind,
                "details": details,
                "createdAt": int(time.time() * 1000),
            }
        )
        return entry_id

    @property
    def smtp_config(self) -> dict[str, Any] | None:
        for c in self.connectors:
            if c["connectorId"] == SMTP_ID:
                config: dict[str, Any] = c["config"]
                return config
        return None

    @property
    def writes(self) -> list[tuple[str, str]]:
        """Requests that change state (the token request changes nothing)."""
        return [(m, p) for m, p in self.requests if m in WRITES and p != "/oidc/token"]

    def template_map(self) -> dict[tuple[str, str], dict[str, Any]]:
        return {(t["languageTag"], t["templateType"]): t["details"] for t in self.templates}

    # Request handling: (status, body or None).

    def handle(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, Any, float]:
        with self.lock:
            self.requests.append((method, path))
            self.bodies.append(raw)
            for fault in self.faults:
                if fault.method == method and path.startswith(fault.path) and fault.times > 0:
                    fault.times -= 1
                    if fault.status is not None:
                        return fault.status, fault.body, fault.delay
                    delay = fault.delay
                    break
            else:
                delay = 0.0
        status, body = self._route(method, path, headers, raw)
        return status, body, delay

    def _route(self, method: str, path: str, headers: Any, raw: bytes) -> tuple[int, Any]:
        if path == "/oidc/token" and method == "POST":
            return self._token(headers, raw)
        if not path.startswith("/api/"):
            return 404, None
        refused = self._bearer(headers)
        if refused is not None:
            return refused
        if len(raw) > JSON_LIMIT:
            return 404, Text("Not Found")
        segments = [unquote(s) for s in path[len("/api/") :].split("/")]
        try:
            body = json.loads(raw) if raw else None
        except ValueError as e:
            return 400, {
                "code": "guard.invalid_input",
                "message": "The request body is invalid.",
                "details": str(e),
            }
        with self.lock:
            return self._api(method, segments, body)

    def _token(self, headers: Any, raw: bytes) -> tuple[int, Any]:
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        if form.get("grant_type") != "client_credentials":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "unsupported grant_type requested",
            }
        if client_id != self.app_id:
            return 400, {"error": "invalid_client", "error_description": "client is invalid"}
        if client_secret != self.app_secret:
            return 401, {"error": "invalid_client", "error_description": "client authentication failed"}
        if form.get("resource") != self.resource:
            return 400, {
                "error": "invalid_target",
                "error_description": "resource indicator is missing, or unknown",
            }
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_lifetime
        scope = form.get("scope", "")
        return 200, {
            "access_token": token,
            "expires_in": self.token_lifetime,
            "token_type": "Bearer",
            "scope": scope,
        }

    def _bearer(self, headers: Any) -> tuple[int, Any] | None:
        auth = headers.get("Authorization")
        if not auth:
            return 401, {
                "code": "auth.authorization_header_missing",
                "message": "Authorization header is missing.",
            }
        if not auth.startswith("Bearer "):
            return 401, {
                "code": "auth.authorization_token_type_not_supported",
                "message": "Authorization type is not supported.",
            }
        with self.lock:
            expires = self.tokens.get(auth[7:])
        if expires is None or expires <= time.monotonic():
            # jose's error, as JSON.stringify writes it (its own enumerable fields: code, name, and for a
            # claim check the claim and reason).
            jose = (
                {"code": "ERR_JWS_INVALID", "name": "JWSInvalid"}
                if expires is None
                else {
                    "code": "ERR_JWT_EXPIRED",
                    "name": "JWTExpired",
                    "claim": "exp",
                    "reason": "check_failed",
                }
            )
            return 401, {
                "code": "auth.unauthorized",
                "message": "Unauthorized. Please check credentials and its scope.",
                "data": jose,
            }
        return None

    def _api(self, method: str, seg: list[str], body: Any) -> tuple[int, Any]:
        if seg == ["connectors"] and method == "GET":
            return 200, [self._transpile(c) for c in self.connectors]
        if seg == ["connectors"] and method == "POST":
            return self._create(body)
        if len(seg) == 2 and seg[0] == "connectors" and method == "PATCH":
            return self._patch(seg[1], body)
        if len(seg) == 3 and seg[0] == "connectors" and seg[2] == "test" and method == "POST":
            return self._test(seg[1], body)
        if seg == ["email-templates"] and method == "GET":
            return 200, [dict(t) for t in self.templates]
        if seg == ["email-templates"] and method == "PUT":
            return self._put_templates(body)
        if len(seg) == 2 and seg[0] == "email-templates" and method == "DELETE":
            kept = [t for t in self.templates if t["id"] != seg[1]]
            if len(kept) == len(self.templates):
                return 404, _not_exists("email template", seg[1])
            self.templates = kept
            return 204, None
        return 404, None

    def _transpile(self, c: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": c["id"],
            "connectorId": c["connectorId"],
            "type": c["type"],
            "config": c["config"],
            "metadata": {"id": c["connectorId"], "target": "", "platform": None},
            "syncProfile": False,
            "enableTokenStorage": False,
        }

    def _checked(self, config: Any) -> tuple[int, Any] | dict[str, Any]:
        if not isinstance(config, dict):
            return _invalid_body("config", "object", config)
        result = logto_peer.guard(config)
        if not result["ok"]:
            return 400, _invalid_config(result["issues"])
        cleaned: dict[str, Any] = result["cleaned"]
        return cleaned

    def _create(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("connectorId"), str):
            return _invalid_body("connectorId", "string", None)
        if body["connectorId"] != SMTP_ID:
            return 422, {
                "code": "connector.not_found_with_connector_id",
                "message": "Can not find connector with given standard connector id.",
            }
        checked = self._checked(body.get("config"))
        if isinstance(checked, tuple):
            return checked
        # One email connector at a time: inserting one replaces the others of that type.
        self.connectors = [c for c in self.connectors if c["type"] != "Email"]
        entry = {"id": secrets.token_hex(6), "connectorId": SMTP_ID, "type": "Email", "config": checked}
        self.connectors.append(entry)
        return 200, self._transpile(entry)

    def _patch(self, entry_id: str, body: Any) -> tuple[int, Any]:
        entry = next((c for c in self.connectors if c["id"] == entry_id), None)
        if entry is None:
            return 404, _not_exists("connector", entry_id)
        if not isinstance(body, dict):
            return _invalid_body("", "object", body)
        if "config" in body:
            checked = self._checked(body["config"])
            if isinstance(checked, tuple):
                return checked
            entry["config"] = checked  # jsonbMode: replace
        return 200, self._transpile(entry)

    def _put_templates(self, body: Any) -> tuple[int, Any]:
        items = body.get("templates") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            return _invalid_body("templates", "array", items)
        for i, item in enumerate(items):
            problem = _template_problem(item)
            if problem:
                return 400, {
                    "code": "guard.invalid_input",
                    "message": "The request body is invalid.",
                    "details": f'Error in key path "templates.{i}.{problem[0]}": ({problem[1]}) {problem[2]}',
                }
        for item in items:
            existing = next(
                (
                    t
                    for t in self.templates
                    if (t["languageTag"], t["templateType"]) == (item["languageTag"], item["templateType"])
                ),
                None,
            )
            if existing is not None:
                existing["details"] = item["details"]
            else:
                self.add_template(item["languageTag"], item["templateType"], item["details"])
        keys = {(i["languageTag"], i["templateType"]) for i in items}
        return 200, [dict(t) for t in self.templates if (t["languageTag"], t["templateType"]) in keys]

    def _test(self, factory_id: str, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("config"), dict):
            return _invalid_body("config", "object", None)
        email = body.get("email")
        if email is not None and (not isinstance(email, str) or not _EMAIL.match(email)):
            return 400, {"code": "guard.invalid_input", "message": "The request body is invalid."}
        if email is None:
            return 400, {"code": "guard.invalid_input", "message": "The request input is invalid."}
        if factory_id != SMTP_ID:
            return 400, {
                "code": "connector.not_found",
                "message": "Cannot find any available connector for type: Email.",
            }
        result = _peer(
            {
                "config": body["config"],
                "to": email,
                "templates": self.templates,
                "fallbackLanguage": self.fallback_language,
            }
        )
        self.sent_tests.append({"to": email, "ok": result["ok"]})
        if result["ok"]:
            return 204, None
        code, data = result["code"], result.get("data")
        if code == "invalid_config":
            return 400, _invalid_config(data.get("issues", []) if isinstance(data, dict) else [])
        description = data.get("errorDescription") if isinstance(data, dict) else None
        # koa-connector-error-handler: JSON.stringify(data), compact, non-ASCII as is.
        message = (
            description
            if isinstance(description, str)
            else json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        )
        return 400, {
            "code": f"connector.{code}",
            "message": f"Error occurred in connector: {message}",
            "data": data,
        }


def _not_exists(name: str, entry_id: str) -> dict[str, Any]:
    return {
        "code": "entity.not_exists_with_id",
        "message": f"The {name} with ID `{entry_id}` does not exist.",
    }


def _invalid_body(path: str, expected: str, value: Any) -> tuple[int, Any]:
    received = "null" if value is None else type(value).__name__
    return 400, {
        "code": "guard.invalid_input",
        "message": "The request body is invalid.",
        "details": f'Error in key path "{path}": (invalid_type) Expected {expected} but received {received}.',
    }


def _invalid_config(issues: list[Any]) -> dict[str, Any]:
    details = "\n".join(
        f'Error in key path "{".".join(str(p) for p in i.get("path", []))}": ({i.get("code")}) {i.get("message")}'
        for i in issues
    )
    return {
        "code": "connector.invalid_config",
        "message": "The connector's config is invalid.",
        "data": {"issues": issues, "name": "ZodError"},
        "details": details,
    }


def _template_problem(item: Any) -> tuple[str, str, str] | None:
    if not isinstance(item, dict):
        return "", "invalid_type", "Expected object"
    tag = item.get("languageTag")
    if not isinstance(tag, str):
        return "languageTag", "invalid_type", f"Expected string, received {_kind(tag)}"
    if not 1 <= len(tag) <= 16:
        return "languageTag", "too_big", "String must contain at most 16 character(s)"
    if item.get("templateType") not in TEMPLATE_TYPES:
        return "templateType", "invalid_enum_value", "Invalid enum value"
    details = item.get("details")
    if not isinstance(details, dict):
        return "details", "invalid_type", f"Expected object, received {_kind(details)}"
    for key in ("subject", "content"):
        if not isinstance(details.get(key), str):
            return f"details.{key}", "invalid_type", f"Expected string, received {_kind(details.get(key))}"
    for key in ("replyTo", "sendFrom"):
        if key in details and not isinstance(details[key], str):
            return f"details.{key}", "invalid_type", f"Expected string, received {_kind(details[key])}"
    if "contentType" in details and details["contentType"] not in ("text/html", "text/plain"):
        return "details.contentType", "invalid_enum_value", "Invalid enum value"
    return None


def _kind(value: Any) -> str:
    return "null" if value is None else "undefined" if value is ... else type(value).__name__


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path
        status, body, delay = self.server.logto.handle(self.command, path, self.headers, raw)
        if delay:
            # Held until the client gives up and hangs up (a timeout test), at most ``delay`` seconds: the
            # event, not a sleep that a client starved on a loaded machine could outlast.
            select.select([self.connection], [], [], delay)
        text = isinstance(body, Text)
        data = b"" if body is None else body.encode() if text else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "text/plain; charset=utf-8" if text else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    logto: FakeLogto

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a timeout test) closes its end before a delayed answer is written.
        pass


def start(logto: FakeLogto, *, context: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> _Server:
    """Serve ``logto`` on a loopback port; the test is skipped (or fails under REQUIRE_NODE) without the peer."""
    # The stand-in checks configs with Logto's own code: ask here, in the test's thread, because a skip raised
    # in the server's thread would reach the client as a 500 and fail the test with a puzzling message.
    logto_peer.require()
    server = _Server((host, 0), _Handler)
    server.logto = logto
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https" if context is not None else "http"
    logto.url = f"{scheme}://{'localhost' if context else host}:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def logto() -> Iterator[FakeLogto]:
    """A running fake Logto on http://127.0.0.1:PORT."""
    fake = FakeLogto()
    server = start(fake)
    yield fake
    server.shutdown()
    server.server_close()
