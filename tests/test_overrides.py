"""--set KEY.PATH=VALUE: key paths, typed values, and the layer they make."""

from __future__ import annotations

import pytest

from connector.errors import InputError, UsageError
from connector.project.overrides import key_path, parse_overrides


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("port", ("port",)),
        ("auth.user", ("auth", "user")),
        ("templates.SignIn.subject", ("templates", "SignIn", "subject")),
        ("templates[SignIn].subject", ("templates", "SignIn", "subject")),
        ("auth..user", ()),
        ("", ()),
    ],
)
def test_key_paths(text: str, path: tuple[str, ...]) -> None:
    assert key_path(text) == path


def test_the_layer_and_its_positions() -> None:
    doc = parse_overrides(
        ["port=465", "auth.user=me", "templates.SignIn.subject=Hi {{code}}", "replyTo=", "name='x: y'"]
    )
    assert doc.data == {
        "port": 465,
        "auth": {"user": "me"},
        "templates": [{"usageType": "SignIn", "subject": "Hi {{code}}"}],
        "replyTo": None,
        "name": "x: y",
    }
    assert str(doc.locate(("auth", "user"))) == "--set:2:11"
    assert str(doc.locate(("auth", "user"), key=True)) == "--set:2:6"  # the key `user`, at its column
    assert str(doc.locate(("auth",), key=True)) == "--set:2:1"
    assert str(doc.locate(("templates", 0), key=True)) == "--set:3:11"  # the usage type names the template
    assert str(doc.locate(("templates", 0, "subject"))) == "--set:3:26"


def test_two_fields_of_one_template_and_a_later_value_wins() -> None:
    doc = parse_overrides(["templates.Generic.subject=a", "templates.Generic.content=b", "port=1", "port=2"])
    assert doc.data == {"templates": [{"usageType": "Generic", "subject": "a", "content": "b"}], "port": 2}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("port", "--set 'port': expected KEY.PATH=VALUE"),
        ("=1", "--set ''=...: no key path before `=`"),
        ("auth..pass=Hunter2Canary", "--set 'auth..pass'=...: an empty part in the key path"),
        ("templates.SignIn=null", "--set 'templates.SignIn=null': set one field of a template"),
        ("name='open", "--set: the quoted value 'open is not one YAML string; close the quote"),
    ],
)
def test_malformed_options(item: str, message: str) -> None:
    with pytest.raises(UsageError) as e:
        parse_overrides([item])
    assert str(e.value).startswith(message)
    assert "Hunter2Canary" not in e.value.describe()


def test_a_path_that_names_nothing_carries_its_key_path_as_data() -> None:
    with pytest.raises(InputError) as e:
        parse_overrides(["templates.Signin.subject=x", "auth.user.x=1"])
    assert [(f.rule, f.key_path, f.kind) for f in e.value.findings] == [
        ("SC101", ("templates", "Signin"), "unknown-usage-type"),
        ("SC202", ("auth", "user"), "wrong-type"),
    ]
