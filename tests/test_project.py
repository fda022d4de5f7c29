"""Loading projects and composing their layers: values, positions, and the findings for mistakes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from connector.build.outputs import build_config
from connector.diagnostics.findings import Location
from connector.errors import InputError, UsageError
from connector.project.layers import State
from connector.project.layout import compose, load_project
from connector.source.loader import Document

from .conftest import ROOT
from .merge_oracle import apply
from .projects import PROJECT, write_project
from .test_merge import LAYERS


def _messages(error: InputError) -> list[str]:
    return [f.format() for f in error.findings]


def test_a_project_knows_its_environments_provider_and_files(tmp_path: Path) -> None:
    write_project(
        tmp_path, {"environments/prod.yaml": "port: 2525\n", "environments/dev.yaml": "provider: dev-sink\n"}
    )
    project = load_project(tmp_path)
    assert project.environments == ("dev", "prod")
    assert project.provider == "sendgrid"
    assert list(project.files) == [
        "provider:sendgrid",
        "provider:dev-sink",
        "project",
        "environment:dev",
        "environment:prod",
    ]
    assert load_project(tmp_path / "smtp-connector.yaml").root == tmp_path


def test_a_folder_without_project_file_is_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        load_project(tmp_path)
    assert _messages(e.value) == [
        f"{tmp_path}:1:1: error SC507 {tmp_path} is not an smtp-connector project: it has no smtp-connector.yaml "
        "(hint: name the folder that holds smtp-connector.yaml, or create a project with "
        "`smtp-connector init DIR --provider NAME`)"
    ]


def test_an_unknown_provider_suggests_the_closest(tmp_path: Path) -> None:
    write_project(tmp_path, {"smtp-connector.yaml": PROJECT.replace("sendgrid", "sendgird")})
    with pytest.raises(InputError) as e:
        load_project(tmp_path)
    assert _messages(e.value) == [
        f"{tmp_path}/smtp-connector.yaml:1:11: error SC501 unknown provider `sendgird`; did you mean `sendgrid`? "
        "(hint: rename it to `sendgrid`)"
    ]


def test_an_unknown_key_in_an_environment_file_points_at_it(tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": "# production\nhots: smtp.example.com\n"})
    with pytest.raises(InputError) as e:
        load_project(tmp_path)
    assert _messages(e.value) == [
        f"{tmp_path}/environments/prod.yaml:2:1: error SC201 unknown key `hots`: Logto saves it, and nodemailer ignores it: the setting does nothing; did you mean `host`? "
        "(hint: rename it to `host`)"
    ]


def test_an_unknown_auth_key_names_the_form(tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": "auth:\n  usr: me\n"})
    with pytest.raises(InputError) as e:
        load_project(tmp_path)
    assert _messages(e.value) == [
        f"{tmp_path}/environments/prod.yaml:2:3: error SC201 unknown key `usr` in auth (login form): Logto saves it, and nodemailer ignores it: the setting does nothing; "
        "did you mean `user`? (hint: rename it to `user`)"
    ]


def test_a_wrong_type_in_a_source_file_is_reported_where_written(tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": 'port: "2525"\n'})
    with pytest.raises(InputError) as e:
        load_project(tmp_path)
    assert _messages(e.value) == [
        f'{tmp_path}/environments/prod.yaml:1:7: error SC202 port: expected an integer, got the string "2525"; Logto refuses to save this config '
        "(hint: write 2525 without quotes)"
    ]


def test_a_template_without_usage_type_cannot_merge(tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": "templates:\n  - subject: Hi\n"})
    with pytest.raises(InputError) as e:
        load_project(tmp_path)
    assert _messages(e.value) == [
        f"{tmp_path}/environments/prod.yaml:2:5: error SC203 missing required key `usageType` in templates[0] "
        "(hint: add `usageType:`)"
    ]


def test_the_same_usage_type_twice_in_one_file(tmp_path: Path) -> None:
    text = "templates:\n  - usageType: SignIn\n    subject: a\n  - usageType: SignIn\n    subject: b\n"
    write_project(tmp_path, {"environments/prod.yaml": text})
    with pytest.raises(InputError) as e:
        load_project(tmp_path)
    assert _messages(e.value) == [
        f"{tmp_path}/environments/prod.yaml:4:16: error SC504 a second template for usageType `SignIn` in this "
        "file (the first is at line 2) (hint: keep one template per usage type in a file; other files change "
        "it by repeating its usageType)"
    ]


def test_a_bad_environment_file_name(tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/-x.yaml": "port: 1\n"})
    with pytest.raises(InputError) as e:
        load_project(tmp_path)
    assert _messages(e.value) == [
        f"{tmp_path}/environments/-x.yaml:1:1: error SC508 `-x` is not a usable environment name "
        "(hint: use letters, digits, `-`, `_` and `.`; one file per environment)"
    ]


def test_a_provider_overlay_may_be_a_file_of_the_project(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "smtp-connector.yaml": PROJECT.replace("sendgrid", "relay.yaml"),
            "relay.yaml": "host: relay.internal\nport: 25\nauth:\n  type: login\n",
        },
    )
    composed = compose(load_project(tmp_path), None)
    assert composed.data["host"] == "relay.internal"
    assert composed.origin(("host",)).layer_name == "provider:relay.yaml"
    assert composed.locate(("port",)) == Location(f"{tmp_path}/relay.yaml", 2, 7)


def test_a_provider_overlay_cannot_name_a_provider(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {"smtp-connector.yaml": PROJECT.replace("sendgrid", "relay.yaml"), "relay.yaml": "provider: gmail\n"},
    )
    with pytest.raises(InputError) as e:
        load_project(tmp_path)
    assert _messages(e.value) == [
        f"{tmp_path}/relay.yaml:1:1: error SC506 a provider overlay cannot name another provider "
        "(hint: copy the settings you need into this file instead)"
    ]


@pytest.fixture
def layered(tmp_path: Path) -> Path:
    return write_project(
        tmp_path,
        {
            "environments/prod.yaml": (
                "port: 2525\n"
                "auth:\n"
                "  pass: ${SMTP_PASS}\n"
                "replyTo: null\n"
                "templates:\n"
                "  - usageType: SignIn\n"
                "    subject: Prod sign in\n"
            ),
            "environments/dev.yaml": "provider: dev-sink\n",
        },
    )


def test_each_value_comes_from_the_right_layer(layered: Path) -> None:
    composed = compose(load_project(layered), "prod", resolve=False)
    prod, base = f"{layered}/environments/prod.yaml", f"{layered}/smtp-connector.yaml"
    assert composed.locate(("host",)) == Location("providers/sendgrid.yaml", 5, 7)
    assert composed.locate(("port",)) == Location(prod, 1, 7)
    assert composed.locate(("auth", "user")) == Location("providers/sendgrid.yaml", 12, 9)
    assert composed.locate(("auth", "pass")) == Location(prod, 3, 9)
    assert composed.locate(("fromEmail",)) == Location(base, 2, 12)
    assert composed.locate(("templates", 0, "subject")) == Location(prod, 7, 14)
    assert composed.locate(("templates", 0, "content")) == Location(base, 7, 14)
    assert composed.locate(("templates", 1, "subject"), key=True) == Location(base, 10, 5)
    assert composed.data["templates"][0]["subject"] == "Prod sign in"
    assert composed.data["auth"] == {"user": "apikey", "pass": "${SMTP_PASS}"}


def test_an_origin_remembers_what_it_overrode(layered: Path) -> None:
    composed = compose(load_project(layered), "prod", resolve=False)
    origin = composed.origin(("port",))
    assert (origin.layer_name, origin.value) == ("environment:prod", 2525)
    assert [(o.layer_name, o.value, str(o.location)) for o in origin.overrode] == [
        ("provider:sendgrid", 587, "providers/sendgrid.yaml:7:7")
    ]


def test_an_environment_may_switch_the_provider(layered: Path) -> None:
    composed = compose(load_project(layered), "dev")
    assert (composed.data["host"], composed.data["port"], composed.provider) == (
        "127.0.0.1",
        2525,
        "dev-sink",
    )
    assert composed.origin(("host",)).layer_name == "provider:dev-sink"
    assert "requireTLS" not in composed.data


def test_null_removes_and_is_remembered(layered: Path) -> None:
    composed = compose(load_project(layered), "prod", resolve=False)
    assert "replyTo" not in composed.data
    base = compose(load_project(layered), None, resolve=False)
    assert "replyTo" not in base.data  # the project never set it: removing nothing is fine


def test_the_base_has_no_environment_layer(layered: Path) -> None:
    composed = compose(load_project(layered), None, resolve=False)
    assert composed.env is None
    assert composed.data["port"] == 587


def test_an_unknown_environment_is_a_usage_error(layered: Path) -> None:
    with pytest.raises(UsageError) as e:
        compose(load_project(layered), "prd")
    assert str(e.value) == f"no environment `prd` in {layered} (it has dev, prod); did you mean `prod`?"


def test_set_is_the_highest_layer(layered: Path) -> None:
    project = load_project(layered)
    composed = compose(
        project,
        "prod",
        overrides=["port=465", "secure=true", "templates.SignIn.subject=Hi {{code}}", "requireTLS=null"],
        resolve=False,
    )
    assert (composed.data["port"], composed.data["secure"]) == (465, True)
    assert "requireTLS" not in composed.data
    assert composed.data["templates"][0]["subject"] == "Hi {{code}}"
    assert composed.locate(("port",)) == Location("--set", 1, 6)
    assert composed.locate(("templates", 0, "subject")) == Location("--set", 3, 26)
    assert composed.origin(("port",)).layer_name == "override"
    assert [o.layer_name for o in composed.origin(("port",)).overrode] == [
        "environment:prod",
        "provider:sendgrid",
    ]


def test_set_values_follow_the_loaders_yaml_rules(layered: Path) -> None:
    with pytest.raises(InputError) as e:
        compose(load_project(layered), "prod", overrides=["port=2525", "secure=yes"], resolve=False)
    assert _messages(e.value) == [
        "--set:2:8: error SC008 `yes` is a boolean in YAML 1.1 but text in YAML 1.2 (hint: write true, or quote "
        'it if you mean the text: "yes")'
    ]


def test_a_misspelt_set_key_is_an_unknown_key(layered: Path) -> None:
    with pytest.raises(InputError) as e:
        compose(load_project(layered), "prod", overrides=["prot=25"], resolve=False)
    assert _messages(e.value) == [
        "--set:1:1: error SC201 unknown key `prot`: Logto saves it, and nodemailer ignores it: the setting does nothing; did you mean `port`? (hint: rename it to `port`)"
    ]


def test_a_malformed_set_is_a_usage_error(layered: Path) -> None:
    with pytest.raises(UsageError, match=r"--set 'port': expected KEY.PATH=VALUE"):
        compose(load_project(layered), "prod", overrides=["port"])


def test_a_quoted_set_value_stays_text(layered: Path) -> None:
    composed = compose(load_project(layered), "prod", overrides=['name="465"'], resolve=False)
    assert composed.data["name"] == "465"


def test_a_value_that_is_wrong_only_once_merged_points_at_its_layer(tmp_path: Path) -> None:
    write_project(
        tmp_path, {"environments/prod.yaml": "templates:\n  - usageType: BindMfa\n    subject: Hi\n"}
    )
    with pytest.raises(InputError) as e:
        build_config(tmp_path, "prod", environ={"SMTP_PASS": "key-1234"})
    assert _messages(e.value) == [
        f"{tmp_path}/environments/prod.yaml:2:5: error SC203 missing required key `contentType` in templates[4] "
        "(hint: add `contentType:`)",
        f"{tmp_path}/environments/prod.yaml:2:5: error SC203 missing required key `content` in templates[4] "
        "(hint: add `content:`)",
    ]


def test_an_empty_auth_points_at_the_empty_value(tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": "provider: null\nhost: relay\nport: 25\nauth: {}\n"})
    with pytest.raises(InputError) as e:
        build_config(tmp_path, "prod")
    assert _messages(e.value) == [
        f"{tmp_path}/environments/prod.yaml:4:1: error SC402 `auth` is empty: Logto deletes empty values when it "
        "saves a config, and every send of the saved config then fails because `auth` is required (hint: fill in user and pass; a relay "
        "without credentials needs `auth: {type: login}` and must not advertise AUTH)"
    ]


def test_empty_strings_are_dropped_like_logto_does(tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": 'replyTo: ""\ntls: {}\ncustomHeaders:\n  X-A: ""\n'})
    config = build_config(tmp_path, "prod", environ={"SMTP_PASS": "key-1234"})
    data = config.to_logto()
    assert "replyTo" not in data and "tls" not in data and "customHeaders" not in data


@settings(max_examples=300)
@given(LAYERS, LAYERS, LAYERS)
def test_composing_with_provenance_gives_the_same_data_as_the_merge_rules(
    a: dict[str, Any], b: dict[str, Any], c: dict[str, Any]
) -> None:
    state = State()
    for i, layer in enumerate((a, b, c)):
        state.apply(Document(f"layer{i}.yaml", layer), f"layer{i}")
    assert state.data == apply({}, a, b, c)


def test_loading_and_composing_do_not_import_pydantic_or_jsonschema() -> None:
    # The lint hook loads and composes projects on every commit; its cold start is measured.
    code = (
        "import sys\n"
        "from connector.project.layout import load_project, compose\n"
        "project = load_project('examples/acme')\n"
        "for env in project.environments: compose(project, env, resolve=False)\n"
        "import connector.project.explain\n"
        "print(sorted(m for m in ('pydantic', 'jsonschema', 'jinja2') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"


def test_a_folder_named_like_an_environment_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "smtp-connector.yaml").write_text("provider: dev-sink\n")
    (tmp_path / "environments" / "qa.yaml").mkdir(parents=True)
    with pytest.raises(InputError) as raised:
        load_project(tmp_path)
    assert [f.format() for f in raised.value.findings] == [
        f"{tmp_path}/environments/qa.yaml:1:1: error SC001 is a folder, not a file (hint: name a YAML or JSON file)"
    ]
