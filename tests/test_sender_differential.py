"""Differential test of the sender, the reply-to and the envelope: generated address strings sent through
Logto's connector (the pinned peer, tests/logto-peer/send-many.mjs: one Node process for every case) and
through ``send`` to one capture server, compared as the recipient reads them.

Each case is one message whose template has ``sendFrom: "{{f}}"`` and ``replyTo: "{{r}}"``, so the
generated strings reach nodemailer exactly as written (placeholders are filled with ``String(value)``).
Both messages are parsed alike (the ``email`` package, policy default): From and Reply-To as groups of
(display name, local part, domain), the envelope sender as received; a domain's letter case is not a
difference. Where ``send`` refuses, Logto's message must show the reason: a From with no address, or an
envelope sender that is not ``local@domain``.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import random
import re
from collections.abc import Callable
from email.header import decode_header, make_header
from typing import Any

from connector.logto.addresses import ADDRESS
from connector.mail.send import Job, RetryPolicy, send_all
from connector.schema.models import ConnectorConfig

from . import logto_peer
from .smtp_fixtures import ServerFactory, logto_config

COUNT = 1700  # cases per run, each with a sender and a reply-to; over 1,000 of them are delivered by both
SEED = 21

WORDS = ["Acme", "Ops", "Team", "Support", "Zoë", "Müller", "日本", "Dev-Ops", "O'Brien", "R&D", "x_y", "a.b"]
LOCALS = ["no-reply", "support", "a.b", "Ops", "x+tag", "help_desk", "o'brien"]
DOMAINS = ["acme.test", "Acme.TEST", "dev.acme.test", "bücher.test", "BÜCHER.test", "xn--bcher-kva.test"]
SPECIALS = [",", ";", ":", "(", ")", "<", ">", '"', "\\", "@", ".", "[", "]"]
# Token soup: the parser's operators, escapes and address-like pieces in any order (ASCII addresses only:
# an address with a non-ASCII local part needs SMTPUTF8, which is not what this test is about).
SOUP = ["a@b.test", "Acme", "Ops", '"', "\\", "(", ")", "<", ">", ",", ";", ":", " ", "  ", "@", "é", "x.y@Acme.test",
        "Team", '"Q, R"', "(c)", "a b", "日本", "-", ".", "_", "[x]", "\\\""]  # fmt: skip


def _address(r: random.Random) -> str:
    return f"{r.choice(LOCALS)}@{r.choice(DOMAINS)}"


def _name(r: random.Random) -> str:
    words = [r.choice(WORDS) for _ in range(r.randint(1, 3))]
    if r.random() < 0.4:
        words.insert(r.randint(0, len(words)), r.choice(SPECIALS))
    return " ".join(words)


def _quoted(r: random.Random) -> str:
    inner = _name(r)
    if r.random() < 0.3:
        inner += r.choice(['\\"x\\"', "\\\\", "\\(", " (c)", ", Inc.", "; Ltd", ": Dept"])
    return f'"{inner}"'


def _mailbox(r: random.Random) -> str:
    forms: list[Callable[[], str]] = [
        lambda: _address(r),
        lambda: f"{_name(r)} <{_address(r)}>",
        lambda: f"{_quoted(r)} <{_address(r)}>",
        lambda: f"<{_address(r)}>",
        lambda: f"{_name(r)}<{_address(r)}>",
    ]
    return r.choice(forms)()


def sender(r: random.Random) -> str:
    """One generated sender or reply-to string."""
    a = _address(r)
    forms: list[Callable[[], str]] = [
        lambda: _mailbox(r),
        lambda: f"{a} ({_name(r)})",  # a comment after the address
        lambda: f"{_name(r)} ({_name(r)}) <{a}>",  # a comment in the name
        lambda: f"{a} ({_name(r)} <{r.choice(WORDS)}>)",
        lambda: f"{r.choice(WORDS)}: {_mailbox(r)}",  # a group, unterminated
        lambda: f"{r.choice(WORDS)}: {_mailbox(r)}, {_mailbox(r)};",
        lambda: f"{r.choice(WORDS)}:;",
        lambda: f"{_name(r)}; {_name(r)} <{a}>",  # `;` as a separator
        lambda: f"{_name(r)}, {_name(r)} <{a}>",
        lambda: f"{_mailbox(r)}, {_mailbox(r)}",  # two mailboxes
        lambda: f"{_mailbox(r)}; {_mailbox(r)}",
        lambda: f"{a} <{a}>",  # a name that is the address
        lambda: f"{_address(r)} <{a}>",  # a name that is another address
        lambda: f"{_name(r)} \\<x\\> <{a}>",  # escapes outside quotes
        lambda: f"{r.choice(WORDS)}, <{a}>",  # a name-only part before an unnamed mailbox
        lambda: "".join(r.choice(SOUP) for _ in range(r.randint(1, 9))),
    ]
    return r.choice(forms)()


def cases(count: int = COUNT, seed: int = SEED) -> list[tuple[str, str]]:
    r = random.Random(seed)
    return [(sender(r), sender(r) if r.random() < 0.7 else "") for _ in range(count)]


_WORD = r"=\?[^?\s]+\?[QqBb]\?[^?\s]*\?="
_WORDS = re.compile(rf"{_WORD}(?:[ \t]+{_WORD})+")


def _one_word(match: re.Match[str]) -> str:
    """Adjacent encoded words as one (RFC 2047 6.2: the space between them is not part of the text). The
    email package keeps that space in a display name; both sides' words go through this alike."""
    data = b"".join(
        text.encode("latin-1") if isinstance(text, str) else text for text, _ in decode_header(match.group())
    )
    return f"=?UTF-8?B?{base64.b64encode(data).decode('ascii')}?="


def _mailboxes(raw: bytes, name: str) -> Any:
    """A header's groups as the recipient reads them (the domain's letter case dropped), or, where the email
    package's parser fails on the value, its text unfolded with encoded words decoded."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    value = msg[name]
    if value is None:
        return []
    text = _WORDS.sub(_one_word, re.sub(r"\r?\n", "", str(value)))
    try:
        header = email.policy.default.header_factory(name, text)
        return [
            (group.display_name, [(a.display_name, a.username, a.domain.lower()) for a in group.addresses])
            for group in header.groups
        ]
    except (IndexError, ValueError, TypeError, AttributeError):
        return ("unparsed", str(make_header(decode_header(text))))


def _view(envelope: Any) -> dict[str, Any]:
    local, at, domain = str(envelope.mail_from).rpartition("@")
    return {
        "From": _mailboxes(envelope.original_content, "From"),
        "Reply-To": _mailboxes(envelope.original_content, "Reply-To"),
        "envelope": f"{local}{at}{domain.lower()}",
        "raw8bit": any(
            not line.isascii()
            for line in re.sub(rb"\r\n[ \t]", b" ", envelope.original_content.split(b"\r\n\r\n")[0]).split(
                b"\r\n"
            )
            if line.lower().startswith((b"from:", b"reply-to:"))
        ),
    }


def _case_number(envelope: Any) -> int:
    msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    return int(str(msg["Subject"]).split()[-1])


def _refusal_holds(view: dict[str, Any], logto: dict[str, Any]) -> bool:
    """Logto's message shows why ``send`` refused it: not exactly one address in From, or an envelope sender
    that is not an address (as nodemailer reports the envelope it sent)."""
    addresses = (
        [] if view["From"] and view["From"][0] == "unparsed" else [a for _, m in view["From"] for a in m]
    )
    sender = logto.get("envelope", {}).get("from")
    return len(addresses) != 1 or not isinstance(sender, str) or not ADDRESS.fullmatch(sender)


def test_the_sender_reply_to_and_envelope_are_the_ones_logto_sends(smtp_server: ServerFactory) -> None:
    logto_peer.require()
    server = smtp_server()
    template = {
        "usageType": "SignIn",
        "contentType": "text/plain",
        "subject": "case {{i}}",
        "content": "x",
        "sendFrom": "{{f}}",
        "replyTo": "{{r}}",
    }
    config = logto_config(server.port)
    config["templates"] = [template, *config["templates"][1:]]
    generated = cases()
    payloads = [{"i": index, "f": f, "r": r} for index, (f, r) in enumerate(generated)]
    items = [{"to": "bob@example.test", "type": "SignIn", "payload": p} for p in payloads]
    run = logto_peer.run_script("send-many.mjs", {"config": config, "items": items, "parallel": 32})
    assert run.returncode == 0, run.stderr
    logto_results = json.loads(run.stdout)
    theirs = {_case_number(m): _view(m) for m in server.messages}
    assert len(theirs) == len(server.messages)

    server.messages.clear()
    jobs = [Job("bob@example.test", "SignIn", payload) for payload in payloads]
    outcome = send_all(ConnectorConfig.model_validate(config), jobs, retry=RetryPolicy(attempts=1))
    assert outcome.fatal is None, outcome.fatal
    ours = {_case_number(m): _view(m) for m in server.messages}

    differences: list[tuple[str, str, Any, Any]] = []
    refused = 0
    for index, (f, r) in enumerate(generated):
        result = outcome.results[index]
        if index in theirs and index in ours:
            if theirs[index] != ours[index]:
                differences.append((f, r, theirs[index], ours[index]))
        elif index in theirs:  # we refused or the server refused ours: Logto's message must show why
            refused += 1
            if not _refusal_holds(theirs[index], logto_results[index]):
                differences.append((f, r, theirs[index], result.reply))
        elif index in ours:
            differences.append((f, r, logto_results[index], ours[index]))
    assert differences == []
    compared = len(theirs.keys() & ours.keys())
    assert compared >= 1000 and refused > 0
