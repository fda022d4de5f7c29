"""The lint rule registry: each rule declares the ids it reports, and the declarations hold.

A finding whose id its rule did not declare fails here; so does a declared id that no lint data case makes
the rule report (a declaration wider than the rule), a rule module's rule that the registry leaves out, an
id the catalog does not know, and a rule that registers secrets (rules are pure: the loader registers
them, connector/source/secret_values.py).
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from connector.diagnostics import redact as redact_module
from connector.diagnostics.catalog import RULES as CATALOG
from connector.diagnostics.findings import Finding
from connector.diagnostics.redact import REDACTED, redact
from connector.errors import UsageError
from connector.lint import lint_paths, registry
from connector.lint.base import ALL_MODES, Context, LintRule, rule
from connector.logto.credentials import register_resolved_secrets
from connector.source.loader import loads

from .conftest import ROOT

LINT = ROOT / "connector" / "lint"
RULE_MODULES = sorted(path.stem for path in LINT.glob("rules_*.py"))
DATA = ROOT / "tests" / "data"
# Ids reported by other stages than the lint rules: the loader (SC0xx), suppressions (SC407), composing and
# building (SC5xx; a final config's SC503 and SC509 are a rule's), build-time templates (SC6xx) and deploy.
ELSEWHERE = {"SC407", "SC704"} | {i for i in CATALOG if i[2] in "056" and i not in ("SC503", "SC509")}


def _inputs() -> Iterator[tuple[list[str], bool]]:
    """Every lint data file (as written and, for final configs, as built), and the example project."""
    for path in sorted((DATA / "lint").rglob("*")):
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
            yield [str(path)], False
            yield [str(path)], True
    for path in sorted((DATA / "bad-inputs").iterdir()):
        yield [str(path)], False
    yield [str(ROOT / "examples" / "acme")], False
    for path in sorted((DATA / "lint" / "projects").iterdir()):  # rules that need a whole project
        yield [str(path)], False


def _checked(
    lint_rule: LintRule, seen: dict[str, set[str]], undeclared: list[str], impure: list[str] | None = None
) -> LintRule:
    def run(context: Context) -> Iterable[Finding]:
        before = frozenset(redact_module._secrets)
        findings = list(lint_rule(context))
        if impure is not None and frozenset(redact_module._secrets) != before:
            impure.append(f"{lint_rule.name} registered a secret on {context.source}")
        for finding in findings:
            seen[lint_rule.name].add(finding.rule)
            if finding.rule not in lint_rule.emits:
                undeclared.append(f"{lint_rule.name} reported {finding.rule} ({finding})")
        return findings

    return dataclasses.replace(lint_rule, function=run)


@pytest.fixture(scope="module")
def reported() -> tuple[dict[str, set[str]], list[str], list[str]]:
    """What each rule reported over every input, each finding with an id its rule did not declare, and each
    rule run that registered a secret."""
    seen: dict[str, set[str]] = defaultdict(set)
    undeclared: list[str] = []
    impure: list[str] = []
    checked = {id(r): _checked(r, seen, undeclared, impure) for r in registry.RULES}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            registry,
            "rules_for",
            lambda mode: tuple(checked[id(r)] for r in registry.RULES if mode in r.modes),
        )
        for paths, built in _inputs():
            if built and paths[0].endswith((".yaml", ".yml")) and "lint-config" in paths[0]:
                continue
            try:
                lint_paths(paths, built=built)
            except UsageError:
                assert built  # a folder with --built: nothing to lint
    return seen, undeclared, impure


def test_no_rule_reports_an_id_it_did_not_declare(
    reported: tuple[dict[str, set[str]], list[str], list[str]],
) -> None:
    assert reported[1] == []


def test_no_rule_registers_a_secret_when_it_runs(
    reported: tuple[dict[str, set[str]], list[str], list[str]],
) -> None:
    """Rules are pure: over every input, the registered secrets are the same after each rule as before it."""
    assert reported[2] == []


def test_a_registering_rule_is_caught() -> None:
    @rule("SC403")
    def leaky(ctx: Context) -> Iterator[Finding]:
        redact_module.register_secret("Qz7-registered-by-a-rule")
        yield from ()

    impure: list[str] = []
    document = loads(b"port: 1\n", "x.yaml").document
    assert document is not None
    list(_checked(leaky, defaultdict(set), [], impure)(Context(document, "final")))
    assert len(impure) == 1 and impure[0].startswith("leaky registered a secret")


@pytest.mark.parametrize("lint_rule", registry.RULES, ids=lambda r: r.name)
def test_each_declared_id_is_reported_by_its_rule_on_some_lint_data(
    lint_rule: LintRule, reported: tuple[dict[str, set[str]], list[str], list[str]]
) -> None:
    assert lint_rule.emits and lint_rule.emits <= reported[0][lint_rule.name]


def test_an_undeclared_id_is_caught() -> None:
    """The check above is real: a rule that reports an id it did not declare is found out."""

    @rule("SC307")
    def liar(ctx: Context) -> Iterator[Finding]:
        yield ctx.finding(("port",), "SC308", "wrong id", "")

    seen: dict[str, set[str]] = defaultdict(set)
    undeclared: list[str] = []
    document = loads(b"port: 1\n", "x.yaml").document
    assert document is not None
    list(_checked(liar, seen, undeclared)(Context(document, "final")))
    assert seen == {"liar": {"SC308"}} and len(undeclared) == 1


def test_the_registry_lists_every_rule_of_the_rule_modules_once() -> None:
    defined = [
        value
        for name in RULE_MODULES
        for value in vars(importlib.import_module(f"connector.lint.{name}")).values()
        if isinstance(value, LintRule)
    ]
    assert sorted(r.name for r in registry.RULES) == sorted(r.name for r in defined)
    assert len({id(r) for r in registry.RULES}) == len(registry.RULES)


def test_rules_for_a_mode_keep_the_registry_order() -> None:
    for mode in (*ALL_MODES, "variant"):
        assert registry.rules_for(mode) == tuple(r for r in registry.RULES if mode in r.modes)
    assert registry.rules_for("variant") and registry.rules_for("built") != registry.rules_for("final")


def test_declared_ids_are_the_catalog_less_other_stages() -> None:
    """Each id the catalog lists is declared by exactly the rules that report it, or reported elsewhere."""
    declared: dict[str, list[str]] = defaultdict(list)
    for lint_rule in registry.RULES:
        for rule_id in lint_rule.emits:
            declared[rule_id].append(lint_rule.name)
    assert set(declared) <= set(CATALOG)
    assert set(declared) == set(CATALOG) - ELSEWHERE
    assert all(len(names) == 1 for names in declared.values()), declared


def _register_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]
    names += [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names]
    return [name for name in names if name.startswith("register_")]


@pytest.mark.parametrize("module", RULE_MODULES)
def test_rules_register_no_secret(module: str) -> None:
    assert _register_calls(LINT / f"{module}.py") == []


def test_the_register_check_sees_a_call(tmp_path: Path) -> None:
    scratch = tmp_path / "rules_x.py"
    scratch.write_text(
        "from connector.diagnostics import redact\n\ndef f(v):\n    redact.register_secret(v)\n"
    )
    assert _register_calls(scratch) == ["register_secret"]


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("proxy: http://user:Pr0xyPassw0rd@proxy.example:8080\n", "Pr0xyPassw0rd"),
        ("url: smtps://user:UrlPassw0rdQz@smtp.example:465\n", "UrlPassw0rdQz"),
        ("url: smtps://smtp.example:465?tls.passphrase=Qu3ry%2BPhrase\n", "Qu3ry+Phrase"),
        ("url: smtps://smtp.example:465?tls.key=Qu3ryKey&tls.servername=x\n", "Qu3ryKey"),
        ("auth:\n  customParams:\n    client_assertion: Ass3rtionValue\n", "Ass3rtionValue"),
        ("auth:\n  customHeaders:\n    Authorization: Bearer HeaderTok3n\n", "Bearer HeaderTok3n"),
        ("logto:\n  appSecret: M2mAppS3cretValue\n", "M2mAppS3cretValue"),
        ("logto:\n  appSecret: Lit3ralPart${LOGTO_M2M_APP_SECRET}\n", "Lit3ralPart"),
        ("auth:\n  pass: SmtpPassw0rdValue\n", "SmtpPassw0rdValue"),
    ],
)
def test_the_loader_registers_secrets_outside_the_rules(text: str, secret: str) -> None:
    """Loading is enough: no rule needs to run for the secret to be hidden in printed text."""
    assert loads(text.encode(), "registered.yaml", layer=True).document is not None
    assert redact(f"said {secret}.") == f"said {REDACTED}."


def test_a_referenced_proxy_password_is_no_secret() -> None:
    url = "http://qzv:${QZV_PROXY_PASSWORD}@qzv-proxy.invalid:8080"
    loads(f"proxy: {url}\n".encode(), "ref.yaml")
    assert redact(url) == url


def test_written_and_resolved_secrets_are_registered_each_by_its_meaning() -> None:
    """As written in a source, a ${VAR} names a variable and stays visible; once resolved (a built config,
    what Logto holds) the whole value is the secret, ``${`` included, and a proxy URL's password too."""
    loads(b"auth:\n  pass: Wr1tten${QZW_PASS}Part9\n", "written.yaml")
    assert redact("Wr1tten ${QZW_PASS} Part9") == f"{REDACTED} ${{QZW_PASS}} {REDACTED}"
    register_resolved_secrets({"auth": {"pass": "Res0lved${QZR}x"}, "proxy": "http://u:Pr0xyQzr@h.invalid:1"})
    assert redact("Res0lved${QZR}x") == REDACTED
    assert redact("user Pr0xyQzr") == f"user {REDACTED}"
    register_resolved_secrets(
        {"url": "smtps://u:UrlQzr9@h.invalid:1", "auth": {"customParams": {"a": "ParQzr9"}}}
    )
    assert redact("UrlQzr9 ParQzr9") == f"{REDACTED} {REDACTED}"
