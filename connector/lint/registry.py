"""Every lint rule that runs, in the order it runs: a rule not named here never runs.

Each rule declares the ids it reports (:class:`connector.lint.base.LintRule`); tests/test_rule_registry.py
holds those declarations to the findings, the catalog and docs/lint.md. Importing this module imports the
rules, which need pydantic: :mod:`connector.lint.engine` imports it on the first lint of a config.
"""

from __future__ import annotations

from connector.lint import (
    rules_conformance,
    rules_connection,
    rules_deploy,
    rules_schema,
    rules_secrets,
    rules_templates,
    rules_values,
)
from connector.lint.base import LintRule, Mode

RULES: tuple[LintRule, ...] = (
    rules_schema.schema,
    rules_schema.required_usage_types,
    rules_templates.usage_types,
    rules_templates.required_placeholder,
    rules_templates.placeholders,
    rules_templates.content_markup,
    rules_templates.html_for_readers,
    rules_templates.subject_length,
    rules_connection.empty_auth,
    rules_connection.auth_without_credentials,
    rules_connection.port_and_secure,
    rules_connection.tls_flags,
    rules_connection.auth_in_clear,
    rules_connection.proxy_auth_in_clear,
    rules_connection.timeouts,
    rules_connection.nodemailer_only,
    rules_connection.url_replaces_config,
    rules_connection.oauth2_plain_http,
    rules_values.unfilled_values,
    rules_values.stripped_on_save,
    rules_values.non_ascii_ehlo_name,
    rules_values.addresses,
    rules_values.header_values,
    rules_secrets.literal_secrets,
    rules_secrets.references_in_final,
    rules_conformance.timer_overflow,
    rules_conformance.custom_header_names,
    rules_conformance.proxy_scheme,
    rules_deploy.logto_target,
    rules_deploy.connector_too_large,
    rules_deploy.store_entry_too_large,
)


def rules_for(mode: Mode) -> tuple[LintRule, ...]:
    """The rules that run on input of kind ``mode``, in order."""
    return _BY_MODE.get(mode, ())


_BY_MODE: dict[Mode, tuple[LintRule, ...]] = {}
for _rule in RULES:
    for _mode in _rule.modes:
        _BY_MODE[_mode] = (*_BY_MODE.get(_mode, ()), _rule)
