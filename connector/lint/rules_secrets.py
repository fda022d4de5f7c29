"""SC403: a secret written literally in a file that is committed (a ``${VAR}`` reference is fine); SC503 in a
final config: a ``${...}`` the build would refuse, so it is no reference (the grammar is the build's)."""

from __future__ import annotations

from collections.abc import Iterator

from connector.diagnostics.findings import Finding
from connector.diagnostics.paths import dotted
from connector.lint.base import COMMITTED_MODES, Context, is_reference, rule
from connector.logto import CONFIG_KEYS, is_secret_path
from connector.logto.credentials import credential_urls, secret_leaves, secret_variable, url_password
from connector.logto.examples import only_examples
from connector.source import variables


@rule("SC403", modes=COMMITTED_MODES)
def literal_secrets(ctx: Context) -> Iterator[Finding]:
    # Every leaf under a credential key, however deep: `tls.key: [{pem, passphrase}]` and
    # `auth.customParams.client_assertion` are committed as surely as `auth.pass`. Not a project's own keys
    # (a build variable named `key`) nor a template's: Logto hands neither to nodemailer.
    config = {k: v for k, v in ctx.data.items() if k in CONFIG_KEYS and k != "templates"}
    for path, value in secret_leaves(config):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # `pass: 12345678` is a wrong type and a secret: keep it out of messages
        if not isinstance(value, str) or not value or only_examples(value):
            continue
        variable = secret_variable(path)
        write = (
            f"write `{path[-1]}: ${{{variable}}}`"
            if isinstance(path[-1], str)
            else f"write `- ${{{variable}}}`"
        )
        if "${" in value:  # a reference, or SC503 (the build, or the rule below) says it is malformed
            # `${SMTP_PASS:-RealPassword}` commits the password as surely as writing it out.
            parts, problem = variables.parse(value)
            if problem is None and any(
                isinstance(p, variables.Reference) and p.op == ":-" and p.argument for p in parts
            ):
                yield ctx.finding(
                    path,
                    "SC403",
                    f"`{dotted(path)}` has a secret written literally as the default of its ${{VAR:-default}} "
                    "reference; it must not be committed",
                    f"{write} without a default, and set {variable} in the environment (your CI's secret store)",
                )
            continue
        yield ctx.finding(
            path,
            "SC403",
            f"`{dotted(path)}` is a secret written literally in this file; it must not be committed",
            f"{write} and set {variable} in the environment (your CI's secret store)",
        )
    reported: set[str] = set()
    for key, url, secret in credential_urls(ctx.data):
        if key not in reported and not is_reference(secret):
            reported.add(key)
            what = "a password written literally in its URL"
            if secret != url_password(url):
                what = "a TLS credential written literally in its URL's query"
            variable = f"SMTP_{key.upper()}"
            yield ctx.finding(
                (key,),
                "SC403",
                f"`{key}` has {what}; it must not be committed",
                f"write the whole URL as ${{{variable}}} and set {variable} in the environment",
            )


@rule("SC503", "SC509", modes=("final", "built"))
def references_in_final(ctx: Context) -> Iterator[Finding]:
    """``${...}`` in a final config, in one walk over its strings.

    SC503: a ``${`` the build would refuse is no reference (the grammar is the build's; a project's compose
    reports it there). SC509: Logto stores and sends a final config as it is; it never reads the
    environment. References in credential keys are the committed form SC403 asks for (``pass:
    ${SMTP_PASS}``, a ``build --keep-refs`` file): render and send resolve them, so SC509 leaves them be.
    """

    for path, text in ctx.strings:
        if "${" not in text:
            continue
        parts, problem = variables.parse(text)
        if problem is not None:
            # Imported for a finding only: the project layout is more than a plain config's lint needs.

            yield from variables.check(text, ctx.at(path), dotted(path))
            continue
        if is_secret_path(path):
            continue
        found = [part for part in parts if isinstance(part, variables.Reference)]
        if found:
            first = found[0].text
            yield ctx.finding(
                path,
                "SC509",
                f"`{dotted(path)}` holds the reference `{first}`, which Logto does not resolve: "
                f"it would use the text `{first}` itself as the value",
                "resolve it before Logto sees it: `smtp-connector build` without --keep-refs "
                "(render and send resolve it from the environment)",
            )
