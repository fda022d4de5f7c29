"""OAuth2 access tokens for XOAUTH2, got the way nodemailer gets them.

The token form uses ``accessToken`` while it is valid (no ``expires``, or ``expires`` in the future, in
milliseconds) and otherwise refreshes it at ``accessUrl`` with the refresh token. The service-key form
signs a JWT with the service account's key (PyJWT, the optional extra ``smtp-connector[oauth2]``).
"""

from __future__ import annotations

import importlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from connector.diagnostics.redact import register_secret, register_secret_texts
from connector.errors import InputError
from connector.logto.loopback import plain_http_problem
from connector.schema.models import OAuth2ServiceAuth, OAuth2TokenAuth, PrivateKey

DEFAULT_ACCESS_URL = "https://accounts.google.com/o/oauth2/token"
GMAIL_SCOPE = "https://mail.google.com/"
JWT_LIFETIME = 300  # seconds, as nodemailer's serviceRequestTimeout
INSTALL_HINT = "pip install 'smtp-connector[oauth2]'"


class TokenSource:
    """Hands out a valid access token, refreshing it when it is missing or expired."""

    def __init__(
        self,
        auth: OAuth2TokenAuth | OAuth2ServiceAuth,
        *,
        access_url: str | None = None,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.auth = auth
        self.user = auth.user
        self.timeout = timeout
        self.clock = clock
        own_url = auth.accessUrl if isinstance(auth, OAuth2TokenAuth) else None
        self.access_url = access_url or own_url or DEFAULT_ACCESS_URL
        self._token = auth.accessToken if isinstance(auth, OAuth2TokenAuth) else None
        self._expires = auth.expires if isinstance(auth, OAuth2TokenAuth) else None
        self.refreshed = False

    @property
    def can_refresh(self) -> bool:
        return isinstance(self.auth, OAuth2ServiceAuth) or bool(self.auth.refreshToken)

    def token(self, *, renew: bool = False) -> str:
        """The access token; with ``renew``, a new one even if the current one looks valid."""
        if self._token and not renew and (not self._expires or self._expires > self.clock() * 1000):
            return self._token
        if not self.can_refresh:
            reason = "has expired" if self._token else "is missing"
            raise InputError(
                f"the OAuth2 access token for {self.user} {reason} and cannot be renewed",
                hint="add auth.refreshToken, auth.clientId and auth.clientSecret, or a fresh auth.accessToken",
            )
        problem = plain_http_problem(self.access_url)
        if problem:
            raise InputError(
                f"refusing to refresh the OAuth2 token: {problem}",
                hint="use the provider's https:// token URL",
            )
        form = self._service_form() if isinstance(self.auth, OAuth2ServiceAuth) else self._refresh_form()
        token, expires_in = _post(self.access_url, form, self.timeout)
        register_secret(token)
        self._token = token
        self._expires = int((self.clock() + expires_in) * 1000) if expires_in else None
        self.refreshed = True
        return token

    def _refresh_form(self) -> dict[str, str]:
        assert isinstance(self.auth, OAuth2TokenAuth)
        return {
            "client_id": self.auth.clientId or "",
            "client_secret": self.auth.clientSecret or "",
            "refresh_token": self.auth.refreshToken or "",
            "grant_type": "refresh_token",
        }

    def _service_form(self) -> dict[str, str]:
        assert isinstance(self.auth, OAuth2ServiceAuth)
        now = int(self.clock())
        claims = {
            "iss": self.auth.serviceClient,
            "scope": GMAIL_SCOPE,
            "sub": self.auth.user,
            "aud": self.access_url,
            "iat": now,
            "exp": now + JWT_LIFETIME,
        }
        assertion = sign_rs256(claims, self.auth.privateKey)
        # The signed assertion is a credential for its lifetime: whoever holds it gets an access token, and
        # a token endpoint may echo it in its error. Its signature too: the claims around it are guessable.
        register_secret_texts((assertion, assertion.rpartition(".")[2]))
        return {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}


def sign_rs256(claims: dict[str, Any], private_key: str | PrivateKey) -> str:
    """A JWT signed with the service account's RSA key (needs PyJWT with cryptography)."""
    try:
        jwt: Any = importlib.import_module("jwt")
    except ImportError as e:
        raise InputError(
            "the OAuth2 service-key form (auth.privateKey) needs PyJWT, which is not installed",
            hint=INSTALL_HINT,
        ) from e
    key: Any = private_key
    if isinstance(private_key, PrivateKey):
        try:
            # start-up: cryptography loads only for a service-account key
            from cryptography.hazmat.primitives.serialization import load_pem_private_key

            key = load_pem_private_key(private_key.key.encode(), private_key.passphrase.encode())
        except ImportError as e:
            raise InputError("a private key with a passphrase needs cryptography", hint=INSTALL_HINT) from e
        except (ValueError, TypeError) as e:
            raise InputError(
                "auth.privateKey could not be unlocked with its passphrase",
                hint="check auth.privateKey.key and auth.privateKey.passphrase",
            ) from e
    try:
        return str(jwt.encode(claims, key, algorithm="RS256"))
    except (ValueError, TypeError, jwt.PyJWTError) as e:
        raise InputError(
            "auth.privateKey is not a usable RSA private key", hint="paste the PEM key of the service account"
        ) from e


def _post(url: str, form: dict[str, str], timeout: float) -> tuple[str, float]:
    if not url.startswith(("https://", "http://")):
        raise InputError(f"auth.accessUrl must be an http(s) URL, not {url!r}")
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(1024 * 1024)
    except urllib.error.HTTPError as e:
        detail = _error_detail(e.read(64 * 1024))
        raise InputError(
            f"the OAuth2 token endpoint {url} refused to renew the access token: HTTP {e.code}{detail}",
            hint="check auth.clientId, auth.clientSecret and auth.refreshToken",
        ) from e
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", None) or e
        raise InputError(f"cannot reach the OAuth2 token endpoint {url}: {reason}") from e
    try:
        data = json.loads(body)
        token = data["access_token"]
        expires_in = float(data.get("expires_in") or 0)
        if not isinstance(token, str) or not token:
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise InputError(
            f"the OAuth2 token endpoint {url} did not answer with a JSON access_token",
            hint="check auth.accessUrl",
        ) from e
    return token, expires_in


def _error_detail(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    parts = [str(data[k]) for k in ("error", "error_description") if isinstance(data.get(k), str)]
    return f" {': '.join(parts)}" if parts else ""
