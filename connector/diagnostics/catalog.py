"""Every rule id the tool can report, with its severity, a title and help (used by SARIF and docs).

Ranges: SC0xx loading, SC1xx templates and placeholders, SC2xx schema, SC3xx connection, TLS and auth,
SC4xx values and secrets, SC5xx composing and building, SC6xx build-time templates (Jinja2), SC7xx
deploying to Logto.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


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
    Rule(
        "SC007",
        "error",
        "not-a-mapping",
        "A config file must hold one mapping at its top level (a project source with nothing written in it is an empty layer instead).",
    ),
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
    Rule(
        "SC013",
        "error",
        "nothing-to-lint",
        "A path named on the command line holds no SMTP connector config, so nothing was checked "
        "(skipped instead under --skip-unrelated, the pre-commit hook's mode).",
    ),
    Rule(
        "SC014",
        "error",
        "unsafe-file-name",
        "A file name made from data (a usage type or language tag from Logto, an environment's name, a "
        "recipient) is not safe on every platform or leads out of its folder, so nothing is written.",
    ),
    # Schema
    Rule(
        "SC201",
        "error",
        "unknown-key",
        "A key the connector does not know: usually a typo, which nodemailer ignores, or a nodemailer option "
        "smtp-connector does not support (the finding says which).",
    ),
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
    Rule(
        "SC101",
        "error",
        "unknown-usage-type",
        "A usageType Logto never sends: Logto accepts it, then silently uses the Generic template instead.",
    ),
    Rule(
        "SC102",
        "error",
        "duplicate-usage-type",
        "Two templates share a usageType; Logto only ever uses the first.",
    ),
    Rule(
        "SC104",
        "error",
        "missing-code-placeholder",
        "A verification-code template without {{code}} in its subject or content sends no code.",
    ),
    Rule(
        "SC105",
        "error",
        "missing-invitation-placeholder",
        "An OrganizationInvitation template needs {{link}} (or {{code}}) so the invitee can accept.",
    ),
    Rule(
        "SC106",
        "error",
        "unknown-placeholder",
        "A placeholder whose name Logto never fills (e.g. {{cod}}); it reaches the reader as written.",
    ),
    Rule(
        "SC107",
        "error",
        "malformed-placeholder",
        "Unbalanced, single or triple braces, or a name Logto cannot read: the text is not filled.",
    ),
    Rule(
        "SC108",
        "error",
        "placeholder-not-sent",
        "A placeholder whose root Logto does not send with this usage type (e.g. {{link}} in SignIn).",
    ),
    Rule("SC109", "error", "html-in-plain-text", "A text/plain template whose content has HTML tags."),
    Rule(
        "SC110",
        "error",
        "broken-html",
        "text/html content with tags that close the wrong element or never close.",
    ),
    Rule(
        "SC111",
        "warning",
        "html-clipped",
        "text/html content over about 102 KB: Gmail clips the message and hides the rest.",
    ),
    Rule(
        "SC112",
        "warning",
        "img-without-alt",
        "An <img> without alt: blocked images and screen readers leave the reader with nothing.",
    ),
    Rule(
        "SC113",
        "warning",
        "plain-http-link",
        "An http:// link or image in text/html content: clients warn or block, and it can be changed on the way.",
    ),
    Rule(
        "SC114",
        "warning",
        "html-without-lang",
        "The root <html> element has no lang attribute: screen readers guess the language.",
    ),
    Rule(
        "SC115",
        "warning",
        "long-subject",
        "A subject over 78 characters: folded onto two header lines, and cut off by phones and inboxes.",
    ),
    #
    #
    # SC3xx connection, TLS and auth (lint): add below this line.
    #
    Rule(
        "SC301",
        "error",
        "auth-stripped-on-save",
        "An empty auth (or empty user/pass) that Logto deletes on save, leaving a config it rejects.",
    ),
    Rule(
        "SC302",
        "warning",
        "auth-without-credentials",
        "`auth: {type: login}` alone works only with a relay that does not advertise AUTH.",
    ),
    Rule(
        "SC303",
        "error",
        "port-secure-mismatch",
        "Port 465 with `secure: false` hangs; `secure: true` on 587 or 25 fails with wrong version number.",
    ),
    Rule(
        "SC304",
        "error",
        "tls-flags-conflict",
        "requireTLS with ignoreTLS: ignoreTLS wins and the connection is never encrypted.",
    ),
    Rule(
        "SC305",
        "warning",
        "redundant-require-tls",
        "requireTLS does nothing on a connection that is already TLS.",
    ),
    Rule(
        "SC306",
        "error",
        "auth-unencrypted",
        "Credentials over a connection that is never encrypted (ignoreTLS without secure), except to a "
        "loopback host with no proxy or a loopback one.",
    ),
    Rule(
        "SC307",
        "warning",
        "timeout-in-seconds",
        "A timeout under 1000: timeouts are milliseconds, not seconds.",
    ),
    Rule(
        "SC308",
        "warning",
        "service-overrides-host",
        "`service` makes nodemailer replace host, port and secure.",
    ),
    Rule(
        "SC309", "warning", "pool-no-effect", "`pool` does nothing in Logto, which connects once per message."
    ),
    Rule(
        "SC310",
        "warning",
        "tls-verification-off",
        "`tls.rejectUnauthorized: false` accepts any certificate (man-in-the-middle).",
    ),
    Rule(
        "SC311",
        "error",
        "timer-overflow",
        "A timeout of 2^31 ms or more: Node clamps the timer to 1 ms and every send fails at once.",
    ),
    Rule(
        "SC312",
        "error",
        "proxy-fails-in-logto",
        "A SOCKS or unknown proxy URL: Logto's nodemailer fails every send (only http:// and https:// work).",
    ),
    Rule(
        "SC316",
        "error",
        "oauth2-plain-http",
        "An OAuth2 `accessUrl` over plain http (not loopback): the token refresh sends the client secret "
        "and refresh token unencrypted.",
    ),
    Rule(
        "SC317",
        "warning",
        "proxy-starttls-not-required",
        "Credentials through a proxy with neither `requireTLS` nor `secure`: the proxy can remove STARTTLS "
        "from the server's reply, and nodemailer then logs in unencrypted.",
    ),
    Rule(
        "SC318",
        "warning",
        "url-replaces-config",
        "`url` makes nodemailer take host, port, secure and auth from the URL and drop the config's other "
        "connection options (tls, dkim, proxy, timeouts).",
    ),
    #
    #
    # SC4xx values and secrets (lint): add below this line.
    #
    Rule(
        "SC401",
        "error",
        "unfilled-example-value",
        "A `<...>` value left from a provider example (<password>, <<code>>) instead of the real one.",
    ),
    Rule(
        "SC402",
        "error",
        "required-value-empty",
        "A required value is empty: Logto deletes empty values when it saves a config, and every send then fails.",
    ),
    Rule(
        "SC403",
        "error",
        "literal-secret",
        "A password, token or key written in a committed file (also nested in a list or mapping under one, as "
        "the default of a ${VAR:-default}, or in a `proxy` or `url` URL); use a ${VAR} reference alone.",
    ),
    Rule(
        "SC404",
        "error",
        "non-ascii-ehlo-name",
        "`name` (the EHLO name) must be ASCII; Gmail and others refuse it.",
    ),
    Rule(
        "SC405",
        "error",
        "bad-address",
        "fromEmail, replyTo or sendFrom in which nodemailer finds no address (a From that receivers refuse) or an address that is not `local@domain`.",
    ),
    Rule(
        "SC406",
        "error",
        "bad-custom-header",
        "A customHeaders name with invalid characters, or a value with a line break (header injection).",
    ),
    Rule(
        "SC407",
        "warning",
        "bad-suppression",
        "A suppression comment or lint config that names no known rule, so it suppresses nothing.",
    ),
    Rule(
        "SC408",
        "error",
        "header-line-break",
        "A subject, fromEmail, replyTo or sendFrom with a line break: it ends the header and injects the rest.",
    ),
    Rule(
        "SC409",
        "warning",
        "custom-header-overridden",
        "customHeaders naming From, To, Subject or Reply-To (not sent) or Message-ID, Date, MIME-Version (replace nodemailer's).",
    ),
    Rule(
        "SC410",
        "error",
        "custom-header-doubled",
        "customHeaders naming Content-Type or Content-Transfer-Encoding: the message gets two.",
    ),
    Rule(
        "SC411",
        "warning",
        "address-read-otherwise",
        "fromEmail, replyTo or sendFrom that nodemailer reads otherwise than written: a comment dropped, `;` as a separator, a group, a name equal to the address, or two mailboxes in From.",
    ),
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
    Rule("SC506", "error", "nested-provider", "A provider overlay cannot name another provider."),
    Rule(
        "SC507",
        "error",
        "not-a-project",
        "A project folder holds one smtp-connector.yaml or .yml (and environments/<name>.yaml files).",
    ),
    Rule(
        "SC508",
        "error",
        "bad-environment-name",
        "Environment files are environments/<name>.yaml, the name made of letters, digits, `-`, `_` and `.`.",
    ),
    Rule(
        "SC509",
        "warning",
        "unresolved-reference",
        "A final config holds a ${VAR} reference: Logto never resolves it and would use the text itself.",
    ),
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
        "A subject, content, replyTo or sendFrom is a string, {text: PATH}, {file: PATH} or {jinja: TEXT}; "
        "nothing else.",
    ),
    Rule(
        "SC612",
        "error",
        "variant-of-default-language",
        "A locale variant in the project's own `language` would take precedence over the connector's templates.",
    ),
    Rule(
        "SC613",
        "error",
        "variant-stored-keys",
        "A locale variant names a key in both `omit` and `empty`, or sets a key it lists there: what the store "
        "gets is unclear.",
    ),
    Rule(
        "SC614",
        "warning",
        "locale-fallback",
        "A language of `locales` lacks some usage types: its users get the connector's templates (or Generic) for them.",
    ),
    #
    #
    # SC7xx deploying to Logto (the `logto:` section, the Management API): add below this line.
    #
    Rule(
        "SC701",
        "error",
        "literal-logto-secret",
        "`logto.appSecret` written literally: the M2M app's secret must be a ${VAR} reference.",
    ),
    Rule(
        "SC702",
        "error",
        "logto-endpoint",
        "`logto.endpoint` is not an https:// URL (plain http only on loopback); deploy refuses it.",
    ),
    Rule(
        "SC703",
        "error",
        "logto-resource",
        "`logto.resource` is not an absolute https:// URI such as https://default.logto.app/api.",
    ),
    Rule(
        "SC704",
        "error",
        "logto-target-missing",
        "deploy or pull has no Logto endpoint, app id or secret: set the LOGTO_* variables or a `logto:` section.",
    ),
    Rule(
        "SC705",
        "error",
        "connector-request-too-large",
        "The connector config is over 1 MiB as deploy sends it: Logto refuses a larger JSON body (404 Not Found).",
    ),
    Rule(
        "SC706",
        "error",
        "template-request-too-large",
        "A language variant is over 1 MiB in the request that stores it: Logto refuses a larger JSON body.",
    ),
    #
    #
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def severity_of(rule_id: str) -> Severity:
    rule = RULES.get(rule_id)
    return rule.severity if rule else "error"


# Every rule has a row in docs/lint.md; these families are explained at length in their own page too.
_PAGES = {"SC5": "docs/projects.md", "SC6": "docs/templates.md"}


def documented_in(rule_id: str) -> str:
    """The page that documents ``rule_id`` (docs/lint.md lists every rule; some have a page of their own)."""
    return _PAGES.get(rule_id[:3], "docs/lint.md")
