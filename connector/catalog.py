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
    Rule(
        "SC501",
        "error",
        "unknown-provider",
        "`provider` names neither a shipped overlay (see `smtp-connector providers`) nor an overlay file.",
    ),
    Rule(
        "SC502",
        "error",
        "missing-variable",
        "A ${VAR} the build needs is not set (or, for ${VAR:?message}, empty) in the environment.",
    ),
    Rule(
        "SC503",
        "error",
        "bad-variable-reference",
        "`${` must start ${NAME}, ${NAME:-default} or ${NAME:?message}; write $${ for a literal ${.",
    ),
    Rule(
        "SC504",
        "error",
        "duplicate-template",
        "Two templates in one source file share a usageType; layers merge templates by usageType.",
    ),
    Rule(
        "SC505",
        "error",
        "emptied-required-key",
        "A required value is empty: Logto deletes empty values when it saves a config, which leaves it invalid.",
    ),
    Rule("SC506", "error", "nested-provider", "A provider overlay cannot name another provider."),
    Rule(
        "SC507",
        "error",
        "not-a-project",
        "A project folder holds smtp-connector.yaml (and environments/<name>.yaml files).",
    ),
    Rule(
        "SC508",
        "error",
        "bad-environment-name",
        "Environment files are environments/<name>.yaml, the name made of letters, digits, `-`, `_` and `.`.",
    ),
    #
    #
    # SC6xx build-time templates (Jinja2): add below this line.
    #
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
