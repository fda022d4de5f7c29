"""A small client of Logto's Management API on httpx: the client-credentials token, then JSON calls.

Reads (and the token request, which changes nothing) are retried on timeouts, dropped connections, 429
and 5xx; writes are sent once, because a write that timed out may have been applied: the caller reads
the live state again instead. TLS is verified (``ca_file`` or ``SSL_CERT_FILE`` for a private CA), the
proxy is the one :func:`connector.deploy.target.proxy_for` chose (never for loopback), and no secret
reaches a message.

Every answer is bounded (docs/deploy.md): at most :data:`MAX_ANSWER` bytes once decoded, counted as they
arrive, and each attempt has one deadline for everything (connect, send, every read), so a server that
trickles a byte a second or never ends its answer is stopped. Text from the server is shown only through
:func:`connector.diagnostics.printable.printable`.

Logto's facts (packages/core in logto-io/logto): ``POST /oidc/token`` takes ``grant_type``, ``resource``
and ``scope`` form fields and the client id and secret (here as HTTP Basic); API errors are JSON
``{code, message, data?, details?}``; the token endpoint's are OAuth's ``{error, error_description}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import ssl
import time
import zlib
from array import array
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import httpx

from connector import __version__
from connector.deploy.target import CA_ENV_DIR, CA_FILE_VAR, Target
from connector.diagnostics.paths import dotted
from connector.diagnostics.printable import printable
from connector.diagnostics.redact import redact, register_basic_auth, register_secret
from connector.errors import InputError
from connector.logto import requests
from connector.source.document import MAX_DEPTH
from connector.source.loader import NotARegularFile, read_capped

MIB = 1024 * 1024
# One answer, decoded. Logto's largest is the email-template store (a template file is capped at 1 MiB,
# a store holds a few languages of ~10 KB templates); at 4 MiB the worst JSON shape ({} repeated) still
# parses within about 100 MB.
MAX_ANSWER = 4 * MIB
# A CA bundle: certifi's and the systems' (every public root) are about 230 KB.
MAX_CA_FILE = 4 * MIB
# The encodings asked for and decoded (zlib's, a step at a time within the cap); anything else (brotli,
# zstd, stacked encodings) is refused before a byte of the body is read.
ACCEPTED_ENCODINGS = ("gzip", "deflate")
_GZIP_OR_ZLIB = 32 + zlib.MAX_WBITS  # either header, as HTTP's gzip and deflate send
# Logto's default access-token lifetime; a longer expires_in is not trusted further.
_MAX_LIFETIME = 3600.0
# RFC 6750's b64token: the only characters an Authorization: Bearer header can carry.
_BEARER = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]*?-----END CERTIFICATE-----")
# A JSON string (for stripping strings before the brackets are counted): linear, no nested repetition.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_SIGNS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
# Objects and arrays in one answer: Logto's template store has two per template, a connector a few dozen.
MAX_CONTAINERS = 100_000
_SHOWN = 500  # characters of one piece of the server's text in a message
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Logto answers these with a JSON error body whose `code` says what it refused.
_MAX_ISSUES = 10


class LogtoError(InputError):
    """Logto refused a request, or could not be reached. ``code`` and ``status`` are Logto's."""

    def __init__(
        self, message: str, *, hint: str = "", status: int | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Request:
    """One request as sent: what a log or a test looks at (never a body: it may hold secrets)."""

    method: str
    path: str


@dataclass(frozen=True)
class Answer:
    """One answer, read whole within the caps."""

    status: int
    reason: str
    content_type: str
    body: bytes


class _Refused(Exception):
    """An answer this client stops reading (too large, an encoding it does not decode): not retried."""

    def __init__(self, error: LogtoError) -> None:
        super().__init__(str(error))
        self.error = error


class ManagementClient:
    """Calls to one Logto tenant's Management API as one M2M app.

    httpx's timeouts are per read; the deadline of a whole attempt is ``asyncio.wait_for``'s, so the client
    runs on an event loop of its own (callers stay synchronous).
    """

    def __init__(
        self,
        target: Target,
        *,
        timeout: float = 30.0,
        attempts: int = 3,
        backoff: float = 0.5,
        max_answer: int = MAX_ANSWER,
    ) -> None:
        self.target = target
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
        self.max_answer = max_answer
        self.sent: list[Request] = []
        self._token: str | None = None
        self._token_expires = 0.0
        verify = _verify(target)
        self._http = httpx.AsyncClient(
            base_url=target.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            verify=verify,
            headers={
                "User-Agent": f"smtp-connector/{__version__}",
                "Accept": "application/json",
                "Accept-Encoding": ", ".join(ACCEPTED_ENCODINGS),
            },
            follow_redirects=False,
            # The proxy and the CA bundle are chosen by deploy.target from the environment (loopback never
            # through a proxy); httpx must not read them again behind its back, nor add .netrc credentials.
            trust_env=False,
            proxy=None if target.proxy is None else target.proxy.value,
        )
        self._loop = asyncio.new_event_loop()

    def __enter__(self) -> ManagementClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._loop.run_until_complete(self._http.aclose())
            # An answer refused at its cap leaves httpx's readers to the garbage collector, which hands
            # them to this loop to close: run that before closing the loop (asyncio.run does the same), or
            # asyncio reports "Task was destroyed but it is pending!" on stderr after the error.
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        finally:
            self._loop.close()

    # The API.

    def get(self, path: str) -> Any:
        """GET a JSON document, retried on timeouts, dropped connections, 429 and 5xx."""
        return self._call("GET", path, retry=True)

    def write(self, method: str, path: str, body: Any = None) -> Any:
        """POST, PUT, PATCH or DELETE, sent once; the decoded JSON answer (None for 204)."""
        return self._call(method, path, body=body, retry=False)

    # Internals.

    def _call(self, method: str, path: str, *, body: Any = None, retry: bool) -> Any:
        content = None if body is None else requests.encode(body)
        for renewal in (False, True):
            headers = {"Authorization": f"Bearer {self._access_token()}"}
            if content is not None:
                headers["Content-Type"] = "application/json"
            answer = self._send(method, path, retry=retry, headers=headers, content=content)
            if answer.status == 401 and not renewal and _token_expired(answer):
                # Logto's bearer check runs before the route does anything, so even a write refused this
                # way was not applied: renew the token once and send the request again.
                self._token = None
                continue
            break
        if answer.status >= 400:
            raise _api_error(method, path, answer, sent=None if content is None else len(content))
        if answer.status == 204 or not answer.body:
            return None
        return _json(method, path, answer)

    def _access_token(self) -> str:
        if self._token is not None and time.monotonic() < self._token_expires:
            return self._token
        form = {"grant_type": "client_credentials", "resource": self.target.resource.value, "scope": "all"}
        register_basic_auth(self.target.app_id.value, self.target.app_secret.value)  # a server may echo it
        answer = self._send(
            "POST",
            "/oidc/token",
            retry=True,  # asking for a token changes nothing in Logto
            data=form,
            auth=(self.target.app_id.value, self.target.app_secret.value),
        )
        if answer.status >= 400:
            raise self._token_error(answer)
        reply = _json("POST", "/oidc/token", answer)
        token = reply.get("access_token") if isinstance(reply, dict) else None
        if not isinstance(token, str) or not _BEARER.fullmatch(token):
            # Never shown: it may be a real token with a stray character.
            raise LogtoError(
                f"Logto's token endpoint at {self.target.base_url} answered without a usable access_token "
                "(a bearer token is ASCII letters, digits and -._~+/ only)"
            )
        register_secret(token)
        expires = reply.get("expires_in")
        lifetime = 60.0
        if isinstance(expires, (int, float)) and not isinstance(expires, bool) and expires > 0:
            lifetime = float(min(expires, _MAX_LIFETIME))  # min first: a 400-digit int is no float
        self._token = token
        # Renew a little early: a token that expires in flight is refused.
        self._token_expires = time.monotonic() + max(lifetime - 30.0, lifetime / 2)
        return token

    def _send(self, method: str, path: str, *, retry: bool, **kwargs: Any) -> Answer:
        attempts = self.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            self.sent.append(Request(method, path))
            try:
                answer = self._loop.run_until_complete(
                    asyncio.wait_for(self._exchange(method, path, **kwargs), self.timeout)
                )
            except _Refused as e:
                raise e.error from None
            except (TimeoutError, asyncio.TimeoutError, httpx.TimeoutException) as e:
                if attempt < attempts:
                    self._pause(attempt)
                    continue
                raise self._timeout(method, path, retry) from e
            except httpx.TransportError as e:
                untrusted = _tls_problem(e)
                if untrusted is not None:
                    raise LogtoError(untrusted) from e
                if attempt < attempts:
                    self._pause(attempt)
                    continue
                raise LogtoError(
                    f"cannot reach Logto at {self.target.base_url} ({_reason(e)})"
                    + ("" if retry else f": {method} {path} may or may not have been applied")
                ) from e
            if retry and answer.status in RETRY_STATUSES and attempt < attempts:
                self._pause(attempt)
                continue
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    async def _exchange(self, method: str, path: str, **kwargs: Any) -> Answer:
        """One attempt, from connecting to the answer's last byte (the caller bounds it in time)."""
        async with self._http.stream(method, path, **kwargs) as response:
            encoding = response.headers.get("content-encoding", "").strip().lower()
            if encoding not in ("", "identity", *ACCEPTED_ENCODINGS):
                raise _Refused(
                    LogtoError(
                        f"Logto answered {method} {path} with Content-Encoding `{_said(encoding)}`, which "
                        f"this client does not decode (it asks for {' or '.join(ACCEPTED_ENCODINGS)}); "
                        f"check that {self.target.base_url} is Logto",
                        status=response.status_code,
                    )
                )
            # Decoded here, not by httpx, so that no step inflates more than the room left under the cap.
            inflate = None if encoding in ("", "identity") else zlib.decompressobj(_GZIP_OR_ZLIB)
            body = bytearray()
            try:
                async for raw in response.aiter_raw():
                    if inflate is None:
                        body += raw
                    else:
                        body += inflate.decompress(raw, self.max_answer - len(body) + 1)
                        while inflate.unconsumed_tail and len(body) <= self.max_answer:
                            body += inflate.decompress(
                                inflate.unconsumed_tail, self.max_answer - len(body) + 1
                            )
                    if len(body) > self.max_answer:
                        raise _Refused(self._too_large(method, path, response.status_code))
                if inflate is not None and (body or inflate.unused_data) and not inflate.eof:
                    raise zlib.error("the compressed answer ends early")
            except zlib.error as e:
                raise _Refused(
                    LogtoError(
                        f"Logto's answer to {method} {path} could not be decoded as {_said(encoding)} "
                        f"({_said(e)})",
                        status=response.status_code,
                    )
                ) from None
            content_type = response.headers.get("content-type", "")
            return Answer(response.status_code, response.reason_phrase, content_type, bytes(body))

    def _too_large(self, method: str, path: str, status: int) -> LogtoError:
        return LogtoError(
            f"Logto's answer to {method} {path} is larger than {self.max_answer / MIB:g} MiB once decoded, "
            f"the cap for one answer (Logto's are far smaller); stopped reading. Check that "
            f"{self.target.base_url} is Logto",
            status=status,
        )

    def _pause(self, attempt: int) -> None:
        time.sleep(self.backoff * 2 ** (attempt - 1))

    def _timeout(self, method: str, path: str, retried: bool) -> LogtoError:
        within = f"within {self.timeout:g} s (connecting, sending and reading the whole answer)"
        if retried:
            return LogtoError(
                f"Logto at {self.target.base_url} did not answer {method} {path} {within}, "
                f"{self.attempts} attempts"
            )
        return LogtoError(
            f"Logto at {self.target.base_url} did not answer {method} {path} {within}; "
            "the change may or may not have been applied (writes are not retried): run the same command "
            "again, it reads what Logto holds first"
        )

    def _token_error(self, answer: Answer) -> LogtoError:
        body = _parsed(answer.body)
        error = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        status = answer.status
        said = (
            f"{_said(error)}: {_said(description)}"
            if error and description
            else _said(error or f"HTTP {status}")
        )
        target = self.target
        if error == "invalid_client" and status == 400:
            # oidc-provider's InvalidClient (400): no application has this id. A known id with the wrong
            # secret is InvalidClientAuth (401).
            hint = (
                f"Logto has no application with this app id: check {target.app_id.source} (the App ID of "
                "the machine-to-machine app in Logto's console, of this tenant)"
            )
        elif error in ("invalid_client", "unauthorized_client") or status == 401:
            hint = f"the M2M app's id or secret is wrong: {target.credentials_hint()}"
        elif error == "invalid_target":
            hint = (
                f"Logto knows no API resource `{_said(target.resource.value)}` (from {target.resource.source}): "
                "self-hosted Logto uses https://default.logto.app/api, Logto Cloud https://TENANT-ID.logto.app/api"
            )
        elif error == "invalid_scope":
            hint = "the app has no Management API access: assign it the Logto Management API access role"
        else:
            hint = f"check the endpoint ({target.endpoint.source}) and the app ({target.credentials_hint()})"
        return LogtoError(
            f"Logto at {target.base_url} refused the token request ({status} {said}); {hint}",
            status=status,
            code=error if isinstance(error, str) else None,
        )


def _verify(target: Target) -> ssl.SSLContext:
    """The TLS context: the named CA bundle, else SSL_CERT_DIR, else certifi's roots (as httpx would)."""
    if target.ca_file is not None:
        return _ca_bundle(target.ca_file, target.ca_source)
    if target.ca_dir is not None:
        if not os.path.isdir(target.ca_dir.value):
            raise InputError(
                f"{CA_ENV_DIR} names `{_said(target.ca_dir.value)}`, which is not a folder",
                hint=f"point {CA_ENV_DIR} at a folder of hashed CA certificates, or unset it",
            )
        return ssl.create_default_context(capath=target.ca_dir.value)
    # start-up: certifi loads only when Logto is called
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _ca_bundle(path: str, source: str) -> ssl.SSLContext:
    """A context trusting the PEM certificates of ``path``: a regular file of at most MAX_CA_FILE bytes,
    checked before it is read (a FIFO or a device is refused, never waited on)."""

    def refused(why: str) -> InputError:
        return InputError(
            f"cannot use the CA file {_said(path)} ({why}; from {source})",
            hint=f"name a PEM file of CA certificates (--ca-file or {CA_FILE_VAR} for Logto's CA)",
        )

    try:
        raw = read_capped(path, MAX_CA_FILE)
    except NotARegularFile:
        raise refused("not a regular file: a FIFO, socket or device") from None
    except OSError as e:
        raise refused(e.strerror or type(e).__name__) from None
    if len(raw) > MAX_CA_FILE:
        raise refused(f"larger than {MAX_CA_FILE / MIB:g} MiB")
    certificates = _PEM.findall(raw.decode("latin-1"))
    if not certificates:
        raise refused("no PEM certificate in it")
    try:
        return ssl.create_default_context(cadata="\n".join(certificates))
    except (ssl.SSLError, ValueError) as e:
        raise refused(_said(getattr(e, "reason", None) or e)) from None


def _tls_problem(error: BaseException) -> str | None:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            reason = getattr(seen, "verify_message", None) or "certificate verify failed"
            return (
                f"Logto's TLS certificate is not trusted ({_said(reason)}); if Logto uses a private CA, pass "
                f"--ca-file FILE or set {CA_FILE_VAR} (nothing was sent)"
            )
        seen = seen.__cause__ or seen.__context__
    return None


def _said(value: object) -> str:
    """A piece of outside text as a message shows it: redacted, then printable, then shortened."""
    text = printable(redact(str(value)))
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}... ({len(text)} characters)"


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return _said(text.splitlines()[0])


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _Shape(ValueError):
    """JSON this client does not parse: too many objects and arrays, or nested too deeply."""


def _parse(body: bytes) -> Any:
    """JSON as Logto sends it (UTF-8, RFC 8259); ValueError for anything else. Before parsing, the shape is
    checked on the text, so the parse itself is bounded: at most MAX_CONTAINERS objects and arrays (an
    empty ``{}`` costs 3 bytes of JSON and about 70 of memory) nested at most MAX_DEPTH levels (nothing
    later walks a document deeper, and the json module would raise RecursionError)."""
    text = body.decode("utf-8")
    # What is left without the strings is JSON's syntax; its brackets, as +1 and -1.
    brackets = _STRING.sub("", text).encode("ascii", "replace").translate(_SIGNS, _NOT_BRACKETS)
    if brackets.count(1) > MAX_CONTAINERS:
        raise _Shape(f"more than {MAX_CONTAINERS:,} objects and arrays")
    if max(accumulate(array("b", brackets)), default=0) > MAX_DEPTH:
        raise _Shape(f"nested more than {MAX_DEPTH} levels deep")
    return json.loads(text, parse_constant=_refuse_constant)


def _parsed(body: bytes) -> Any:
    """The JSON of an error answer, or None when it is not JSON."""
    try:
        return _parse(body)
    except ValueError:
        return None


def _json(method: str, path: str, answer: Answer) -> Any:
    try:
        return _parse(answer.body)
    except ValueError as e:
        why = f"{_said(e)}; " if isinstance(e, _Shape) else ""
        raise LogtoError(
            f"Logto answered {method} {path} with {answer.status} but not JSON "
            f"({why}{_said(answer.content_type or 'no content type')})",
            status=answer.status,
        ) from None


def _token_expired(answer: Answer) -> bool:
    """Whether a 401 is Logto's bearer check refusing an expired token (jose's ERR_JWT_EXPIRED in data)."""
    return _jwt_reason(_parsed(answer.body)) == "ERR_JWT_EXPIRED"


def _jwt_reason(body: Any) -> str | None:
    """The reason of a 401 from Logto's bearer check: jose's error code, which Logto puts in ``data``
    (packages/core/src/middleware/koa-auth: ``new RequestError({code: 'auth.unauthorized', status: 401},
    error)``)."""
    data = body.get("data") if isinstance(body, dict) else None
    code = data.get("code") if isinstance(data, dict) else None
    return code if isinstance(code, str) else None


# jose's error codes, as a person reads them (what is wrong with the token, and what to check).
_JWT_REASONS = {
    "ERR_JWT_EXPIRED": "the access token has expired",
    "ERR_JWS_SIGNATURE_VERIFICATION_FAILED": "the access token's signature does not verify: it was issued "
    "by another Logto (check the endpoint)",
    "ERR_JWKS_NO_MATCHING_KEY": "no signing key of this Logto matches the access token's: it was issued by "
    "another Logto, or Logto's keys were rotated (check the endpoint)",
    "ERR_JWT_CLAIM_VALIDATION_FAILED": "a claim of the access token is not what Logto expects",
    "ERR_JWS_INVALID": "the access token is not a signed JWT",
    "ERR_JWT_INVALID": "the access token is not a valid JWT",
}


def _size_refused(method: str, path: str, answer: Answer, sent: int | None) -> LogtoError | None:
    """A write Logto answered 404 with a body that is not JSON, when the request was over its limit: what
    koa-body's size check turns into (connector.logto.requests)."""
    if method == "GET" or sent is None or sent <= requests.MAX_JSON_BODY or answer.status != 404:
        return None
    if isinstance(_parsed(answer.body), dict):
        return None
    return LogtoError(
        f"Logto answered {method} {path} with 404 {_said(answer.reason)}: the request was "
        f"{requests.size_text(sent)}, over Logto's limit of {requests.size_text(requests.MAX_JSON_BODY)} "
        "for one JSON body (koa-body's default), which Logto answers with a plain-text 404",
        hint="make the templates smaller (lint reports SC705 and SC706 for what would not fit)",
        status=404,
    )


def _api_error(method: str, path: str, answer: Answer, *, sent: int | None = None) -> LogtoError:
    status = answer.status
    body = _parsed(answer.body)
    too_large = _size_refused(method, path, answer, sent)
    if too_large is not None:
        return too_large
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return LogtoError(
            f"Logto answered {method} {path} with {status} {_said(answer.reason)}".rstrip(), status=status
        )
    code: str = body["code"]
    message = _said(body.get("message") or "")
    text = f"Logto refused {method} {path}: {status} {_said(code)}: {message}".rstrip(": ")
    detail, more = _issues(body.get("data"))
    details = body.get("details")
    if not detail and isinstance(details, str):
        lines = [line for line in details.splitlines() if line.strip()]
        detail, more = [_said(line) for line in lines[:_MAX_ISSUES]], max(0, len(lines) - _MAX_ISSUES)
    if detail:
        text += "".join(f"\n  {line}" for line in detail)
        if more:
            text += f"\n  ... and {more} more"
    reason = _jwt_reason(body) if status == 401 else None
    if reason is not None:
        text += f"\n  {_said(reason)}: {_JWT_REASONS.get(reason, 'the access token was refused')}"
    elif status in (401, 403):
        text += (
            "\n  the M2M app needs Management API access: in Logto's console, assign it the "
            "Logto Management API access role"
        )
    return LogtoError(text, status=status, code=code)


def _issues(data: Any) -> tuple[list[str], int]:
    """Zod's issues (``data.issues``) as ``path: message`` lines (the first ten), and how many more."""
    issues = data.get("issues") if isinstance(data, dict) else None
    if not isinstance(issues, list):
        return [], 0
    found = [issue for issue in issues if isinstance(issue, dict)]
    lines = []
    for issue in found[:_MAX_ISSUES]:
        path = issue.get("path")
        where = "the config"
        if isinstance(path, list):
            # Zod's path holds keys and indexes; anything else (a null) is shown as the JSON it was.
            steps = tuple(
                step if isinstance(step, (str, int)) and not isinstance(step, bool) else json.dumps(step)
                for step in path
            )
            where = dotted(steps)
        lines.append(f"{_said(where)}: {_said(issue.get('message', ''))}")
    return lines, len(found) - len(lines)
