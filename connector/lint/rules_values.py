"""SC4xx: values left unfilled, stripped by Logto on save, or that would break a message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connector.diagnostics.findings import Finding
from connector.diagnostics.paths import KeyPath, dotted
from connector.lint.base import ALL_MODES, JINJA, WHOLE_MODES, Context, is_reference, rule
from connector.logto import is_secret_path
from connector.logto.addresses import address_problem, reading_difference
from connector.logto.emptied import emptied_finding, empty_required
from connector.logto.examples import double_name, example_values, html_field, left_in
from connector.logto.headers import header_findings, line_break


@rule("SC401", modes=(*ALL_MODES, "variant"))
def unfilled_values(ctx: Context) -> Iterator[Finding]:
    """Example values left in place, as :mod:`connector.logto.examples` defines them for each kind of field."""
    for path, value in ctx.strings:
        if "<" in value:
            yield from _check_unfilled(ctx, value, path)


def _check_unfilled(ctx: Context, value: str, path: KeyPath) -> Iterator[Finding]:
    if html_field(ctx.data, path) and not ctx.rendered and JINJA.search(value):
        return  # judged once rendered, in each environment and language
    secret = is_secret_path(path)
    for example in left_in(ctx.data, path, value):
        name = double_name(example.text)
        if name:
            hint = f"write {{{{{name}}}}}: Logto fills double braces, not angle brackets"
        elif secret:
            hint = "write a ${VAR} reference such as ${SMTP_PASS} and set the variable in the environment"
        else:
            hint = f"replace `{example.text}` with the real value"
        yield ctx.finding(
            path,
            "SC401",
            f"{field_label(ctx, path)} still holds the example value `{example.text}`",
            hint,
            excerpt=example.text,
        )


def field_label(ctx: Context, path: KeyPath) -> str:
    """``template "SignIn" subject`` for template fields, else the dotted key in backquotes."""
    if len(path) >= 3 and path[0] == "templates" and isinstance(path[1], int):
        template = ctx.data["templates"][path[1]]
        name = ctx.template_name(template, path[1]) if isinstance(template, dict) else f"#{path[1] + 1}"
        return f"template {name} {'.'.join(str(p) for p in path[2:])}"
    return f"`{dotted(path)}`"


@rule("SC402", modes=WHOLE_MODES)
def stripped_on_save(ctx: Context) -> Iterator[Finding]:
    """SC402: the finding build, deploy, render and send give for the same value (connector.logto.emptied)."""
    for path in empty_required(ctx.data):
        yield emptied_finding(path, ctx.at(path), ctx.data)


@rule("SC404")
def non_ascii_ehlo_name(ctx: Context) -> Iterator[Finding]:
    name = ctx.data.get("name")
    if isinstance(name, str) and not name.isascii():
        yield ctx.finding(
            ("name",),
            "SC404",
            "`name` (the EHLO name) is not ASCII: servers such as Gmail refuse it "
            "(501 5.5.4 HELO/EHLO argument invalid)",
            "use the sending host's DNS name, e.g. mail.example.com, or remove `name`",
        )


@rule("SC405", "SC411", modes=(*ALL_MODES, "variant"))
def addresses(ctx: Context) -> Iterator[Finding]:
    data = ctx.data
    fields: list[tuple[KeyPath, Any, bool]] = [
        (("fromEmail",), data.get("fromEmail"), False),
        (("replyTo",), data.get("replyTo"), True),
    ]
    for index, template in ctx.templates():
        fields += [
            (("templates", index, "sendFrom"), template.get("sendFrom"), False),
            (("templates", index, "replyTo"), template.get("replyTo"), True),
        ]
    for path, value, many in fields:
        if (
            not isinstance(value, str)
            or not value
            or is_reference(value)
            or "{{" in value
            or example_values(value)
        ):
            continue
        if line_break(value):
            continue  # SC408 says what is wrong with it
        problem = address_problem(value, many)
        if problem:
            yield ctx.finding(
                path, "SC405", f"{field_label(ctx, path)} {problem[0]}", problem[1], excerpt=value
            )
            continue
        difference = reading_difference(value, many)
        if difference:
            yield ctx.finding(
                path, "SC411", f"{field_label(ctx, path)} {difference[0]}", difference[1], excerpt=value
            )


@rule("SC406", "SC408")
def header_values(ctx: Context) -> Iterator[Finding]:
    """SC406 (customHeaders) and SC408 (subject, addresses): what would break or inject message headers."""
    yield from header_findings(ctx.source)
