"""A small client of Logto's Management API on httpx: the client-credentials token, then JSON calls.

Reads (and the token request, which changes nothing) are retried on timeouts, dropped connections, 429
and 5xx; writes are sent once, because a write that timed out may have been applied: the caller reads
the live state again instead. TLS is verified (``ca_file`` or ``SSL_CERT_FILE`` for a private CA), the
usual proxy variables apply (``HTTPS_PROXY``, ``NO_PROXY``), and no secret reaches a message.

Logto's facts (packages/core in logto-io/logto): ``POST /oidc/token`` takes ``grant_type``, ``resource``
and ``scope`` form fields and the client id and secret (here as HTTP Basic); API errors are JSON
``{code, message, data?, details?}``; the token endpoint's are OAuth's ``{error, error_description}``.
"""

from __future__ import annotations

import json
import ssl
import time
from dataclasses import dataclass
from typing import Any

import httpx

from connector import __version__
from connector.deploy.target import CA_FILE_VAR, Target
from connector.diagnostics.paths import dotted
from connector.diagnostics.redact import register_basic_auth
from connector.errors import InputError

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


class ManagementClient:
    """Calls to one Logto tenant's Management API as one M2M app."""

    def __init__(
        self,
        target: Target,
        *,
        timeout: float = 30.0,
        attempts: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.target = target
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = timeout
        self.sent: list[Request] = []
        self._token: str | None = None
        self._token_expires = 0.0
        self._http = httpx.Client(
            base_url=target.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            verify=_verify(target.ca_file),
            headers={"User-Agent": f"smtp-connector/{__version__}", "Accept": "application/json"},
            follow_redirects=False,
        )

    def __enter__(self) -> ManagementClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # The API.

    def get(self, path: str) -> Any:
        """GET a JSON document, retried on timeouts, dropped connections, 429 and 5xx."""
        return self._call("GET", path, retry=True)

    def write(self, method: str, path: str, body: Any = None) -> Any:
        """POST, PUT, PATCH or DELETE, sent once; the decoded JSON answer (None for 204)."""
        return self._call(method, path, body=body, retry=False)

    # Internals.

    def _call(self, method: str, path: str, *, body: Any = None, retry: bool) -> Any:
        headers = {"Authorization": f"Bearer {self._access_token()}"}
        content = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        response = self._send(method, path, retry=retry, headers=headers, content=content)
        if response.status_code >= 400:
            raise _api_error(method, path, response)
        if response.status_code == 204 or not response.content:
            return None
        return _json(method, path, response)

    def _access_token(self) -> str:
        if self._token is not None and time.monotonic() < self._token_expires:
            return self._token
        form = {"grant_type": "client_credentials", "resource": self.target.resource.value, "scope": "all"}
        register_basic_auth(self.target.app_id.value, self.target.app_secret.value)  # a server may echo it
        response = self._send(
            "POST",
            "/oidc/token",
            retry=True,  # asking for a token changes nothing in Logto
            data=form,
            auth=(self.target.app_id.value, self.target.app_secret.value),
        )
        if response.status_code >= 400:
            raise self._token_error(response)
        answer = _json("POST", "/oidc/token", response)
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise LogtoError(
                f"Logto's token endpoint at {self.target.base_url} answered without an access_token"
            )
        expires = answer.get("expires_in")
        lifetime = float(expires) if isinstance(expires, (int, float)) else 60.0
        self._token = token
        # Renew a little early: a token that expires in flight is refused.
        self._token_expires = time.monotonic() + max(lifetime - 30.0, lifetime / 2)
        from connector.diagnostics.redact import register_secret

        register_secret(token)
        return token

    def _send(self, method: str, path: str, *, retry: bool, **kwargs: Any) -> httpx.Response:
        attempts = self.attempts if retry else 1
        for attempt in range(1, attempts + 1):
            self.sent.append(Request(method, path))
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TimeoutException as e:
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
            if retry and response.status_code in RETRY_STATUSES and attempt < attempts:
                self._pause(attempt)
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, attempt: int) -> None:
        time.sleep(self.backoff * 2 ** (attempt - 1))

    def _timeout(self, method: str, path: str, retried: bool) -> LogtoError:
        if retried:
            return LogtoError(
                f"Logto at {self.target.base_url} did not answer {method} {path} within {self.timeout:g} s "
                f"({self.attempts} attempts)"
            )
        return LogtoError(
            f"Logto at {self.target.base_url} did not answer {method} {path} within {self.timeout:g} s; "
            "the change may or may not have been applied (writes are not retried): run the same command "
            "again, it reads what Logto holds first"
        )

    def _token_error(self, response: httpx.Response) -> LogtoError:
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        status = response.status_code
        said = f"{error}: {description}" if error and description else str(error or f"HTTP {status}")
        target = self.target
        if error in ("invalid_client", "unauthorized_client") or status == 401:
            hint = f"the M2M app's id or secret is wrong: {target.credentials_hint()}"
        elif error == "invalid_target":
            hint = (
                f"Logto knows no API resource `{target.resource.value}` (from {target.resource.source}): "
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


def _verify(ca_file: str | None) -> ssl.SSLContext | bool:
    if ca_file is None:
        return True  # certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR when set
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as e:
        raise InputError(
            f"cannot use the CA file {ca_file} ({getattr(e, 'strerror', None) or e}); "
            f"--ca-file and {CA_FILE_VAR} name a PEM file of CA certificates"
        ) from e


def _tls_problem(error: BaseException) -> str | None:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            reason = getattr(seen, "verify_message", None) or "certificate verify failed"
            return (
                f"Logto's TLS certificate is not trusted ({reason}); if Logto uses a private CA, pass "
                f"--ca-file FILE or set {CA_FILE_VAR} (nothing was sent)"
            )
        seen = seen.__cause__ or seen.__context__
    return None


def _reason(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text.splitlines()[0]


def _json(method: str, path: str, response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as e:
        raise LogtoError(
            f"Logto answered {method} {path} with {response.status_code} but not JSON "
            f"({response.headers.get('content-type', 'no content type')})",
            status=response.status_code,
        ) from e


def _api_error(method: str, path: str, response: httpx.Response) -> LogtoError:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return LogtoError(
            f"Logto answered {method} {path} with {status} {response.reason_phrase}", status=status
        )
    code: str = body["code"]
    message = str(body.get("message") or "")
    text = f"Logto refused {method} {path}: {status} {code}: {message}".rstrip(": ")
    detail = _issues(body.get("data"))
    if not detail and isinstance(body.get("details"), str):
        detail = [line for line in body["details"].splitlines() if line]
    if detail:
        text += "".join(f"\n  {line}" for line in detail[:_MAX_ISSUES])
        if len(detail) > _MAX_ISSUES:
            text += f"\n  ... and {len(detail) - _MAX_ISSUES} more"
    if status in (401, 403):
        text += (
            "\n  the M2M app needs Management API access: in Logto's console, assign it the "
            "Logto Management API access role"
        )
    return LogtoError(text, status=status, code=code)


def _issues(data: Any) -> list[str]:
    """Zod's issues (``data.issues``) as ``path: message`` lines."""
    issues = data.get("issues") if isinstance(data, dict) else None
    if not isinstance(issues, list):
        return []
    lines = []
    for issue in issues:
        if not isinstance(issue, dict):
            continue
        path = issue.get("path")
        where = dotted(tuple(path)) if isinstance(path, list) else "the config"
        lines.append(f"{where}: {issue.get('message', '')}")
    return lines
