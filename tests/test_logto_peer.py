"""The Logto peer itself (tests/logto-peer/guard.mjs via tests/logto_peer.py): Logto's guard and clean step."""

from __future__ import annotations

from typing import Any

from . import logto_peer

TEMPLATES = [
    {"usageType": u, "contentType": "text/plain", "subject": "s", "content": "{{code}}"}
    for u in ("SignIn", "Register", "ForgotPassword", "Generic")
]


def config(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "host": "smtp.example.com",
        "port": 587,
        "auth": {"type": "login", "user": "u", "pass": "p"},
        "fromEmail": "noreply@example.com",
        "templates": TEMPLATES,
    }
    base.update(extra)
    return base


def test_a_minimal_config_is_accepted_and_kept() -> None:
    verdict = logto_peer.guard(config())
    assert logto_peer.accepted(verdict), verdict
    assert verdict["cleaned"] == config()


def test_null_is_refused_on_save_with_zods_issue() -> None:
    verdict = logto_peer.guard(config(replyTo=None))
    assert not verdict["ok"]
    assert verdict["issues"] == [
        {
            "path": ["replyTo"],
            "code": "invalid_type",
            "message": "Expected string, received null",
            "expected": "string",
            "received": "null",
        }
    ]
    assert "replyTo" not in verdict["cleaned"] and verdict["cleanedOk"]


def test_empty_values_pass_the_save_but_are_stripped_and_then_fail_every_send() -> None:
    verdict = logto_peer.guard(config(auth={}, host=""))
    assert verdict["ok"]
    assert "auth" not in verdict["cleaned"] and "host" not in verdict["cleaned"]
    assert not verdict["cleanedOk"]
    assert {tuple(i["path"]) for i in verdict["cleanedIssues"]} == {("auth",), ("host",)}


def test_json_text_is_parsed_as_javascript_does() -> None:
    assert "parseError" in logto_peer.guard("\ufeff{}")
    assert "parseError" in logto_peer.guard("NaN")
    huge = logto_peer.guard(config(port=10**400))  # JSON.parse reads Infinity, which z.number() accepts
    assert huge["ok"] and huge["cleaned"]["port"] == {"$number": "Infinity"}
    assert logto_peer.guard(config(port=587.0))["ok"]


def test_many_answers_come_back_in_order() -> None:
    answers = logto_peer.guard_many(config(port=p if p % 2 else str(p)) for p in range(2000))
    assert [a["ok"] for a in answers] == [p % 2 == 1 for p in range(2000)]
