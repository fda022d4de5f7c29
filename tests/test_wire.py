"""The fast serialisation is byte for byte what the email package writes, or it steps aside."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.errors import InputError
from connector.mail.message import Draft, draft, draft_to_message, fill_message, to_bytes
from connector.mail.wire import _fast, message_bytes
from connector.schema.models import ConnectorConfig

from .smtp_fixtures import logto_config

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
MSGID = "<171455040000.4242.123456789@acme.test>"


def _draft(changes: dict[str, Any], template: dict[str, Any], to: str) -> Draft:
    config = ConnectorConfig.model_validate(
        logto_config(25, templates=[template, *logto_config(25)["templates"][1:]], **changes)
    )
    return draft(config, fill_message(config, "SignIn", {"code": "123456"}), to, now=NOW, message_id=MSGID)


def test_the_common_case_takes_the_fast_path_and_equals_the_email_package() -> None:
    template = {
        "usageType": "SignIn",
        "contentType": "text/html",
        "subject": "Code {{code}}",
        "content": "<p>{{code}}</p>" * 30,
    }
    parts = _draft(
        {"customHeaders": {"X-Env": "dev", "X-Tags": ["a", "b"]}}, template, "Bob <bob@example.com>"
    )
    fast = _fast(parts)
    assert fast is not None
    assert fast == draft_to_message(parts).as_bytes()


words = st.text(alphabet=st.sampled_from("abcXYZ09.-_'\"()<>@,;: \t=?é\u2028\\"), min_size=1, max_size=12)
bodies = st.text(alphabet=st.sampled_from("ab <>\n\r\x0b\x0c.=é—\u2028\t"), max_size=200) | st.text(
    max_size=40
)
addresses = st.sampled_from(
    [
        "a@example.com",
        "Bob <bob@example.com>",
        "Bob Smith <bob.smith@mail.example.com>",
        '"Smith, Bob" <bob@example.com>',
        "Bób <bob@example.com>",
        "bob@example.com (Bob)",
        "Bob.Smith <b@example.com>",
        "x" * 70 + "@example.com",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    subject=words | st.text(max_size=90) | st.text(alphabet="ab =?", max_size=90),
    body=bodies,
    html=st.booleans(),
    sender=addresses,
    to=addresses,
    reply_to=st.none() | addresses,
    custom=st.dictionaries(
        st.sampled_from(["X-A", "X-Env", "Subject", "Sender", "List-Id"]),
        words | st.lists(words, min_size=1, max_size=2),
        max_size=2,
    ),
)
def test_fast_path_equals_the_email_package(
    subject: str, body: str, html: bool, sender: str, to: str, reply_to: str | None, custom: dict[str, Any]
) -> None:
    subject = " ".join(subject.split("\n"))
    template = {
        "usageType": "SignIn",
        "contentType": "text/html" if html else "text/plain",
        "subject": subject.replace("\r", " "),
        "content": body,
        "sendFrom": sender,
    }
    custom = {
        k: [v.replace("\r", "").replace("\n", "") for v in (vs if isinstance(vs, list) else [vs])]
        for k, vs in custom.items()
    }
    try:
        changes = (
            {"customHeaders": custom} if reply_to is None else {"customHeaders": custom, "replyTo": reply_to}
        )
        parts = _draft(changes, template, to)
    except InputError:
        return  # refused before serialisation, for both paths alike
    try:
        slow = to_bytes(draft_to_message(parts))
    except InputError:
        with pytest.raises(InputError):
            message_bytes(parts)
        return
    assert message_bytes(parts) == slow


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab.@<> _-+\"'(),:é"), max_size=24))
def test_the_plain_address_shortcut_agrees_with_the_email_package(text: str) -> None:
    from email.utils import getaddresses

    from connector.mail.addresses import SIMPLE_ADDRESS

    match = SIMPLE_ADDRESS.fullmatch(text)
    if match:
        assert [addr for _, addr in getaddresses([text])] == [match.group(1) or match.group(2)]
