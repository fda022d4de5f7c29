"""SC701-SC703: the ``logto:`` section of a source file, which names the tenant ``deploy`` sends it to."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from connector.diagnostics.findings import Finding
from connector.lint.base import Context, is_reference, rule
from connector.logto.loopback import endpoint_problem
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
