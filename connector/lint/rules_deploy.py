"""SC701-SC703: the ``logto:`` section of a source file, which names the tenant ``deploy`` sends it to;
SC705-SC706: the requests deploy will send, held to the size Logto takes (:mod:`connector.logto.requests`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from connector.diagnostics.findings import Finding
from connector.lint.base import WHOLE_MODES, Context, is_reference, rule
from connector.logto import CONFIG_KEYS, requests
from connector.logto.loopback import endpoint_problem
from connector.project.merge_rules import TEMPLATES
from connector.source.files import LOGTO_SECTION


@rule("SC701", "SC702", "SC703", modes=("layer", "project-layer"))
def logto_target(ctx: Context) -> Iterator[Finding]:
    section = ctx.mapping(LOGTO_SECTION)
    secret = section.get("appSecret")
    if isinstance(secret, str) and secret and not is_reference(secret):
        yield ctx.finding(
            (LOGTO_SECTION, "appSecret"),
            "SC701",
            "`logto.appSecret` is written literally: the M2M app's secret would be committed, and it "
            "can change every connector of the tenant",
            "write `appSecret: ${LOGTO_M2M_APP_SECRET}` (or another variable) and set it in your CI's "
            "secret store",
        )
    endpoint = section.get("endpoint")
    if isinstance(endpoint, str) and not is_reference(endpoint):
        problem = endpoint_problem(endpoint)
        if problem:
            yield ctx.finding(
                (LOGTO_SECTION, "endpoint"),
                "SC702",
                f"{problem}; deploy refuses it",
                "write Logto's https:// address, such as https://auth.example.com",
            )
    resource = section.get("resource")
    if isinstance(resource, str) and not is_reference(resource):
        parts = urlsplit(resource)
        if parts.scheme != "https" or not parts.netloc:
            yield ctx.finding(
                (LOGTO_SECTION, "resource"),
                "SC703",
                f"`{resource}` is not a Management API resource indicator: Logto refuses the token request",
                "self-hosted Logto: https://default.logto.app/api; Logto Cloud: https://TENANT-ID.logto.app/api",
            )


@rule("SC705", modes=WHOLE_MODES)
def connector_too_large(ctx: Context) -> Iterator[Finding]:
    config = _as_sent(ctx.data)
    size = requests.connector_request_size(config)
    if size <= requests.MAX_JSON_BODY:
        return
    # The longest string is where the bytes are (a template's content, nearly always).
    path = max(ctx.strings, key=lambda item: len(item[1]), default=((), ""))[0]
    yield ctx.finding(
        path,
        "SC705",
        f"the connector config is {requests.size_text(size)} as deploy sends it, over Logto's limit of "
        f"{requests.size_text(requests.MAX_JSON_BODY)} for one JSON body: Logto answers 404 Not Found "
        "and never stores it, so the connector can be neither created nor updated",
        "make the largest templates smaller (move images to a web server and link them), or move "
        "languages into `locales`, which the email-template store takes in requests of their own",
    )


@rule("SC706", modes=("variant",))
def store_entry_too_large(ctx: Context) -> Iterator[Finding]:
    language = ctx.provenance.language or ""
    for index, template in ctx.templates():
        size = requests.put_size([requests.entry_size(requests.store_entry(language, template))])
        if size <= requests.MAX_JSON_BODY:
            continue
        yield ctx.finding(
            (TEMPLATES, index, "content"),
            "SC706",
            f"template {ctx.template_name(template, index)} is {requests.size_text(size)} in the request "
            f"that stores it, over Logto's limit of {requests.size_text(requests.MAX_JSON_BODY)} for one "
            "JSON body: Logto answers 404 Not Found and never stores it",
            "make the template smaller (move images to a web server and link them)",
        )


def _as_sent(data: dict[str, Any]) -> dict[str, Any]:
    """The config keys Logto gets (no `logto:` section or project-only keys; no template's `locales`)."""
    config = {key: value for key, value in data.items() if key in CONFIG_KEYS}
    items = config.get(TEMPLATES)
    if isinstance(items, list):
        config[TEMPLATES] = [
            {k: v for k, v in item.items() if k != "locales"} if isinstance(item, dict) else item
            for item in items
        ]
    return config
