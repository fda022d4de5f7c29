"""One spelling of a key path and of a value's kind, whichever stage writes the message."""

from __future__ import annotations

from typing import Any

import pytest

from connector.diagnostics.describe import got, kind_of, show
from connector.diagnostics.paths import KeyPath, dotted


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "the config"),
        (("port",), "port"),
        (("auth", "pass"), "auth.pass"),
        (("templates", 0, "subject"), "templates[0].subject"),
        (("templates", "SignIn", "subject"), "templates[SignIn].subject"),  # project sources name them
        (("templates", "SignIn"), "templates[SignIn]"),
        (("tls", "ciphers", 2), "tls.ciphers[2]"),
        (("a", "templates", "b"), "a.templates.b"),  # only the top-level `templates` names its entries
        (("x", 0, 1), "x[0][1]"),
        ((0,), "[0]"),
    ],
)
def test_dotted(path: KeyPath, text: str) -> None:
    assert dotted(path) == text


@pytest.mark.parametrize(
    ("value", "kind", "found"),
    [
        (None, "null", "null"),
        (True, "a boolean", "a boolean true"),
        (False, "a boolean", "a boolean false"),
        (0, "a number", "a number 0"),
        (1.5, "a number", "a number 1.5"),
        ("587", "a string", 'the string "587"'),
        ([1], "a list", "a list"),
        ({"a": 1}, "a mapping", "a mapping"),
        (object, "a value", f"a value {object}"),
    ],
)
def test_kind_and_got(value: Any, kind: str, found: str) -> None:
    assert kind_of(value) == kind
    assert got(value) == found


def test_long_strings_are_cut_so_a_secret_is_not_echoed_whole() -> None:
    assert show("x" * 40) == '"' + "x" * 40 + '"'
    assert show("x" * 41) == '"' + "x" * 37 + '..."'
