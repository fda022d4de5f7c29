"""Every rule id the tool can report, with its severity, a title and help (used by SARIF and docs).

Ranges: SC0xx loading, SC1xx templates and placeholders, SC2xx schema, SC3xx connection, TLS and auth,
SC4xx values and secrets, SC5xx composing and building, SC6xx build-time templates (Jinja2).
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.findings import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    title: str
    help: str


_RULES = [
    # Loading
    Rule(
        "SC001",
        "error",
        "unreadable-file",
        "The file could not be read: it is missing, a folder, or not permitted.",
    ),
    Rule("SC002", "error", "not-utf8", "Source files must be UTF-8 text."),
    Rule(
        "SC003",
        "error",
        "file-too-large",
        "Source files are capped (1 MiB by default) so a stray file cannot stall the hook.",
    ),
    Rule("SC004", "error", "syntax-error", "The file is not valid YAML or JSON."),
    Rule(
        "SC005",
        "error",
        "duplicate-key",
        "A key appears twice in one mapping; YAML would silently keep the last.",
    ),
    Rule("SC006", "error", "alias-bomb", "Aliases that expand to a huge (or endless) document are refused."),
    Rule("SC007", "error", "not-a-mapping", "A config file must hold one mapping at its top level."),
    Rule(
        "SC008",
        "error",
        "yaml11-ambiguous",
        "A plain scalar that YAML 1.1 and YAML 1.2 read differently (yes/no/on/off, 0465); quote it or write true/false.",
    ),
    Rule(
        "SC009",
        "warning",
        "yaml11-date",
        "A plain scalar that YAML 1.1 reads as a date or a base-60 number; quote it.",
    ),
    Rule("SC010", "error", "bad-key", "Mapping keys must be plain strings."),
    Rule(
        "SC011",
        "error",
        "unsupported-tag",
        "Only the standard YAML tags are accepted; no custom or Python tags.",
    ),
    Rule("SC012", "error", "too-deep", "The document is nested deeper than any config needs."),
    # Schema
    Rule("SC201", "error", "unknown-key", "A key the connector does not know; usually a typo of a real key."),
    Rule("SC202", "error", "wrong-type", "A value of the wrong type or outside its allowed values."),
    Rule("SC203", "error", "missing-key", "A key Logto requires is missing."),
    Rule(
        "SC204",
        "error",
        "required-usage-types",
        "Logto rejects a config without Register, SignIn, ForgotPassword and Generic templates.",
    ),
    #
    # SC1xx templates and placeholders (lint): add below this line.
    #
    #
    #
    # SC3xx connection, TLS and auth (lint): add below this line.
    #
    #
    #
    # SC4xx values and secrets (lint): add below this line.
    #
    #
    #
    # SC5xx composing and building: add below this line.
    #
    #
    #
    # SC6xx build-time templates (Jinja2): add below this line.
    #
    Rule(
        "SC601",
        "error",
        "template-syntax",
        "A template file is not valid Jinja2: an unclosed or unknown tag, or a stray brace.",
    ),
    Rule(
        "SC602",
        "error",
        "undefined-build-variable",
        "A template uses a build variable that no layer defines (StrictUndefined: nothing is left blank).",
    ),
    Rule(
        "SC603",
        "error",
        "template-sandbox",
        "A template reached for Python internals; the sandbox allows variables, filters, macros and includes.",
    ),
    Rule(
        "SC604",
        "error",
        "template-not-found",
        "A template file named in the project, an include or an extends does not exist.",
    ),
    Rule(
        "SC605",
        "error",
        "template-outside-project",
        "Template paths are relative to the project folder and stay in it: no absolute paths, no `..`, no symlink out.",
    ),
    Rule(
        "SC606",
        "error",
        "template-unreadable",
        "A template file is a folder, not UTF-8 text, or larger than the 1 MiB cap.",
    ),
    Rule(
        "SC607",
        "error",
        "template-error",
        "Rendering a template failed (a bad filter argument, a division by zero, an altered Logto placeholder).",
    ),
    Rule(
        "SC608",
        "error",
        "reserved-variable",
        "A build variable is named like a Logto placeholder root (code, link, user, ...) or like one the build sets.",
    ),
    Rule(
        "SC609",
        "warning",
        "variable-name",
        "A build variable whose name is not an identifier cannot be used in a template.",
    ),
    Rule(
        "SC610",
        "error",
        "language-tag",
        "A locale key is not a language tag Logto accepts (like en, fr or pt-BR; at most 16 characters).",
    ),
    Rule(
        "SC611",
        "error",
        "template-source",
        "A subject, content, replyTo or sendFrom is a string, {file: PATH} or {jinja: TEXT}; nothing else.",
    ),
    #
    #
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def register(*rules: Rule) -> None:
    """Add rules from another module (lint rule packs register theirs on import)."""
    for rule in rules:
        RULES[rule.id] = rule


def severity_of(rule_id: str) -> Severity:
    rule = RULES.get(rule_id)
    return rule.severity if rule else "error"
