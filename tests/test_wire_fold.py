"""Header lines at the folding boundary: the email package folds a header line longer than 78 characters,
and the message writer's fast path must write exactly what it writes, at 78, 79 and 80 characters alike."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from connector.mail.message import Draft, draft, draft_to_message, fill_message, to_bytes
from connector.mail.wire import message_bytes
from connector.schema.models import ConnectorConfig

from .smtp_fixtures import logto_config

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
MSGID = "<171455040000.4242.123456789@acme.test>"
LENGTHS = [76, 77, 78, 79, 80, 81]


def _draft(subject: str, *, sender: str | None = None, custom: dict[str, Any] | None = None) -> Draft:
    template = {"usageType": "SignIn", "contentType": "text/plain", "subject": subject, "content": "{{code}}"}
    if sender is not None:
        template["sendFrom"] = sender
    config = ConnectorConfig.model_validate(
        logto_config(25, templates=[template, *logto_config(25)["templates"][1:]], customHeaders=custom or {})
    )
    filled = fill_message(config, "SignIn", {"code": "123456"})
    return draft(config, filled, "bob@example.com", now=NOW, message_id=MSGID)


def _text(length: int) -> str:
    """Words of four letters and spaces, ``length`` characters long (foldable at every space)."""
    return ("abcd " * length)[:length].rstrip().ljust(length, "x")


def _head(raw: bytes) -> list[str]:
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")


@pytest.mark.parametrize("length", LENGTHS)
def test_a_subject_line_of_each_length(length: int) -> None:
    subject = _text(length - len("Subject: "))
    parts = _draft(subject)
    expected = to_bytes(draft_to_message(parts))
    assert message_bytes(parts) == expected
    lines = [line for line in _head(expected) if line.startswith("Subject:")]
    index = _head(expected).index(lines[0])
    folded = _head(expected)[index + 1].startswith(" ")
    assert folded == (length > 78), (length, _head(expected)[index : index + 2])


@pytest.mark.parametrize("length", LENGTHS)
def test_a_from_line_of_each_length(length: int) -> None:
    address = "noreply@acme.test"
    name = _text(length - len("From: ") - len(address) - 3)
    parts = _draft("Code", sender=f"{name} <{address}>")
    assert len(f"From: {name} <{address}>") == length
    assert message_bytes(parts) == to_bytes(draft_to_message(parts))


@pytest.mark.parametrize("length", LENGTHS)
def test_a_custom_header_line_of_each_length(length: int) -> None:
    value = _text(length - len("X-Campaign: "))
    parts = _draft("Code", custom={"X-Campaign": value})
    expected = to_bytes(draft_to_message(parts))
    assert message_bytes(parts) == expected
    head = _head(expected)
    index = next(i for i, line in enumerate(head) if line.startswith("X-Campaign:"))
    assert (index + 1 < len(head) and head[index + 1].startswith(" ")) == (length > 78)
