"""Differential tests: this tool's verdict on a config against Logto's own guard and clean step.

"Accepted by Logto" means its connector guard accepts the config as sent and after the clean-deep step its
server applies before storing it (which every send validates again). Thousands of generated configs
(tests/conformance_cases.py) go through both; lint may never pass a config Logto refuses, and every
config lint refuses while Logto accepts is refused by one of the deliberate rules below (documented in
docs/logto-compat.md).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from connector.diagnostics.findings import Finding
from connector.lint.engine import lint_source
from connector.source.loader import loads

from . import logto_peer
from .conformance_cases import Case, base, cases

ROOT = Path(__file__).resolve().parent.parent
COUNT = 2500

# Rules that refuse configs Logto's guard lets through, and why (docs/logto-compat.md has the table).
DELIBERATE = {
    "SC201": "an unknown key: Logto's guard lets unknown keys through in templates, OAuth2 auth and at the "
    "top level, and nodemailer ignores them, so a typo silently does nothing",
    "SC202": "a value of the wrong type or range that Logto's guard does not check (a port above 65535, a "
    'negative timeout, "false" as a string in tls, Infinity): the send fails or does the opposite',
    "SC203": "a key nodemailer needs to sign (privateKey.passphrase) that the guard does not require",
    "SC301": "credentials incomplete: nodemailer fails the send with Missing credentials",
    "SC303": "port and secure disagree (secure on 587 or 25, not on 465): the TLS handshake fails or hangs",
    "SC304": "requireTLS with ignoreTLS: the connection is never encrypted",
    "SC306": "credentials would cross the network unencrypted",
    "SC311": "a timeout of 2^31 ms or more: Node clamps the timer to 1 ms and every send fails at once",
    "SC312": "a SOCKS proxy: Logto does not load nodemailer's SOCKS module, so every send fails",
    "SC410": "customHeaders naming Content-Type: the message goes out with two",
    "SC405": "not an email address: the SMTP server refuses the envelope at send time",
}


def lint(case: Case) -> list[Finding]:
    """Errors from linting the case's JSON text as a built config (secrets resolved, as deployed)."""
    loaded = loads(case.text().encode(), "config.json", json_syntax=True)
    findings = list(loaded.findings)
    if loaded.document is not None:
        findings += lint_source(loaded.document, "built")
    return [f for f in findings if f.severity == "error"]


@pytest.fixture(scope="module")
def verdicts() -> list[tuple[Case, dict[str, Any], list[Finding]]]:
    generated = list(cases(COUNT))
    answers = logto_peer.guard_many(c.text() for c in generated)
    return [(c, v, lint(c)) for c, v in zip(generated, answers, strict=True)]


def test_zero_false_accepts(verdicts: list[tuple[Case, dict[str, Any], list[Finding]]]) -> None:
    false_accepts = [(c.label, v) for c, v, errors in verdicts if not errors and not logto_peer.accepted(v)]
    assert false_accepts == []
    # The generator is worth something: both verdicts occur, and many configs are refused by Logto.
    refused = sum(not logto_peer.accepted(v) for _, v, _ in verdicts)
    assert COUNT * 0.2 < refused < COUNT * 0.9


def test_every_false_reject_is_a_deliberate_documented_rule(
    verdicts: list[tuple[Case, dict[str, Any], list[Finding]]],
) -> None:
    rules: Counter[str] = Counter()
    for case, verdict, errors in verdicts:
        if errors and logto_peer.accepted(verdict):
            undocumented = {f.rule for f in errors} - set(DELIBERATE)
            assert not undocumented, (case.label, [f.format() for f in errors])
            rules.update({f.rule for f in errors})
    compat = (ROOT / "docs" / "logto-compat.md").read_text(encoding="utf-8")
    for rule in rules:
        assert rule in compat, f"{rule} refuses configs Logto accepts: docs/logto-compat.md must say why"


def test_null_is_refused_where_logto_refuses_it() -> None:
    keys = ["replyTo", "name", "localAddress", "servername", "logger", "debug", "disableFileAccess"]
    keys += ["disableUrlAccess", "secure", "ignoreTLS", "requireTLS", "tls", "customHeaders"]
    keys += ["connectionTimeout", "greetingTimeout", "socketTimeout", "dnsTimeout"]
    for key in keys:
        case = Case(key, {**base("login"), key: None})
        assert not logto_peer.guard(case.text())["ok"], key
        assert [(f.rule, f.message) for f in lint(case)] == [
            ("SC202", f"{key}: null is refused by Logto's guard when the config is saved")
        ]
    for key in ("type", "clientId", "expires"):
        config = base("token")
        config["auth"][key] = None
        assert not logto_peer.guard(config)["ok"], key
        assert lint(Case(key, config)), key


def test_an_integral_float_is_the_integer_logto_reads() -> None:
    case = Case("port 587.0", {**base("login"), "port": 587.0, "connectionTimeout": 1e4})
    assert logto_peer.accepted(logto_peer.guard(case.text()))
    assert lint(case) == []
    from connector.schema.models import ConnectorConfig

    out = ConnectorConfig.model_validate(case.config).to_logto()
    assert (out["port"], out["connectionTimeout"]) == (587, 10000)
    assert type(out["port"]) is int and type(out["connectionTimeout"]) is int
    assert lint(Case("port 587.5", {**base("login"), "port": 587.5}))


def test_a_byte_order_mark_is_refused_as_json_parse_refuses_it() -> None:
    case = Case("bom", base("login"), bom=True)
    assert "parseError" in logto_peer.guard(case.text())
    assert [f.rule for f in lint(case)] == ["SC002"]
