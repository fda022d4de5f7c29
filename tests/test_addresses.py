"""Addresses as nodemailer reads them (connector/logto/addresses.py): its parse, the header it writes and the
envelope sender, held to nodemailer's own code (tests/logto-peer/addresses.mjs); the lint (SC405, SC411)
and the runtime built on that one reading."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.errors import InputError
from connector.logto import addresses
from connector.logto.addresses import (
    Group,
    Mailbox,
    address_problem,
    envelope_sender,
    header,
    intended_form,
    parse_addresses,
    reading_difference,
    reading_notes,
)
from connector.logto.placeholders import JS_SPACE
from connector.mail.message import envelope_address, recipient_address

from . import logto_peer

# Values of our own for each form the issue names, and what nodemailer makes of them.
READINGS = [
    ("Shop (staging) <mailer@shop.example>", [Mailbox("Shop", "mailer@shop.example")]),
    ("Billing; Accounts <billing@shop.example>", [Mailbox("Billing, Accounts", "billing@shop.example")]),
    ("Desk: Sales <sales@shop.example>", [Group("Desk", (Mailbox("Sales", "sales@shop.example"),))]),
    ("desk@shop.example <desk@shop.example>", [Mailbox("", "desk@shop.example")]),
    ("mailer@shop.example (Shop)", [Mailbox("Shop", "mailer@shop.example")]),
    ("x.y@shop.example (Shop <Desk>)", [Mailbox("Shop <Desk>", "x.y@shop.example")]),
    ("one@shop.example, Two <two@shop.example>", [Mailbox("", "one@shop.example"), Mailbox("Two", "two@shop.example")]),
    ("Shop, Inc. <mailer@shop.example>", [Mailbox("Shop, Inc.", "mailer@shop.example")]),
    ('"Shop \\"Q\\" (x)" <mailer@shop.example>', [Mailbox('Shop "Q" (x)', "mailer@shop.example")]),
    ("Shop, <mailer@shop.example>", [Mailbox("Shop", ""), Mailbox("", "mailer@shop.example")]),
    ("Desk:;", [Group("Desk", ())]),
    ("Shop", [Mailbox("Shop", "")]),
    ("", []),
]  # fmt: skip


@pytest.mark.parametrize(("value", "entries"), READINGS)
def test_values_are_read_as_nodemailer_reads_them(value: str, entries: list[Any]) -> None:
    assert parse_addresses(value) == entries


HEADERS = [
    ("Shop (staging) <mailer@shop.example>", "Shop <mailer@shop.example>", "mailer@shop.example"),
    ("Billing; Accounts <billing@SHOP.example>", '"Billing, Accounts" <billing@shop.example>', "billing@shop.example"),
    ("Desk: Sales <sales@shop.example>", "Desk:Sales <sales@shop.example>;", "sales@shop.example"),
    ("Desk: a@shop.example, b@shop.example;", "Desk:a@shop.example, b@shop.example;", "a@shop.example"),
    ("one@shop.example, two@shop.example", "one@shop.example, two@shop.example", "one@shop.example"),
    ("Bücher <a@BÜCHER.example>", '"Bücher" <a@xn--bcher-kva.example>', "a@xn--bcher-kva.example"),
    ("<a b@shop.example>", '<"a b"@shop.example>', '"a b"@shop.example'),
    ("Shop, <mailer@shop.example>", "mailer@shop.example", "mailer@shop.example"),
    ("Desk:;", "Desk:;", None),
    ("Shop", "", None),
]  # fmt: skip


@pytest.mark.parametrize(("value", "written", "envelope"), HEADERS)
def test_the_header_and_the_envelope_are_nodemaielrs(value: str, written: str, envelope: str | None) -> None:
    assert header(value) == written
    assert envelope_sender(value) == envelope


def test_a_name_that_is_not_printable_ascii_is_an_encoded_word_on_the_wire() -> None:
    assert header("Zoë <z@shop.example>", encoded=True) == "=?UTF-8?B?Wm/Dqw==?= <z@shop.example>"
    long = header("É" * 30 + " <z@shop.example>", encoded=True)
    words = long.split(" <")[0].split(" ")
    assert len(words) == 2 and all(len(w) <= 75 for w in words)  # split between characters, not inside
    assert header("Tab\there <t@shop.example>", encoded=True).startswith("=?UTF-8?B?")


def _generated(count: int, seed: int, atoms_at_most: int = 10) -> list[str]:
    r = random.Random(seed)
    atoms = ["a@b.test", "Acme", "Ops", '"', "'", "\\", "(", ")", "<", ">", ",", ";", ":", " ", "  ", "@", "é",
             "bü@bücher.test", "x.y@Acme.TEST", "Team", '"Q, R"', "(c)", "a b", "\u00a0", "\ufeff", "日本", "-",
             ".", "_", "[x]", "\x01", "\n", "xn--bcher-kva.test", "😀"]  # fmt: skip
    return ["".join(r.choice(atoms) for _ in range(r.randint(0, atoms_at_most))) for _ in range(count)]


def _as_json(entries: Any) -> list[dict[str, Any]]:
    return [
        {"name": e.name, "group": _as_json(e.members)}
        if isinstance(e, Group)
        else {"address": e.address, "name": e.name}
        for e in entries
    ]


@pytest.mark.parametrize(
    "values",
    [
        _generated(4000, 19),
        # Longer values: chains of parts merged into one name, texts joined after a closing operator,
        # several quoted strings, comments and addresses in one part (the tokenizer's one-pattern reading).
        _generated(1000, 23, atoms_at_most=60),
    ],
    ids=["short", "long"],
)
def test_parse_header_and_envelope_equal_nodemailers_on_generated_values(values: list[str]) -> None:
    run = logto_peer.run_script("addresses.mjs", values)
    assert run.returncode == 0, run.stderr
    differences = []
    for value, theirs in zip(values, json.loads(run.stdout), strict=True):
        sender = envelope_sender(value)
        ours = {
            "parsed": _as_json(parse_addresses(value)),
            "header": header(value),
            "envelope": False if sender is None else sender,
        }
        if not re.fullmatch(
            r"[\x20-\x7e]*", value
        ):  # nodemailer's encoded words for such names: not compared
            theirs.pop("header"), ours.pop("header")
        if ours != theirs:
            differences.append((value, theirs, ours))
    assert differences == []


@pytest.mark.parametrize(
    "text",
    [
        "a b@c.test x",
        "  x.y@Acme.test(c)",
        "-a@b-",
        "a@-",
        "é@b.c",
        "x a@b",
        "a@b.c.",
        "__a@b__",
        "(a@b)",
        "a@@b c",
    ],
)
def test_the_linear_address_search_matches_the_regular_expression(text: str) -> None:
    pattern = re.compile(rf"[{JS_SPACE}]*\b[^@{JS_SPACE}]+@[^{JS_SPACE}]+\b[{JS_SPACE}]*", re.ASCII)
    found = pattern.search(text)
    assert addresses._loose_address(text) == (found.span() if found else None)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "_", "-", ".", "@", " ", "é", "\u00a0", "<", "b@c"]), max_size=12).map(
        "".join
    )
)
def test_the_linear_address_search_matches_the_regular_expression_on_any_text(text: str) -> None:
    pattern = re.compile(rf"[{JS_SPACE}]*\b[^@{JS_SPACE}]+@[^{JS_SPACE}]+\b[{JS_SPACE}]*", re.ASCII)
    found = pattern.search(text)
    assert addresses._loose_address(text) == (found.span() if found else None)


def test_a_long_address_search_finds_nothing_where_there_is_nothing() -> None:
    assert addresses._loose_address("a" * 20_000 + "@" + "-" * 20_000) is None


SENDERS = [
    ("mailer@shop.example", "mailer@shop.example"),
    ("Shop (staging) <mailer@Shop.Example>", "mailer@shop.example"),
    ("mailer@shop.example (Shop)", "mailer@shop.example"),
    ("one@shop.example, two@shop.example", None),  # Logto sends both in From: receivers refuse it
    ("Desk: Sales <sales@shop.example>", "sales@shop.example"),
    ("noreply@bücher.example", "noreply@xn--bcher-kva.example"),
    ("Shop", None),  # no address: Logto's From has none, receivers refuse it
    ("Desk:;", None),
    ("", None),
    ("a@b@c.example", None),  # an envelope sender that is not local@domain
    ("one@shop.example, a b", "one@shop.example"),
]


@pytest.mark.parametrize(("value", "address"), SENDERS)
def test_send_takes_nodemailers_envelope_sender_and_refuses_a_from_without_one(
    value: str, address: str | None
) -> None:
    if address is None:
        with pytest.raises(InputError) as error:
            envelope_address(value, "the From address")
        problem = address_problem(value, False)
        assert problem is not None and str(error.value) == f"the From address {problem[0]}"
    else:
        assert envelope_address(value, "the From address") == address


def test_a_from_without_an_address_is_refused_with_the_receivers_reason() -> None:
    with pytest.raises(InputError, match="a From header with no address, a message receivers refuse"):
        envelope_address("Desk:;", "the From address")


@pytest.mark.parametrize(
    ("value", "address"),
    [("bob@shop.example", "bob@shop.example"), ("Bob <bob@SHOP.example>", "bob@shop.example"),
     ("a@shop.example, b@shop.example", None), ("Desk: bob@shop.example;", None), ("bob", None)],
)  # fmt: skip
def test_the_recipient_is_exactly_one_mailbox(value: str, address: str | None) -> None:
    if address is None:
        with pytest.raises(InputError):
            recipient_address(value)
    else:
        assert recipient_address(value) == address


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a@b.c", "Ab", "<", ">", " ", ",", '"', "@", "é", ";", "(", ")", "x@y", "", ":"]),
        max_size=8,
    ).map("".join)
)
def test_a_sender_the_lint_passes_is_one_send_takes(value: str) -> None:
    if address_problem(value, False) is None:
        assert envelope_address(value, "the From address") == envelope_sender(value)
    else:
        try:
            envelope_address(value, "the From address")
        except InputError:
            return
        assert envelope_sender(value)  # the lint also refuses a bad second address; send takes the first


NOTES = [
    ("Shop (staging) <mailer@shop.example>", ["comment"]),
    ("Billing; Accounts <billing@shop.example>", ["semicolon"]),
    ("Desk: Sales; Team <s@shop.example>", ["group"]),
    ("desk@shop.example <desk@shop.example>", ["name-is-address"]),
    ("Shop, <mailer@shop.example>", ["dropped"]),
    ("Shop (x); A <a@shop.example>", ["semicolon", "comment"]),
    ("one@shop.example, two@shop.example", []),
    ("Shop, Inc. <mailer@shop.example>", []),
    ("mailer@shop.example (Shop)", []),
    ("mailer@shop.example", []),
    ('"Shop (staging)" <mailer@shop.example>', []),
    ("Desk: a@shop.example; b@shop.example", ["group"]),  # the `;` closes the group: no separator
]


@pytest.mark.parametrize(("value", "notes"), NOTES)
def test_what_the_reading_does_to_the_text(value: str, notes: list[str]) -> None:
    assert reading_notes(value)[1] == notes


def test_several_addresses_in_a_from_are_refused_but_not_in_a_reply_to() -> None:
    problem = address_problem("one@shop.example, Two <two@shop.example>", False)
    assert problem is not None and problem[0].startswith("holds 2 addresses as nodemailer reads it")
    assert address_problem("one@shop.example, Two <two@shop.example>", True) is None
    assert address_problem("one@shop.example, Two <two@shop>", True) is None
    assert address_problem("one@shop.example, Two <two shop>", True) is not None


def test_the_difference_names_what_logto_sends_and_the_quoted_form() -> None:
    problem, hint = reading_difference("Shop (staging) <mailer@shop.example>", False) or ("", "")
    assert problem == (
        "has a parenthesis, which nodemailer reads as a comment and drops: Logto sends `Shop <mailer@shop.example>`"
    )
    assert hint == "quote the name to keep it: '\"Shop (staging)\" <mailer@shop.example>'"
    assert reading_difference('"Shop (staging)" <mailer@shop.example>', False) is None
    assert reading_difference("Shop", False) is None  # no address: SC405's, not SC411's


@pytest.mark.parametrize(
    ("value", "form"),
    [
        ("Shop (staging) <mailer@shop.example>", '"Shop (staging)" <mailer@shop.example>'),
        ('"Sh\\"op" <m@shop.example>', '"Sh\\"op" <m@shop.example>'),
        ("Back\\slash; x <m@shop.example>", '"Back\\\\slash; x" <m@shop.example>'),
        ("m@shop.example", None),
        ("<m@shop.example>", None),
        ("a <b> <c@d>", None),
    ],
)
def test_the_intended_form_reads_back_as_written(value: str, form: str | None) -> None:
    assert intended_form(value) == form
    if form is not None:
        assert reading_notes(form)[1] == []


def test_the_deploy_plan_shows_what_logto_sends_when_it_differs() -> None:
    from connector.deploy.plan import ConfigChange

    changed = ConfigChange(("fromEmail",), "changed", "a@shop.example", "Shop (x) <m@shop.example>")
    assert changed.line() == (
        '~ fromEmail: "a@shop.example" -> "Shop (x) <m@shop.example>" (Logto sends "Shop <m@shop.example>")'
    )
    assert (
        ConfigChange(("replyTo",), "added", after="Desk").line()
        == '+ replyTo: "Desk" (Logto sends no address)'
    )
    assert (
        ConfigChange(("fromEmail",), "added", after="Shop <m@shop.example>").line()
        == '+ fromEmail: "Shop <m@shop.example>"'
    )
    assert (
        ConfigChange(("name",), "added", after="a (b) <c@d.example>").line()
        == '+ name: "a (b) <c@d.example>"'
    )


def test_render_shows_the_mailboxes_logto_sends(cli: Any, tmp_path: Any) -> None:
    from .smtp_fixtures import logto_config, write_config

    config = logto_config(
        2525, fromEmail="Shop (staging) <mailer@Shop.example>", replyTo="Billing; Desk <b@shop.example>"
    )
    path = write_config(tmp_path / "logto.json", config)
    out = cli("render", str(path), "--type", "SignIn", "--code", "1").stdout
    assert out.startswith('From: Shop <mailer@shop.example>\nReply-To: "Billing, Desk" <b@shop.example>\n')
    config["replyTo"] = "Desk"  # no address: nodemailer writes no Reply-To
    out = cli(
        "render", str(write_config(tmp_path / "logto.json", config)), "--type", "SignIn", "--code", "1"
    ).stdout
    assert "Reply-To" not in out


def test_preview_shows_the_mailboxes_logto_sends() -> None:
    from connector.preview import PreviewSet, preview_message
    from connector.schema.models import Template

    template = Template.model_validate(
        {
            "usageType": "SignIn",
            "contentType": "text/plain",
            "subject": "s",
            "content": "c",
            "replyTo": "Desk: a@b.example;",
        }
    )
    shown = preview_message(template, PreviewSet("dev", "en", (template,), "Shop (x) <m@shop.example>", None))
    assert (shown.sender, shown.reply_to) == ("Shop <m@shop.example>", "Desk:a@b.example;")


def _single_address_general(value: str) -> tuple[int, str | None]:
    """single_address before its one-token shortcut: every value through the whole reading."""
    entries = [e for e in parse_addresses(value) if isinstance(e, Group) or e.address]
    found = addresses.addresses_of(entries)
    if (
        len(entries) == 1
        and isinstance(entries[0], Mailbox)
        and addresses.ADDRESS.fullmatch(found[0].address)
    ):
        return 1, found[0].address
    return len(found), None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", (0, None)),
        (" \t\u00a0", (0, None)),  # spaces only: no token
        ("user.example.com", (0, None)),  # no @: a name only
        ("a@b.example", (1, "a@b.example")),
        ("\u00a0 a@b.example\ufeff ", (1, "a@b.example")),  # trimmed as JavaScript trims
        ("a\x00@b.example", (1, "a@b.example")),  # a control character dropped by the tokenizer
        ("a@b@c", (1, None)),  # one mailbox, not one address
        ("@", (1, None)),  # not a strict local@domain: the general reading takes it as an address
        ("a @b.example", (1, None)),  # an @ but not one token: the general reading
        ("a@b.example>", (1, None)),  # a closing operator alone is text
        ("a@b.example,", (1, "a@b.example")),  # an operator: the general reading
        ("a@b.example;", (1, "a@b.example")),  # each operator: ; ( < : "
        ("a@b.example;c@d.example", (2, None)),
        ("a@b.example(c)", (1, "a@b.example")),
        ("<a@b.example>", (1, "a@b.example")),
        ("g:a@b.example", (1, None)),  # a group: not one mailbox
        ("a@b.example:", (0, None)),  # an empty group named a@b.example
        ('"a"@b.example', (1, "a@b.example")),  # a quote: the general reading joins the parts
    ],
)
def test_a_recipient_of_one_token_is_read_as_the_whole_reading_reads_it(
    value: str, expected: tuple[int, str | None]
) -> None:
    assert addresses.single_address(value) == expected == _single_address_general(value)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab.@ \t\n\x00\x1f\u00a0\u2028\ufeff)>\\é-_;:", max_size=12) | st.text(max_size=12))
def test_single_address_matches_the_whole_reading(value: str) -> None:
    """The one-token shortcut (a value without an operator) against the general reading, on values made
    mostly of what a token holds (dots, @, spaces JavaScript trims, control characters, closing
    operators) with an operator now and then."""
    assert addresses.single_address(value) == _single_address_general(value)
