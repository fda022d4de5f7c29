"""examples/acme end to end: for every environment, usage type and language, the built text, filled as Logto
fills it, shows the code (or the invitation link) where the author wrote the placeholder."""

from __future__ import annotations

import re
from typing import Any

import pytest

from connector.authoring.templates import TemplateRenderer
from connector.build.outputs import Built, build_environments
from connector.diagnostics.findings import Location
from connector.logto import USAGE_TYPES
from connector.logto.placeholders import PLACEHOLDER, fill_placeholders
from connector.preview import sample_payload
from connector.project.layers import Composed
from connector.project.layout import compose, load_project

from .conftest import ROOT

ACME = ROOT / "examples" / "acme"
ENVIRONMENTS = ("dev", "prod", "staging")
# Literal text right next to a placeholder in the source: up to 12 characters, no Jinja and no line break.
_BEFORE = re.compile(r"[^{}%#\n]{0,12}$")
_AFTER = re.compile(r"[^{}%#\n]{0,12}")
_COMMENT = re.compile(r"\{#.*?#\}", re.S)  # a Jinja comment: never in the output


@pytest.fixture(scope="module")
def built() -> dict[str | None, Built]:
    return build_environments(load_project(ACME), ENVIRONMENTS, resolve=False)


@pytest.fixture(scope="module")
def composed() -> dict[str, Composed]:
    project = load_project(ACME)
    return {env: compose(project, env, resolve=False) for env in ENVIRONMENTS}


def _sources(value: Any) -> list[str]:
    """The texts the author wrote for one field: the string itself, or the template files it renders."""
    if isinstance(value, str):
        return [value]
    if "jinja" in value:
        return [value["jinja"]]
    renderer = TemplateRenderer(ACME)
    variables = {
        "brand": "x",
        "product_url": "x",
        "support_email": "x",
        "colors": {"primary": "x", "text": "x"},
    }
    for language in ("en", "fr"):
        renderer.render_file(
            value["file"], variables, html=True, referenced_at=Location("x"), language=language
        )
    return [(ACME / name).read_text(encoding="utf-8") for name in sorted(renderer.take_used())]


def _contexts(texts: list[str], root: str) -> list[tuple[str, str]]:
    found = []
    for text in (_COMMENT.sub("", t) for t in texts):
        for match in PLACEHOLDER.finditer(text):
            if match.group(1) == root:
                before = _BEFORE.search(text[: match.start()])
                after = _AFTER.match(text[match.end() :])
                found.append((before.group(0) if before else "", after.group(0) if after else ""))
    return found


def _source_field(composed: Composed, kind: str, language: str, field: str) -> Any:
    template = next(t for t in composed.data["templates"] if t["usageType"] == kind)
    if language != "en":
        return template["locales"][language][field]
    return template[field]


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", USAGE_TYPES)
def test_the_code_or_link_is_where_the_author_put_it(
    built: dict[str | None, Built], composed: dict[str, Composed], env: str, language: str, kind: str
) -> None:
    item = built[env]
    assert item.language == "en" and list(item.variants) == ["fr"]
    templates = item.config.templates if language == "en" else item.variants[language]
    template = next(t for t in templates if t.usageType == kind)
    payload = sample_payload(kind, language)
    root = "link" if kind == "OrganizationInvitation" else "code"
    value = payload[root]
    subject = fill_placeholders(template.subject, payload)
    content = fill_placeholders(template.content, payload)
    contexts = _contexts(_sources(_source_field(composed[env], kind, language, "content")), root)
    assert contexts, f"the author's {kind} content ({language}) has no {{{{{root}}}}}"
    for before, after in contexts:
        assert f"{before}{value}{after}" in content, (env, kind, language, before, after)
    # Nothing of the build is left for Logto, and nothing Logto fills is left unfilled.
    for text in (subject, content):
        assert "{%" not in text and "{#" not in text
        assert not any(m.group(1).split(".")[0] in ("code", "link") for m in PLACEHOLDER.finditer(text))


def test_brand_variables_differ_per_environment(built: dict[str | None, Built]) -> None:
    def sign_in(env: str, language: str = "en") -> Any:
        templates = built[env].config.templates if language == "en" else built[env].variants[language]
        return next(t for t in templates if t.usageType == "SignIn")

    assert sign_in("prod").subject == "Your Acme sign-in code"
    assert sign_in("staging").subject == "[staging] Your Acme Staging sign-in code"
    assert sign_in("staging", "fr").subject == "Votre code de connexion Acme Staging"
    assert 'href="http://localhost:3000"' in sign_in("dev").content
    assert 'href="https://acme.example"' in sign_in("prod").content
    assert sign_in("prod").content.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert sign_in("prod", "fr").content.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "Une question ?" in sign_in("prod", "fr").content
    # A variant inherits the content type of its template.
    assert sign_in("prod", "fr").contentType == "text/html"


def test_dev_still_sends_to_the_local_sink(built: dict[str | None, Built]) -> None:
    assert (built["dev"].config.host, built["dev"].config.port) == ("127.0.0.1", 2525)


def test_every_usage_type_has_both_languages(built: dict[str | None, Built]) -> None:
    for env in ENVIRONMENTS:
        assert {t.usageType for t in built[env].config.templates} == set(USAGE_TYPES)
        assert {t.usageType for t in built[env].variants["fr"]} == set(USAGE_TYPES)
