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

    from connector.logto.addresses import SIMPLE_ADDRESS

    match = SIMPLE_ADDRESS.fullmatch(text)
    if match:
        assert [addr for _, addr in getaddresses([text])] == [match.group(1) or match.group(2)]


@pytest.mark.parametrize(
    ("body", "cte"),
    [
        ("", "7bit"),
        ("a" * 78, "7bit"),  # the policy's line length: still 7bit
        ("a" * 79, "quoted-printable"),  # one more
        ("Café au lait, with a long ASCII tail\n" * 3, "quoted-printable"),
        ("日本語のテキスト" * 20, "base64"),  # mostly non-ASCII: base64 is shorter
        ("line\r\nbreaks\rof\nevery kind\n" * 12, "7bit"),
        ("é, and then plain ASCII words\n" * 12, "quoted-printable"),  # more lines than the package sniffs
    ],
)
def test_the_body_is_encoded_as_set_content_encodes_it(body: str, cte: str) -> None:
    from email.message import EmailMessage

    from connector.mail.message import POLICY
    from connector.mail.wire import _encoded_body

    for subtype in ("plain", "html"):
        reference = EmailMessage(policy=POLICY)
        reference.set_content(body, subtype=subtype, charset="utf-8")
        assert _encoded_body(body, subtype) == (
            reference["Content-Transfer-Encoding"],
            reference.get_payload(),
        )
        assert reference["Content-Transfer-Encoding"] == cte


def test_custom_headers_the_package_parses_specially_take_the_slow_path() -> None:
    from connector.mail.wire import _special

    assert [
        n for n in ("subject", "sender", "content-type", "message-id", "date", "to") if not _special(n)
    ] == []
    assert [n for n in ("x-env", "list-id", "keywords", "x-mailer") if _special(n)] == []


def test_no_private_standard_library_api_is_used() -> None:
    """`email.contentmanager._encode_text` and its kind change without notice between Python versions."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "connector"
    private = re.compile(
        r"\b(?:email|smtplib|ssl|asyncio|json|socket|base64|quopri)(?:\.[a-z]\w*)*\._[a-z]\w*"
        r"|from (?:email|smtplib|ssl|asyncio|json)[\w.]* import [^\n]*\b_[a-z]\w*"
        r"|getattr\([^,()]+, \"_[a-z]"
    )
    found = [f"{path.relative_to(root)}: {m.group(0)}" for path in sorted(root.rglob("*.py"))
             for m in private.finditer(path.read_text(encoding="utf-8"))]  # fmt: skip
    assert found == []
