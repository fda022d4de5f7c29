"""One reading of addresses (connector/mail/addresses.py): the lint (SC405) accepts a fromEmail or sendFrom
exactly when the runtime can take an envelope address from it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.errors import InputError
from connector.mail.addresses import address_problem
from connector.mail.message import envelope_address

CASES = [
    ("a@example.com", "a@example.com"),
    ("Acme <noreply@acme.example>", "noreply@acme.example"),
    ('"Acme, Inc." <noreply@acme.example>', "noreply@acme.example"),
    ("<noreply@acme.example>", "noreply@acme.example"),
    ("Acme<noreply@acme.example>", "noreply@acme.example"),
    ("  a@example.com  ", "a@example.com"),
    ("Bób <bob@example.com>", "bob@example.com"),
    ("Acme Support", None),
    ("nobody", None),
    ("", None),
    ("a@example.com, b@example.com", None),
    # As nodemailer reads it: text without an address joins the named mailbox after it.
    ("Acme, Inc. <noreply@acme.example>", "noreply@acme.example"),
    ("Smith, Bob, Jr <bob@acme.example>", "bob@acme.example"),
    ("Acme, <noreply@acme.example>", None),  # a name-only mailbox, then an unnamed one: two
    ("noreply@bücher.example", "noreply@xn--bcher-kva.example"),  # punycode, as nodemailer sends it
    ("a@b@c", None),
    ("a b@example.com", None),
    ("Acme <a@example.com> x", None),
    ("<>", None),
    ("a@example.com,", None),
    (",a@example.com", None),
]


@pytest.mark.parametrize(("value", "address"), CASES)
def test_the_lint_and_the_envelope_agree(value: str, address: str | None) -> None:
    assert (address_problem(value, False) is None) == (address is not None)
    if address is None:
        with pytest.raises(InputError):
            envelope_address(value, "the From address")
    else:
        assert envelope_address(value, "the From address") == address


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a@b.c", "Ab", "<", ">", " ", ",", '"', "@", "é", ";", "(", ")", "x@y", ""]),
        max_size=8,
    ).map("".join)
)
def test_they_agree_on_any_value(value: str) -> None:
    try:
        envelope_address(value, "the From address")
    except InputError:
        taken = False
    else:
        taken = True
    assert taken == (address_problem(value, False) is None and bool(value.strip()))
