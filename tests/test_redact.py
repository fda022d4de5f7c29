"""The redactor: every occurrence of every form of every secret is hidden, whatever else is registered.

Each case runs twice: with only its own secrets registered (each form searched for on its own) and with
many other secrets registered too (the index by first characters), so both ways of searching are held to
the same answers.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.diagnostics import redact as redaction
from connector.diagnostics.redact import REDACTED, redact, register_basic_auth, register_secret

from .conftest import CliRunner
from .smtp_fixtures import Certificates, ServerFactory, logto_config, write_config


@pytest.fixture(params=["few", "indexed"])
def crowd(request: pytest.FixtureRequest) -> str:
    """``indexed``: register more secrets than are searched for one by one, none in the texts below."""
    if request.param == "indexed":
        for i in range(3 * redaction._FEW):
            register_secret(f"filler-{i:04d}-qz")
    return str(request.param)


def test_a_secret_that_contains_another_is_hidden_whole(crowd: str) -> None:
    # Registered short one first: the order of registration must not matter.
    for inner, outer in [("Vk9w", "Vk9w-tail-3x"), ("mid-7r", "pre-mid-7r-post"), ("end-4q", "start-end-4q")]:
        register_secret(inner)
        register_secret(outer)
        assert redact(f"[{outer}]") == f"[{REDACTED}]"
        assert redact(f"[{inner}]") == f"[{REDACTED}]"
    register_secret("Zp0long-secret-value")
    register_secret("Zp0l")
    assert redact("<Zp0long-secret-value>") == f"<{REDACTED}>"


def test_overlapping_and_repeated_secrets_show_nothing_of_either(crowd: str) -> None:
    register_secret("abc123de")
    register_secret("23defg99")
    assert redact("..abc123defg99..") == f"..{REDACTED}.."
    register_secret("xyxy")
    assert redact("xyxyxyx!") == f"{REDACTED}x!"
    assert redact("a abc123de b abc123de") == f"a {REDACTED} b {REDACTED}"
    assert redact("abc123de23defg99") == f"{REDACTED}{REDACTED}"


def test_text_without_secrets_is_unchanged(crowd: str) -> None:
    register_secret("r4nd0m-Secret")
    for text in ["", "r4n", "r4nd0m-Secre", "4nd0m-Secret", "plain line\nwith r4nd0m-secret in lower case"]:
        assert redact(text) == text


def test_short_values_are_not_hidden(crowd: str) -> None:
    register_secret("abc")
    assert redact("abc abcd") == "abc abcd"
    register_secret("abcd")
    assert redact("abc abcd") == f"abc {REDACTED}"


SPECIAL = 'Q7 z/é+&=%"x\\y'


@pytest.mark.parametrize(
    "form",
    [
        SPECIAL,
        json.dumps(SPECIAL)[1:-1],
        json.dumps(SPECIAL, ensure_ascii=False)[1:-1],
        repr(SPECIAL)[1:-1],
        urllib.parse.quote_plus(SPECIAL),
        urllib.parse.quote(SPECIAL, safe=""),
        urllib.parse.urlencode({"client_secret": SPECIAL}).partition("=")[2],
    ],
)
def test_a_secret_is_hidden_in_the_forms_it_is_printed_and_sent_in(crowd: str, form: str) -> None:
    register_secret(SPECIAL)
    assert redact(f"said: {form}.") == f"said: {REDACTED}."


@pytest.mark.parametrize("secret", ["two words 4u", "slash/only", "1+1=2;ok", "ünïcode-only"])
def test_a_secret_with_one_kind_of_special_character_is_hidden_encoded(crowd: str, secret: str) -> None:
    register_secret(secret)
    sent = urllib.parse.urlencode({"client_secret": secret}).partition("=")[2]
    assert sent != secret
    assert redact(f"body: client_secret={sent}&x=1") == f"body: client_secret={REDACTED}&x=1"
    assert redact(json.dumps(secret)) == f'"{REDACTED}"'


def test_basic_credentials_are_hidden_as_sent(crowd: str) -> None:
    register_basic_auth("app-id-9", "pässwörd:2")
    header = "Basic " + base64.b64encode("app-id-9:pässwörd:2".encode()).decode()
    assert redact(f"Authorization: {header}") == f"Authorization: Basic {REDACTED}"
    assert redact("pässwörd:2") == REDACTED


# --- A token endpoint that echoes what it got ---------------------------------------------------------


@dataclass
class Echo:
    """A loopback token endpoint refusing every request, with the Authorization header and body in its error."""

    url: str = ""
    got: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture
def echo() -> Iterator[Echo]:
    endpoint = Echo()

    class Handle(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            auth = self.headers.get("Authorization", "")
            endpoint.got.append((auth, raw))
            said = {"error": "invalid_client", "error_description": f"Authorization: {auth}; body: {raw}"}
            body = json.dumps(said).encode()
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield endpoint
    server.shutdown()
    server.server_close()
    thread.join()


def encodings(secret: str, user: str = "") -> set[str]:
    """Every way the secret could come back: as is, escaped, percent-encoded, and in a Basic header."""
    found = {
        secret,
        json.dumps(secret)[1:-1],
        urllib.parse.quote_plus(secret),
        urllib.parse.quote(secret, safe=""),
    }
    if user:
        found.add(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return found


def test_a_token_error_echoing_the_basic_header_shows_no_secret(
    cli: CliRunner, tmp_path: Path, echo: Echo
) -> None:
    app_id, app_secret = "deployer-4", "s3cr&t é+/=x"
    env = {"LOGTO_ENDPOINT": echo.url, "LOGTO_M2M_APP_ID": app_id, "LOGTO_M2M_APP_SECRET": app_secret}
    result = cli("pull", str(tmp_path / "pulled"), env=env, expect=1)
    [(auth, _)] = echo.got
    assert auth == "Basic " + base64.b64encode(f"{app_id}:{app_secret}".encode()).decode()
    assert (
        "refused the token request (401 invalid_client: Authorization: Basic ********; body: "
        in result.stderr
    )
    for form in encodings(app_secret, app_id):
        assert form not in result.stdout + result.stderr


def test_an_oauth2_error_echoing_the_form_shows_no_secret(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates, echo: Echo
) -> None:
    client_secret, refresh_token = "cl/ient sécret+1", 'refresh"token&2=%'
    server = smtp_server(tls="starttls", tokens={"never-used"})
    auth = {
        "user": "mailer@acme.test",
        "clientId": "client-7",
        "clientSecret": client_secret,
        "refreshToken": refresh_token,
        "accessUrl": f"{echo.url}/token",
    }
    config = write_config(
        tmp_path / "c.json", logto_config(server.port, tls={"ca": certificates.ca_pem}, auth=auth)
    )
    result = cli(
        "send", str(config), "--type", "SignIn", "--to", "bob@example.com", "--code", "123456", expect=1
    )
    [(_, body)] = echo.got
    assert urllib.parse.quote_plus(client_secret) in body and urllib.parse.quote_plus(refresh_token) in body
    assert "refused to renew the access token: HTTP 401 invalid_client" in result.stderr
    for secret in (client_secret, refresh_token):
        for form in encodings(secret):
            assert form not in result.stdout + result.stderr, form


def test_an_oauth2_error_echoing_the_signed_assertion_shows_no_secret(echo: Echo) -> None:
    """The service-key form sends a JWT signed with the key: a credential until it expires, so an endpoint
    echoing it (whole, or its signature, which with the guessable claims is the whole) shows neither."""
    pytest.importorskip("jwt")
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    from connector.cli.main import print_error
    from connector.errors import InputError
    from connector.mail.oauth2 import TokenSource
    from connector.schema.models import OAuth2ServiceAuth

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    register_secret(pem)  # as the loader does for auth.privateKey
    auth = OAuth2ServiceAuth(user="mailer@acme.test", serviceClient="svc-1", privateKey=pem)
    # The CLI signs for Google's endpoint; a loopback one stands in for it (plain http is allowed there).
    source = TokenSource(auth, access_url=f"{echo.url}/token")
    with pytest.raises(InputError) as refused:
        source.token()
    stream = io.StringIO()
    print_error(refused.value, stream)
    printed = stream.getvalue()
    [(_, body)] = echo.got
    assertion = urllib.parse.parse_qs(body)["assertion"][0]
    signature = assertion.rpartition(".")[2]
    assert assertion.count(".") == 2 and len(signature) > 300  # RS256 over 2048 bits
    assert (
        "body: grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=********" in printed
    )
    for secret in (assertion, signature):
        for form in encodings(secret):
            assert form not in printed, form
    assert redact(f"bad signature {signature}") == f"bad signature {REDACTED}"  # echoed alone


@given(st.text(max_size=40))
def test_percent_encoding_is_urllib_quote(value: str) -> None:
    assert redaction._percent_encoded(value) == urllib.parse.quote(value, safe="", errors="surrogatepass")


def test_a_secret_with_a_lone_surrogate_is_registered_and_hidden(cli: CliRunner, tmp_path: Path) -> None:
    """JSON can write one (\\ud83d alone); registering its forms must not fail (it was exit 3)."""
    config = logto_config(2525, auth={"user": "relay", "pass": "Lw9\ud83dQx"}, templates=[])
    path = tmp_path / "lone.json"
    path.write_text(json.dumps(config), encoding="utf-8")  # ensure_ascii: the surrogate as \ud83d
    result = cli("lint", str(path), "--format", "json", expect=1)
    assert "SC402" in result.stdout
    assert "Lw9" not in result.stdout + result.stderr


def test_text_built_to_make_the_search_slow_is_hidden_not_searched_forever(crowd: str) -> None:
    """Many secrets that begin with a run of one character, each a little longer, and a long run of it:
    past the work allowed, each place a secret could start is hidden unchecked (more than needed)."""
    forms = ["~~~~" + "~" * k + "!" for k in range(300)]
    for form in forms:
        register_secret(form)
    secret = forms[17]
    text = "before " + "~" * 60_000 + " " + secret + " after"
    out = redact(text)
    assert not any(form in out for form in forms)
    assert out.startswith("before ~~~")  # a hidden place reaches as far as the longest secret would


@pytest.mark.parametrize("few", [True, False])
def test_without_work_left_every_candidate_is_hidden(monkeypatch: pytest.MonkeyPatch, few: bool) -> None:
    monkeypatch.setattr(redaction, "_WORK_PER_CHAR", 0)
    monkeypatch.setattr(redaction, "_WORK_FLOOR", 0)
    secrets = ["ab12ab12", "12ab12ab12zz", "ab12ab12ab12"]
    if not few:
        secrets += [f"ab12-filler-{i}" for i in range(2 * redaction._FEW)]
    for secret in secrets:
        register_secret(secret)
    text = "x ab12ab12ab12ab12ab12zz y ab12ab12 z ab12 w"
    out = redact(text)
    assert not any(secret in out for secret in secrets)
    assert out.startswith(f"x {REDACTED}")


def test_without_work_left_a_place_is_hidden_as_far_as_a_secret_could_reach(
    monkeypatch: pytest.MonkeyPatch, crowd: str
) -> None:
    monkeypatch.setattr(redaction, "_WORK_PER_CHAR", 0)
    monkeypatch.setattr(redaction, "_WORK_FLOOR", 0)
    register_secret("qr7sqr7s")  # overlaps itself: the next occurrence starts inside this one
    out = redact("<qr7sqr7sqr7s>")
    assert out.startswith(f"<{REDACTED}") and "qr7s" not in out and "r7s" not in out
    register_secret("Zq9Z")  # the next occurrence as late as it can start: its last character
    assert redact("<Zq9Zq9Z>") == f"<{REDACTED}>"
    assert redact("Zq9ZZq9Z.").replace(REDACTED, "") in ("", ".")  # and one right after it
    register_secret("Mn3v")
    register_secret("Mn3v-longer-one")
    assert redact("Mn3v-longer-one!").startswith(REDACTED)
    assert "longer" not in redact("Mn3v-longer-one! and Mn3v.")
