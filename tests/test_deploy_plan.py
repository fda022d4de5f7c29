"""The deploy plan on its own (connector/deploy/plan.py): comparing configs and template stores, and the lines
people read. No server and no Node: Desired and Live are made from data here."""

from __future__ import annotations

from typing import Any

import pytest

from connector.deploy.plan import ConfigChange, Desired, Live, diff_config, make_plan
from connector.logto import SMTP_CONNECTOR_ID

PASS = "pl4n-Secret-9q"


def config(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "host": "smtp.mailhost.example",
        "port": 587,
        "auth": {"user": "relay", "pass": PASS},
        "fromEmail": "Shop <shop@mailhost.example>",
        "templates": [
            {"usageType": "SignIn", "contentType": "text/plain", "subject": "Hi", "content": "{{code}}"}
        ],
    }
    data.update(changes)
    return data


def entry(tag: str, kind: str, **details: Any) -> dict[str, Any]:
    return {"languageTag": tag, "templateType": kind, "details": {"subject": "S", "content": "C", **details}}


def live(cfg: dict[str, Any] | None, *templates: dict[str, Any], others: tuple[str, ...] = ()) -> Live:
    connector = None if cfg is None else {"id": "conn-42", "connectorId": SMTP_CONNECTOR_ID, "config": cfg}
    stored = tuple({"id": f"id-{t['languageTag']}-{t['templateType']}", **t} for t in templates)
    return Live(connector, others, stored)


def test_a_changed_key_shows_the_unchanged_secrets_as_such() -> None:
    plan = make_plan(Desired(config(port=2525), ()), live(config()))
    assert plan.lines() == [
        f"connector {SMTP_CONNECTOR_ID} (id conn-42): update",
        "  ~ port: 587 -> 2525",
        "  = auth.pass: unchanged (secret)",
    ]
    assert plan.secrets_unchanged == (("auth", "pass"),)
    assert plan.summary() == "update 1 connector key"


def test_no_change_shows_no_secret_line() -> None:
    plan = make_plan(Desired(config(), ()), live(config()))
    assert not plan.changes
    assert plan.lines() == ["no changes: Logto holds what the project builds"]
    assert plan.summary() == "no changes"


def test_a_new_connector_lists_its_keys_but_no_unchanged_secret() -> None:
    plan = make_plan(Desired(config(), (entry("de", "SignIn"),)), live(None, others=("aliyun-direct-mail",)))
    assert plan.create and plan.secrets_unchanged == ()
    assert {c.kind for c in plan.config} == {"added"}
    # Every key the create sets, as an update lists it; the secret by name only.
    assert plan.lines() == [
        f"connector {SMTP_CONNECTOR_ID}: create",
        "  (Logto keeps one email connector: creating it removes `aliyun-direct-mail`)",
        '  + host: "smtp.mailhost.example"',
        "  + port: 587",
        '  + auth.user: "relay"',
        "  + auth.pass: (secret)",
        '  + fromEmail: "Shop <shop@mailhost.example>"',
        '  + templates[SignIn].contentType: "text/plain"',
        '  + templates[SignIn].subject: "Hi"',
        '  + templates[SignIn].content: "{{code}}"',
        "email templates:",
        "  + de SignIn",
    ]
    assert plan.summary() == "create the connector, put 1 email template"


@pytest.mark.parametrize(
    ("before", "after", "line"),
    [
        (PASS, "an0ther-Secret", "~ auth.pass: changed (secret)"),
        (None, "an0ther-Secret", "+ auth.pass: added (secret)"),
        (PASS, None, "- auth.pass: removed (secret)"),
    ],
)
def test_a_secret_change_never_shows_the_value(before: str | None, after: str | None, line: str) -> None:
    old, new = config(), config()
    for data, value in ((old, before), (new, after)):
        if value is None:
            del data["auth"]["pass"]
        else:
            data["auth"]["pass"] = value
    plan = make_plan(Desired(new, ()), live(old))
    assert plan.lines()[1:] == [f"  {line}"]
    assert plan.secrets_unchanged == ()
    assert not any(v in "\n".join(plan.lines()) for v in (PASS, "an0ther-Secret"))


@pytest.mark.parametrize(
    ("before", "after", "line"),
    [
        (
            "http://px.example:3128",
            "http://px2.example:3128",
            '~ proxy: "http://px.example:3128" -> "http://px2.example:3128"',
        ),
        ("http://u:pr0xy-pw@px.example:3128", "http://u:n3w-pw@px.example:3128", "~ proxy: changed (secret)"),
        # A password on either side is enough: the side that has one must not be shown.
        ("http://px.example:3128", "http://u:n3w-pw@px.example:3128", "~ proxy: changed (secret)"),
        ("http://u:pr0xy-pw@px.example:3128", "http://px.example:3128", "~ proxy: changed (secret)"),
        (None, "http://u:n3w-pw@px.example:3128", "+ proxy: added (secret)"),
        ("http://u:pr0xy-pw@px.example:3128", None, "- proxy: removed (secret)"),
        (None, "socks5://px.example:1080", '+ proxy: "socks5://px.example:1080"'),
    ],
)
def test_a_proxy_url_with_a_password_is_a_secret(before: str | None, after: str | None, line: str) -> None:
    old = config() if before is None else config(proxy=before)
    new = config() if after is None else config(proxy=after)
    plan = make_plan(Desired(new, ()), live(old))
    assert plan.lines()[1] == f"  {line}"
    shown = "\n".join(plan.lines())
    assert "pr0xy-pw" not in shown and "n3w-pw" not in shown


@pytest.mark.parametrize(
    ("url", "line"),
    [
        ("smtps://u:pr0xy-pw@smtp.example:465", "- url: removed (secret)"),
        ("smtps://smtp.example:465?tls.passphrase=pr0xy-pw", "- url: removed (secret)"),
        (
            "smtps://smtp.example:465?tls.servername=smtp.example",
            '- url (was "smtps://smtp.example:465?tls.servername=smtp.example")',
        ),
    ],
)
def test_a_url_with_a_password_or_a_tls_credential_is_a_secret(url: str, line: str) -> None:
    """nodemailer takes `url` instead of the whole config: its password, and `tls.*` credentials in its query."""
    plan = make_plan(Desired(config(), ()), live(config(url=url)))
    assert f"  {line}" in plan.lines()


def test_an_unchanged_proxy_with_a_password_is_an_unchanged_secret() -> None:
    proxy = "http://u:pr0xy-pw@px.example:3128"
    changes, unchanged = diff_config(config(proxy=proxy), config(proxy=proxy, port=465))
    assert changes == [ConfigChange(("port",), "changed", 587, 465)]
    assert unchanged == [("auth", "pass"), ("proxy",)]
    assert diff_config(config(proxy="http://px.example:1"), config(proxy="http://px.example:1")) == (
        [],
        [("auth", "pass")],
    )


def test_secret_keys_nested_anywhere_are_secrets() -> None:
    old = config(tls={"key": "k3y-text-1"}, dkim={"privateKey": "dk1m-text"})
    new = config(tls={"key": "k3y-text-2"}, dkim={"privateKey": "dk1m-text"}, host="smtp2.mailhost.example")
    plan = make_plan(Desired(new, ()), live(old))
    assert plan.lines()[1:] == [
        '  ~ host: "smtp.mailhost.example" -> "smtp2.mailhost.example"',
        "  ~ tls.key: changed (secret)",
        "  = auth.pass: unchanged (secret)",
        "  = dkim.privateKey: unchanged (secret)",
    ]


def test_templates_compare_by_usage_type_and_long_values_by_size() -> None:
    body = "x" * 80
    old = config()
    new = config(
        templates=[{"usageType": "SignIn", "contentType": "text/html", "subject": "Hi", "content": body}]
    )
    plan = make_plan(Desired(new, ()), live(old))
    assert plan.lines()[1:] == [
        '  ~ templates[SignIn].contentType: "text/plain" -> "text/html"',
        '  ~ templates[SignIn].content: "{{code}}" -> (80 characters)',
        "  = auth.pass: unchanged (secret)",
    ]


def test_the_template_store_puts_changes_and_keeps_or_prunes_the_rest() -> None:
    desired = Desired(
        config(), (entry("fr", "SignIn", subject="Code"), entry("fr", "Register"), entry("es", "Generic"))
    )
    current = live(config(), entry("fr", "SignIn"), entry("es", "Generic"), entry("it", "Generic"))
    plan = make_plan(desired, current)
    assert plan.lines() == [
        f"connector {SMTP_CONNECTOR_ID} (id conn-42): no changes",
        "email templates:",
        "  ~ fr SignIn (subject)",
        "  + fr Register",
        "  note: it Generic is in Logto but not in the project (kept; --prune-templates deletes it)",
    ]
    assert [t.id for t in plan.puts] == ["id-fr-SignIn", None]
    assert plan.deletes == ()
    assert plan.summary() == "put 2 email templates"
    pruned = make_plan(desired, current, prune=True)
    assert [(t.name, t.kind, t.id) for t in pruned.deletes] == [("it Generic", "removed", "id-it-Generic")]
    assert pruned.kept == ()
    assert pruned.summary() == "put 2 email templates, delete 1 email template"


def test_kept_templates_are_noted_when_nothing_else_changes() -> None:
    plan = make_plan(Desired(config(), ()), live(config(), entry("pt", "Register")))
    assert plan.lines() == [
        "no changes: Logto holds what the project builds",
        "  note: pt Register is in Logto but not in the project (kept; --prune-templates deletes it)",
    ]


def test_a_kept_template_in_the_fallback_language_names_the_templates_it_shadows() -> None:
    two = config(
        templates=[
            {"usageType": "SignIn", "contentType": "text/plain", "subject": "Hi", "content": "{{code}}"},
            {"usageType": "Generic", "contentType": "text/plain", "subject": "Hi", "content": "{{code}}"},
        ]
    )
    # en Generic: Logto's last store fallback, before any connector template, for every type.
    plan = make_plan(Desired(two, (), "en"), live(two, entry("en", "Generic")))
    assert plan.lines()[1] == (
        "  note: en Generic is in Logto but not in the project (kept; --prune-templates deletes it); in the "
        "fallback language `en`, Logto sends it instead of the project's SignIn, Generic templates (the "
        "connector config's) in every language without a store template of its own, and in deploy "
        "--test-to's test send"
    )
    # A store SignIn in the fallback language comes first for SignIn: en Generic then hides Generic only.
    plan = make_plan(Desired(two, (), "en"), live(two, entry("en", "Generic"), entry("en", "SignIn")))
    assert [why.split("sends it instead of ")[1].split(" (")[0] for why in plan.shadows] == [
        "the project's Generic template",
        "the project's SignIn template",
    ]
    # Another language: the project's template of that type, for that language's users.
    plan = make_plan(Desired(two, (), "en"), live(two, entry("de", "SignIn"), entry("de", "Register")))
    assert plan.shadows == (
        "Logto sends it instead of the project's SignIn template to users whose language is de",
        "",  # the project has no Register template to hide
    )
    # Another fallback language: en Generic is then just another language's Generic.
    plan = make_plan(Desired(two, (), "fr"), live(two, entry("en", "Generic")))
    assert plan.shadows == (
        "Logto sends it instead of the project's Generic template to users whose language is en",
    )
    assert make_plan(Desired(two, (), "en"), live(two, entry("en", "Generic")), prune=True).shadows == ()
