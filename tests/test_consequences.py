"""SC201/SC202 say what Logto does with the value: the facts in connector.logto, held to Logto's guard."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from connector.diagnostics.consequences import BUILD_REFUSES, IGNORED, SAVE_REFUSED, SEND_FAILS, UNSUPPORTED
from connector.logto import (
    CONFIG_KEYS,
    GUARD_KEYS,
    guard_checks_type,
    unknown_key_consequence,
    wrong_value_consequence,
)
from tests import logto_peer

ROOT = Path(__file__).resolve().parent.parent
MINIMAL: dict[str, Any] = json.loads((ROOT / "tests/data/final/good/minimal.json").read_text())


def _with(key: str, value: Any) -> dict[str, Any]:
    config = copy.deepcopy(MINIMAL)
    config[key] = value
    return config


def test_the_guard_checks_the_type_of_exactly_the_keys_it_names() -> None:
    """A value of no key's type (a list of a number) is refused on save exactly where GUARD_KEYS says."""
    keys = sorted(CONFIG_KEYS)
    verdicts = logto_peer.guard_many(_with(key, [1]) for key in keys)
    refused = {key for key, verdict in zip(keys, verdicts, strict=True) if not verdict["ok"]}
    assert refused == GUARD_KEYS
    # `tls` must be an object, but the guard lets any object through.
    assert logto_peer.guard(_with("tls", {"rejectUnauthorized": "false", "x": [1]}))["ok"]
    assert not guard_checks_type(("tls", "rejectUnauthorized"))


@pytest.mark.parametrize(
    ("path", "kind", "then"),
    [
        (("port",), "type", SAVE_REFUSED),
        (("port",), "range", SEND_FAILS),  # z.number() takes 99999 and 587.5
        (("maxConnections",), "type", SEND_FAILS),  # not named by the guard: only nodemailer meets it
        (("tls", "rejectUnauthorized"), "type", SEND_FAILS),
        (("templates", 0, "contentType"), "value", SAVE_REFUSED),  # a native enum in the guard
        (("templates", 0, "subject"), "type", SAVE_REFUSED),
        (("templates", 0, "sendFrom"), "type", SEND_FAILS),  # not in the guard's template object
        (("auth", "type"), "value", SAVE_REFUSED),
        (("tls", "minVersion"), "value", SEND_FAILS),
        (("language",), "value", BUILD_REFUSES),  # a project key: Logto never sees it
        (("templates", "SignIn", "locales", "fr", "subject"), "type", BUILD_REFUSES),
    ],
)
def test_wrong_value_consequence(path: tuple[str | int, ...], kind: str, then: str) -> None:
    assert wrong_value_consequence(path, kind=kind) == then


def test_unknown_key_consequence() -> None:
    assert unknown_key_consequence(("hots",), login_auth=False) == IGNORED
    assert unknown_key_consequence(("auth", "password"), login_auth=True) == SAVE_REFUSED  # a strict object
    assert unknown_key_consequence(("auth", "password"), login_auth=False) == IGNORED
    assert unknown_key_consequence(("templates", 0, "subjet"), login_auth=False) == IGNORED
    assert unknown_key_consequence(("variables", "x", "y"), login_auth=False) == BUILD_REFUSES
    # Keys our schema refuses that nodemailer reads: not "ignored".
    assert unknown_key_consequence(("url",), login_auth=False) == UNSUPPORTED
    assert unknown_key_consequence(("dnsTtl",), login_auth=False) == UNSUPPORTED
    assert unknown_key_consequence(("dkim", "keys"), login_auth=False) == UNSUPPORTED
    assert (
        unknown_key_consequence(("auth", "customParams"), login_auth=False, oauth2_auth=True) == UNSUPPORTED
    )
    # Without an OAuth2 type nodemailer logs in: it reads `method`, and never the OAuth2 options.
    assert unknown_key_consequence(("auth", "customParams"), login_auth=False) == IGNORED
    assert unknown_key_consequence(("auth", "method"), login_auth=False) == UNSUPPORTED
    assert unknown_key_consequence(("auth", "method"), login_auth=False, oauth2_auth=True) == IGNORED
    assert unknown_key_consequence(("auth", "method"), login_auth=True) == SAVE_REFUSED  # the guard first
    assert (
        unknown_key_consequence(("auth", "privateKey", "scope"), login_auth=False, oauth2_auth=True)
        == IGNORED
    )
    assert not guard_checks_type(())


def test_only_a_login_typed_auth_is_strict_in_logtos_guard() -> None:
    assert not logto_peer.guard(_with("auth", {"type": "login", "user": "u", "pass": "p", "password": "p"}))[
        "ok"
    ]
    # Without a type the union's OAuth2 token form (not strict) takes it.
    assert logto_peer.guard(_with("auth", {"user": "u", "pass": "p", "password": "p"}))["ok"]
    config = _with("hots", "x")
    assert logto_peer.guard(config)["ok"]
