"""One problem, one finding: text a project layer and an environment's rendering both check (a language
variant's own text, a field every variant inherits) is reported once, as the environment words it; when no
environment renders it (none composes, `--env` names another, another layer overrides it), the layer's
finding is the only one, and it stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.lint import lint_paths

from .projects import PROJECT, write_project

FR = """templates:
  - usageType: SignIn
    locales:
      fr:
        subject: Votre code <host>
        content: "x {{code}}"
"""
VARIANT = 'template "SignIn" (fr) subject still holds the example value `<host>`'
LAYER = 'template "SignIn" locales.fr.subject still holds the example value `<host>`'
# The base's SignIn with a variant of its own, and fields the variant inherits.
BASE_FR = PROJECT.replace(
    "    subject: Sign in\n",
    "    subject: Sign in\n"
    '    sendFrom: "a@@b"\n'
    '    replyTo: "<reply-to>"\n'
    "    locales:\n"
    "      fr:\n"
    "        subject: Votre code <host>\n"
    '        content: "x {{code}}"\n',
    1,
)


def _found(
    paths: list[str], rules: tuple[str, ...] = ("SC401",), env: str | None = None
) -> list[tuple[str, int, int, str]]:
    result = lint_paths(paths, env=env)
    return [(Path(f.file).name, f.line, f.column, f.message) for f in result.findings if f.rule in rules]


@pytest.mark.parametrize(
    "given", ["email", "email/environments/prod.yaml", "{tmp}/email", "{tmp}/email/environments/prod.yaml"]
)
def test_a_variants_text_is_reported_once_with_its_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    # Run from the project's parent: the project's files are named relative to here, a changed file given
    # as an absolute path is named as given, and they are still one problem.
    write_project(tmp_path / "email", {"environments/prod.yaml": FR})
    monkeypatch.chdir(tmp_path)
    assert _found([given.format(tmp=tmp_path)]) == [("prod.yaml", 5, 29, VARIANT)]


JINJA = FR.replace("Votre code <host>", '{jinja: "Votre code <host>"}')
# The environment's SignIn second in its own list, first in the merged one.
SECOND = FR.replace("templates:\n", "templates:\n  - usageType: Register\n    subject: Register\n")


@pytest.mark.parametrize(("prod", "where"), [(JINJA, (5, 38)), (SECOND, (7, 29))])
def test_a_variants_text_is_one_problem_however_written(
    tmp_path: Path, prod: str, where: tuple[int, int]
) -> None:
    write_project(tmp_path, {"environments/prod.yaml": prod})
    assert _found([str(tmp_path)]) == [("prod.yaml", *where, VARIANT)]


def test_a_variant_in_a_project_without_environments_is_reported_once(tmp_path: Path) -> None:
    write_project(tmp_path, {"smtp-connector.yaml": BASE_FR})
    assert _found([str(tmp_path)]) == [
        (
            "smtp-connector.yaml",
            8,
            15,
            'template "SignIn" replyTo still holds the example value `<reply-to>`',
        ),
        ("smtp-connector.yaml", 11, 29, VARIANT),
    ]


def test_a_field_the_variants_inherit_is_reported_once_as_the_templates(tmp_path: Path) -> None:
    # Two environments, two languages: each renders the base's sendFrom in its config and in each variant.
    de = '      de:\n        subject: Ihr Code\n        content: "x {{code}}"\n'
    base = BASE_FR.replace('        content: "x {{code}}"\n', '        content: "x {{code}}"\n' + de, 1)
    write_project(
        tmp_path, {"smtp-connector.yaml": base, "environments/dev.yaml": "", "environments/prod.yaml": ""}
    )
    assert _found([str(tmp_path)], ("SC401", "SC405")) == [
        (
            "smtp-connector.yaml",
            7,
            16,
            'template "SignIn" sendFrom is not an email address: nodemailer reads the address "a@@b"',
        ),
        (
            "smtp-connector.yaml",
            8,
            15,
            'template "SignIn" replyTo still holds the example value `<reply-to>`',
        ),
        ("smtp-connector.yaml", 11, 29, VARIANT),
    ]


def test_an_environment_that_does_not_compose_leaves_the_layers_finding(tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": "provider: nosuch\n" + FR})
    assert _found([str(tmp_path)], ("SC401", "SC501")) == [
        ("prod.yaml", 1, 11, "unknown provider `nosuch`"),
        ("prod.yaml", 6, 29, LAYER),
    ]


def test_an_environment_not_composed_leaves_the_layers_finding(tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": FR, "environments/dev.yaml": ""})
    assert _found([str(tmp_path)], env="dev") == [("prod.yaml", 5, 29, LAYER)]
    assert _found([str(tmp_path)], env="prod") == [("prod.yaml", 5, 29, VARIANT)]


def test_text_an_environment_overrides_is_still_the_layers_to_report(tmp_path: Path) -> None:
    # prod renders its own fr subject, never the base's: the base's is reported as the base has it.
    override = FR.replace("Votre code <host>", "Votre code")
    write_project(tmp_path, {"smtp-connector.yaml": BASE_FR, "environments/prod.yaml": override})
    base_fr = [f for f in _found([str(tmp_path)]) if f[1] == 11]
    assert base_fr == [("smtp-connector.yaml", 11, 29, LAYER)]
    # dev renders it: one finding, the variant's.
    (tmp_path / "environments" / "dev.yaml").write_text("")
    base_fr = [f for f in _found([str(tmp_path)]) if f[1] == 11]
    assert base_fr == [("smtp-connector.yaml", 11, 29, VARIANT)]


def test_problems_at_one_place_stay_apart(tmp_path: Path) -> None:
    # An escape in the string: the text does not read as written, so both examples stand at its start.
    escaped = FR.replace("Votre code <host>", '"Votre\\tcode <host> <user>"')
    write_project(tmp_path, {"environments/prod.yaml": escaped})
    assert _found([str(tmp_path)]) == [
        ("prod.yaml", 5, 18, VARIANT),
        ("prod.yaml", 5, 18, VARIANT.replace("<host>", "<user>")),
    ]
    # Keys missing from the composed config, each at the top of the project file.
    write_project(
        tmp_path,
        {
            "smtp-connector.yaml": PROJECT.replace(
                "provider: sendgrid\nfromEmail: Acme <no-reply@acme.example>\n", ""
            )
        },
    )
    assert [(line, column, message) for _, line, column, message in _found([str(tmp_path)], ("SC203",))] == [
        (1, 1, f"missing required key `{key}`") for key in ("auth", "fromEmail", "host", "port")
    ]
