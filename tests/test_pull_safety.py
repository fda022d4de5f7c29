"""pull against a hostile Logto: file names from its data stay inside DIR and are safe on every platform
(SC014, nothing written), a pull that fails leaves DIR exactly as it was, and pulled template text is never
read as Jinja2, whatever delimiters and whitespace control it holds: it is written to a plain file that
`{text: PATH}` takes as written."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.authoring.templates import TemplateRenderer
from connector.diagnostics.findings import Location

from .conftest import CliRunner
from .logto_server import SMTP_ID, FakeLogto

PASSWORD = "pw-Quokka-4417"
TYPES = ("SignIn", "Register", "ForgotPassword", "Generic")


def config(*extra: dict[str, Any], content: str = "Your code: {{code}}") -> dict[str, Any]:
    templates = [
        {"usageType": t, "contentType": "text/plain", "subject": f"{t} code", "content": content}
        for t in TYPES
    ]
    return {
        "host": "smtp.quokka.test",
        "port": 587,
        "auth": {"user": "mailer", "pass": PASSWORD},
        "fromEmail": "Quokka <mail@quokka.test>",
        "templates": [*templates, *extra],
    }


def env_of(fake: FakeLogto) -> dict[str, str]:
    return {
        "LOGTO_ENDPOINT": fake.url,
        "LOGTO_M2M_APP_ID": fake.app_id,
        "LOGTO_M2M_APP_SECRET": fake.app_secret,
    }


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under ``root``: file contents by hash, folders and links as such, modes included."""
    seen: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        info = path.lstat()
        if path.is_symlink():
            seen[rel] = f"link {os.readlink(path)}"
        elif path.is_dir():
            seen[rel] = f"dir {oct(info.st_mode)}"
        else:
            seen[rel] = f"file {oct(info.st_mode)} {hashlib.sha256(path.read_bytes()).hexdigest()}"
    return seen


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """A folder holding a project someone cares about and an existing pull target with a file of its own."""
    (tmp_path / "email" / "templates" / "en").mkdir(parents=True)
    (tmp_path / "email" / "templates" / "en" / "sign-in.txt").write_text("mine\n")
    (tmp_path / "victim.txt").write_text("keep me\n")
    (tmp_path / "pulled").mkdir()
    (tmp_path / "pulled" / "README.md").write_text("notes\n")
    return tmp_path


HOSTILE_USAGE_TYPES = [
    ("../../../victim", "path separator"),
    ("../../email/templates/en/sign-in", "path separator"),
    ("/tmp/quokka-abs", "path separator"),
    ("..\\..\\victim", "path separator"),
    ("Sign\x00Up", "NUL"),
    ("Aux", "device name"),
    ("Com7", "device name"),
    ("Tab\tType", "U+0009"),
    ("Bell\x07", "U+0007"),
    ("Sign\ud83dIn", "lone surrogate"),
    ("Q" * 300, "longer than 255 bytes"),
]


@pytest.mark.parametrize(("usage_type", "says"), HOSTILE_USAGE_TYPES)
def test_a_usage_type_that_cannot_name_a_file_writes_nothing(
    cli: CliRunner, logto: FakeLogto, world: Path, usage_type: str, says: str
) -> None:
    extra = {"usageType": usage_type, "contentType": "text/plain", "subject": "x", "content": "{{code}}"}
    logto.add_connector(SMTP_ID, config(extra))
    before = snapshot(world)
    for folder in (world / "pulled", world / "new" / "deeper"):
        result = cli("pull", str(folder), env=env_of(logto), expect=1)
        assert f"{logto.url}/api/connectors:1:1: error SC014 usage type `" in result.stderr
        assert says in result.stderr and "nothing was written" in result.stderr
        assert "Traceback" not in result.stderr and "\x00" not in result.stderr
        assert snapshot(world) == before


HOSTILE_TAGS = [
    ("fr/../../..", "path separator"),
    ("de/x", "path separator"),
    ("..", "names a folder"),
    ("nul", "device name"),
    ("es\x00", "NUL"),
    ("it\x1b[2J", "U+001B"),
    ("pt:BR", "Windows does not take"),
    ("de.", "ends with a dot"),
    ("en-GB ", "ends with a dot or a space"),
]


@pytest.mark.parametrize(("tag", "says"), HOSTILE_TAGS)
def test_a_language_tag_that_cannot_name_a_folder_writes_nothing(
    cli: CliRunner, logto: FakeLogto, world: Path, tag: str, says: str
) -> None:
    logto.add_connector(SMTP_ID, config())
    logto.add_template(
        "fr", "SignIn", {"subject": "Code", "content": "Code {{code}}", "contentType": "text/plain"}
    )
    logto.add_template(
        tag, "Register", {"subject": "S", "content": "C {{code}}", "contentType": "text/plain"}
    )
    before = snapshot(world)
    result = cli("pull", str(world / "pulled"), env=env_of(logto), expect=1)
    assert f"{logto.url}/api/email-templates:1:1: error SC014 language tag `" in result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr
    assert snapshot(world) == before


def test_two_names_one_file_where_case_is_ignored(cli: CliRunner, logto: FakeLogto, world: Path) -> None:
    twin = {"usageType": "signIn", "contentType": "text/plain", "subject": "x", "content": "other {{code}}"}
    logto.add_connector(SMTP_ID, config(twin))
    logto.add_template(
        "EN", "Generic", {"subject": "S", "content": "C {{code}}", "contentType": "text/plain"}
    )
    before = snapshot(world)
    result = cli("pull", str(world / "pulled"), env=env_of(logto), expect=1)
    assert (
        "`templates/en/sign-in.txt`" in result.stderr
        and "two templates would be the one file" in result.stderr
    )
    assert "`templates/EN/generic.txt` and `templates/en/generic.txt` would be one file" in result.stderr
    assert snapshot(world) == before


def test_language_option_that_cannot_name_a_folder_is_a_usage_error(
    cli: CliRunner, logto: FakeLogto, world: Path
) -> None:
    logto.add_connector(SMTP_ID, config())
    result = cli("pull", str(world / "pulled"), "--language", "../x", env=env_of(logto), expect=2)
    assert "--language" in result.stderr and "path separator" in result.stderr
    assert logto.requests == []


def test_a_link_out_of_dir_is_never_written_through(cli: CliRunner, logto: FakeLogto, world: Path) -> None:
    logto.add_connector(SMTP_ID, config())
    elsewhere = world / "elsewhere"
    elsewhere.mkdir()
    (world / "pulled" / "templates").symlink_to(elsewhere)
    before = snapshot(world)
    result = cli("pull", str(world / "pulled"), env=env_of(logto), expect=1)
    assert "outside" in result.stderr and str(elsewhere) in result.stderr
    assert snapshot(world) == before


def test_a_pull_that_does_not_build_back_leaves_dir_as_it_was(
    cli: CliRunner, logto: FakeLogto, world: Path
) -> None:
    broken = config()
    del broken["fromEmail"]  # Logto holds it; the build refuses it
    logto.add_connector(SMTP_ID, broken)
    before = snapshot(world)
    for folder in (world / "pulled", world / "fresh", world / "a" / "b" / "c"):
        result = cli("pull", str(folder), env=env_of(logto), expect=1)
        assert "does not give back Logto's config exactly" in result.stderr
        assert "wrote" not in result.stderr
        assert snapshot(world) == before  # no file, no staging folder, no parent made


def test_a_pull_into_an_existing_folder_adds_its_files_and_nothing_else(
    cli: CliRunner, logto: FakeLogto, world: Path
) -> None:
    logto.add_connector(SMTP_ID, config())
    before = snapshot(world)
    cli("pull", str(world / "pulled"), env=env_of(logto))
    after = snapshot(world)
    added = sorted(set(after) - set(before))
    assert {k: after[k] for k in before} == before
    assert added == [
        "pulled/environments",
        "pulled/environments/prod.yaml",
        "pulled/smtp-connector.yaml",
        "pulled/templates",
        "pulled/templates/en",
        *(f"pulled/templates/en/{n}.txt" for n in ("forgot-password", "generic", "register", "sign-in")),
    ]
    assert oct(os.stat(world / "pulled" / "smtp-connector.yaml").st_mode & 0o777) == oct(0o666 & ~_umask())


def test_a_pull_into_a_new_nested_folder_makes_it_with_the_usual_mode(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path
) -> None:
    logto.add_connector(SMTP_ID, config())
    cli("pull", str(tmp_path / "a" / "b"), env=env_of(logto))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]  # no staging folder left
    assert (tmp_path / "a" / "b" / "smtp-connector.yaml").is_file()
    assert os.stat(tmp_path / "a").st_mode & 0o777 == 0o777 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Pulled text is never read as Jinja2.

STARTS = ("{%", "{%-", "{%+")
ENDS = ("%}", "-%}", "+%}")
SPACES = ("", " ", "  ", "\t", "\n", "\r\n")
PAYLOAD = "{{ 7 * 7 }}{% include 'smtp-connector.yaml' %}{# gone #}"


def _every_endraw() -> list[str]:
    return [
        f"{start}{before}endraw{after}{end}"
        for start, end, before, after in itertools.product(STARTS, ENDS, SPACES, SPACES)
    ]


def _render(tmp: Path, text: str, *, html: bool) -> str | None:
    """``text`` as pull writes it (a plain file, byte for byte), read back as the build reads ``{text:}``."""
    (tmp / "t.html").write_bytes(text.encode("utf-8"))
    (tmp / "smtp-connector.yaml").write_text("secret: leaked\n")
    rendered, findings = TemplateRenderer(tmp).render_source(
        {"text": "t.html"}, {"code": "NOT-USED"}, html=html, locate=lambda _: Location("smtp-connector.yaml")
    )
    assert findings == []
    return rendered


@pytest.mark.parametrize("html", [False, True])
def test_every_endraw_form_stays_text(tmp_path: Path, html: bool) -> None:
    for endraw in _every_endraw():
        for text in (f"a {endraw}{PAYLOAD}{{% raw %}} b", f"{endraw}{PAYLOAD}", f"{{{endraw}}}\n"):
            assert _render(tmp_path, text, html=html) == text, repr(text)


_PIECES = st.sampled_from(
    [
        *STARTS,
        *ENDS,
        *SPACES,
        "{{",
        "}}",
        "{#",
        "#}",
        "{",
        "}",
        "%",
        "-",
        "+",
        "#",
        "raw",
        "endraw",
        "include 'smtp-connector.yaml'",
        "{{code}}",
        "{{ link }}",
        "{{ 7*7 }}",
        "\r",
        "\n",
        "x",
        "é",
        "$",
        "${",
        "'",
        '"',
        "\\",
        "\\'",
        '\\"',
        "\\r",
        "\\x00",
        "\\u00e9",
        "\\N{DIGIT ONE}",
        "\x00",
        "\u2028",
        "\U0001f600",
        "|safe }}",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join), st.booleans())
def test_any_mix_of_jinja_delimiters_renders_back_exactly(tmp_path: Path, text: str, html: bool) -> None:
    assert _render(tmp_path, text, html=html) == text


def test_a_text_file_never_reaches_jinja(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """By construction: reading ``{text:}`` compiles no template at all (a Jinja2 compile here fails)."""
    import jinja2

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Jinja2 compiled a {text:} file")

    monkeypatch.setattr(jinja2.Environment, "compile", refuse)
    text = "{{ 7 * 7 }}{% include 'smtp-connector.yaml' %}{{ code }}"
    assert _render(tmp_path, text, html=True) == text


@pytest.mark.parametrize(
    "escape",
    [
        "Code {{code}} {%+ endraw %}{% include 'environments/prod.yaml' %}{%+ raw %} end\n",
        "{{code}}\n{%  endraw\t+%}{% if true %}ran{% endif %}{% raw %}",
        "{{code}} {%- endraw -%}\n{# gone #}{%- raw %}\r\nx",
    ],
)
def test_pull_of_text_that_tries_to_leave_its_raw_block(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path, escape: str
) -> None:
    logto.add_connector(SMTP_ID, config(content=escape))
    # What the old `{{ '...'|safe }}` file could not hold (U+E000, U+E001): now in a file too.
    variant = "{%endraw%}\ue000 x\x00\ue001 {{code}}\r\n{# kept #}"
    logto.add_template("fr", "Generic", {"subject": "S", "content": variant, "contentType": "text/html"})
    out = tmp_path / "pulled"
    cli("pull", str(out), env=env_of(logto))
    assert (out / "templates" / "en" / "sign-in.txt").read_bytes() == escape.encode()
    assert (out / "templates" / "fr" / "generic.html").read_bytes() == variant.encode()
    project = yaml.safe_load((out / "smtp-connector.yaml").read_text(encoding="utf-8"))
    assert project["templates"][0]["content"] == {"text": "templates/en/sign-in.txt"}
    assert project["templates"][3]["locales"]["fr"]["content"] == {"text": "templates/fr/generic.html"}
    built = tmp_path / "built.json"
    cli("build", str(out), "--env", "prod", "-o", str(built), env={"SMTP_PASS": PASSWORD})
    assert [t["content"] for t in json.loads(built.read_text())["templates"]] == [escape] * 4
    store = json.loads((tmp_path / "built.email-templates.json").read_text())["templates"]
    assert store[0]["details"]["content"] == variant


def test_pulled_endraw_forms_build_back_exactly(cli: CliRunner, logto: FakeLogto, tmp_path: Path) -> None:
    """Every ``endraw`` form with a payload (a quarter of them in each template), pulled and built: the
    built config is the pulled text."""
    # A build refuses `{{ 7 * 7 }}` in a built config (SC107: not a placeholder): the rest of the payload.
    payload = PAYLOAD.replace("{{ 7 * 7 }}", "{% if true %}ran{% endif %}")
    forms = _every_endraw()
    texts = [
        "{{code}}\r\n" + "".join(f"{form}{payload}{{% raw %}}\n" for form in forms[i::4]) for i in range(4)
    ]
    pulled = config()
    pulled["templates"] = [{**t, "content": text} for t, text in zip(pulled["templates"], texts, strict=True)]
    logto.add_connector(SMTP_ID, pulled)
    out = tmp_path / "pulled"
    cli("pull", str(out), env=env_of(logto))
    assert (out / "templates" / "en" / "sign-in.txt").read_bytes() == texts[0].encode()
    built = tmp_path / "built.json"
    cli("build", str(out), "--env", "prod", "-o", str(built), env={"SMTP_PASS": PASSWORD})
    assert [t["content"] for t in json.loads(built.read_text())["templates"]] == texts


def test_moving_in_takes_back_every_file_and_folder_when_one_cannot_be_placed(tmp_path: Path) -> None:
    """A file that appears in DIR between the check and the move (here: before the last one is linked)."""
    from connector.deploy.pull import _link_into
    from connector.errors import InputError

    stage, folder = tmp_path / "stage", tmp_path / "dir"
    names = ["smtp-connector.yaml", "templates/en/sign-in.txt", "environments/prod.yaml"]
    for name in names:
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).write_text(name)
    (folder / "environments").mkdir(parents=True)
    (folder / "environments" / "prod.yaml").write_text("theirs\n")
    before = snapshot(folder)
    with pytest.raises(InputError, match="never overwrites"):
        _link_into(stage, folder, names)
    assert snapshot(folder) == before
