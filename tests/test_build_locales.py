"""build with template files and languages: ENV.email-templates.json beside the config, --locales-out,
--keep-refs, and --check (what a team that commits built files runs in CI and in pre-commit)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector.build.outputs import build
from connector.errors import InputError

from .conftest import CliRunner
from .projects import TEMPLATES, write_project

PROJECT = (
    "provider: sendgrid\nfromEmail: Acme <no-reply@acme.example>\nlanguage: en\n"
    "variables: {brand: Acme, support: help@acme.example}\n"
    + TEMPLATES.replace(
        "    subject: Sign in\n",
        "    subject: {jinja: '{{ brand }} sign-in'}\n"
        "    replyTo: {jinja: '{{ support }}'}\n"
        "    locales:\n"
        "      fr:\n"
        "        subject: {jinja: 'Connexion {{ brand }}'}\n"
        "        content: {file: templates/fr/sign-in.txt.j2}\n",
    )
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path / "email",
        {
            "smtp-connector.yaml": PROJECT,
            "environments/dev.yaml": "provider: dev-sink\nvariables: {brand: Acme Dev}\n",
            "environments/prod.yaml": "auth:\n  pass: ${SMTP_PASS}\n",
            "templates/fr/sign-in.txt.j2": "Votre code {{ brand }} : {{  code}}\n",
        },
    )


def test_the_variants_file_is_ready_for_logtos_management_api(project: Path) -> None:
    built = build(project, "dev")
    assert built.language == "en"
    sign_in = next(t for t in built.config.templates if t.usageType == "SignIn")
    assert (sign_in.subject, sign_in.replyTo) == ("Acme Dev sign-in", "help@acme.example")
    assert json.loads(built.templates_text or "") == {
        "templates": [
            {
                "languageTag": "fr",
                "templateType": "SignIn",
                "details": {
                    "subject": "Connexion Acme Dev",
                    "content": "Votre code Acme Dev : {{  code}}",  # the odd spacing kept for Logto
                    "contentType": "text/plain",  # inherited, as replyTo is
                    "replyTo": "help@acme.example",
                },
            }
        ]
    }


def test_out_dir_writes_the_variants_next_to_each_config(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = cli("build", str(project), "--all", "--out-dir", str(out), env={"SMTP_PASS": "k"})
    assert sorted(p.name for p in out.iterdir()) == [
        "dev.email-templates.json",
        "dev.json",
        "prod.email-templates.json",
        "prod.json",
    ]
    assert f"wrote {out / 'prod.email-templates.json'}" in result.stderr.splitlines()


def test_o_file_writes_the_variants_beside_it_or_where_told(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    cli("build", str(project), "--env", "dev", "-o", str(tmp_path / "dev.json"))
    assert (tmp_path / "dev.email-templates.json").is_file()
    cli(
        "build",
        str(project),
        "--env",
        "dev",
        "-o",
        str(tmp_path / "a.json"),
        "--locales-out",
        str(tmp_path / "l.json"),
    )
    assert (tmp_path / "l.json").read_text() == (tmp_path / "dev.email-templates.json").read_text()
    assert not (tmp_path / "a.email-templates.json").exists()


def test_stdout_keeps_working_with_variants_the_languages_go_to_the_out_folder(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    # The README's headline command, once a locale exists (issue #22, item 6): the connector config on
    # standard output, as before, and the other languages where `build --all --out-dir PROJECT/out/` puts them.
    result = cli("build", str(project), "--env", "dev")
    assert json.loads(result.stdout)["host"] == "127.0.0.1"
    beside = project / "out" / "dev.email-templates.json"
    assert f"wrote {beside}" in result.stderr
    assert json.loads(beside.read_text())["templates"][0]["languageTag"] == "fr"
    all_built = cli(
        "build", str(project), "--all", "--out-dir", str(tmp_path / "all"), env={"SMTP_PASS": "s"}
    )
    assert "wrote" in all_built.stderr
    assert (tmp_path / "all" / "dev.email-templates.json").read_text() == beside.read_text()
    result = cli("build", str(project), "--env", "dev", "--locales-out", str(tmp_path / "fr.json"))
    assert json.loads(result.stdout)["host"] == "127.0.0.1"
    assert json.loads((tmp_path / "fr.json").read_text())["templates"][0]["languageTag"] == "fr"
    assert (
        "--locales-out names one file"
        in cli(
            "build", str(project), "--all", "--out-dir", str(tmp_path), "--locales-out", "x", expect=2
        ).stderr
    )


def test_keep_refs_builds_without_secrets(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    target = tmp_path / "prod.json"
    cli("build", str(project), "--env", "prod", "-o", str(target), "--keep-refs")
    assert json.loads(target.read_text())["auth"]["pass"] == "${SMTP_PASS}"


def test_check_passes_when_the_files_are_up_to_date(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli("build", str(project), "--all", "--out-dir", str(out), "--keep-refs")
    before = {p.name: p.read_text() for p in out.iterdir()}
    result = cli("build", "--check", str(project), "--all", "--out-dir", str(out))
    assert result.stderr == "up to date: 4 files\n"
    assert {p.name: p.read_text() for p in out.iterdir()} == before


def test_check_names_every_stale_file_and_key_without_values(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    cli("build", str(project), "--all", "--out-dir", str(out), "--keep-refs")
    # A committed file that someone built with the real secret, and edited by hand.
    prod = json.loads((out / "prod.json").read_text())
    prod["auth"]["pass"] = "real-secret-value"
    prod["port"] = 2525
    (out / "prod.json").write_text(json.dumps(prod))
    (out / "dev.email-templates.json").unlink()
    (project / "templates" / "fr" / "sign-in.txt.j2").write_text("Code {{ brand }} : {{code}}\n")
    result = cli("build", "--check", str(project), "--all", "--out-dir", str(out), expect=1)
    assert result.stderr.splitlines() == [
        f"error: {out / 'dev.email-templates.json'}: missing",
        f"error: {out / 'prod.json'}: differs at port, auth.pass",
        f"error: {out / 'prod.email-templates.json'}: differs at templates[fr SignIn].details.content",
        f"to update them, run: smtp-connector build {project} --all --out-dir {out} --keep-refs",
    ]
    assert "real-secret-value" not in result.stdout + result.stderr
    assert not (out / "dev.email-templates.json").exists()  # --check writes nothing


def test_check_reports_a_variants_file_that_is_no_longer_built(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    target = tmp_path / "dev.json"
    cli("build", str(project), "--env", "dev", "-o", str(target), "--keep-refs")
    with (project / "environments" / "dev.yaml").open("a") as fh:
        fh.write("templates:\n  - {usageType: SignIn, locales: null}\n")
    result = cli("build", str(project), "--env", "dev", "-o", str(target), "--check", expect=1)
    assert result.stderr.splitlines()[0] == (
        f"error: {tmp_path / 'dev.email-templates.json'}: no longer built (no template has `locales` now); "
        "delete it"
    )
    assert "--check compares files" in cli("build", str(project), "--env", "dev", "--check", expect=2).stderr


def test_check_tells_formatting_and_broken_files_apart(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    target = tmp_path / "prod.json"
    cli("build", str(project), "--env", "prod", "-o", str(target), "--keep-refs")
    target.write_text(json.dumps(json.loads(target.read_text())))
    result = cli("build", str(project), "--env", "prod", "-o", str(target), "--check", expect=1)
    assert f"error: {target}: differs in formatting only" in result.stderr
    target.write_text("{")
    result = cli("build", str(project), "--env", "prod", "-o", str(target), "--check", expect=1)
    assert f"error: {target}: differs (it is not valid JSON)" in result.stderr


def test_an_error_in_a_template_file_stops_the_build_at_its_line(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    (project / "templates" / "fr" / "sign-in.txt.j2").write_text("Code\n{{ brnd }} {{code}}\n")
    result = cli(
        "build", str(project), "--all", "--out-dir", str(tmp_path / "out"), env={"SMTP_PASS": "k"}, expect=1
    )
    path = project / "templates" / "fr" / "sign-in.txt.j2"
    # Both environments fail the same way: reported once.
    assert result.stderr.splitlines() == [
        f"{path}:2:4: error SC602 undefined build variable `brnd`; did you mean `brand`? (hint: rename it to `brand`)"
    ]
    assert not (tmp_path / "out").exists()


def test_a_variant_without_content_is_refused_where_it_is_written(project: Path) -> None:
    text = (
        (project / "smtp-connector.yaml")
        .read_text()
        .replace("        content: {file: templates/fr/sign-in.txt.j2}\n", "")
    )
    (project / "smtp-connector.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        build(project, "dev")
    [finding] = caught.value.findings
    assert (finding.rule, finding.line, finding.column) == ("SC203", 11, 7)
    assert finding.message == (
        'missing required key `content` in the `fr` variant of template "SignIn" '
        "(a variant inherits only contentType, replyTo and sendFrom)"
    )


@pytest.mark.parametrize(
    ("on_disk", "built", "where"),
    [
        # A template repeated in the file (same usageType twice) is a difference, not one entry of two.
        (
            [{"usageType": "Register", "subject": "R"}] * 2,
            [{"usageType": "Register", "subject": "R"}],
            "templates",
        ),
        (
            [{"usageType": "Register", "subject": "R"}],
            [{"usageType": "Register", "subject": "R"}, {"usageType": "Register", "subject": "Q"}],
            "templates",
        ),
        ([{"subject": "R"}], [{"usageType": "Register", "subject": "R"}], "templates"),
        (
            [{"languageTag": "de", "templateType": "Generic", "details": {"subject": "G"}}] * 2,
            [{"languageTag": "de", "templateType": "Generic", "details": {"subject": "G"}}],
            "templates",
        ),
        (
            [{"usageType": "Register", "subject": "R"}, {"usageType": "Generic", "subject": "G"}],
            [{"usageType": "Register", "subject": "R2"}, {"usageType": "Generic", "subject": "G"}],
            "templates[Register].subject",
        ),
    ],
)
def test_check_compares_repeated_templates_as_lists(
    tmp_path: Path, on_disk: list[Any], built: list[Any], where: str
) -> None:
    from connector.build.check import stale_outputs

    target = tmp_path / "qa.json"
    target.write_text(json.dumps({"port": 2465, "templates": on_disk}))
    assert stale_outputs({target: json.dumps({"port": 2465, "templates": built})}) == [
        f"{target}: differs at {where}"
    ]
