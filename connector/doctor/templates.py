"""The templates part of doctor (offline): each HTML template, filled as Logto fills it, under Gmail's
clipping size; and what the lint's reader rules (SC112 to SC115) find, with line and column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from connector.doctor import Check
from connector.logto.html_elements import GMAIL_CLIP_BYTES, SUBJECT_LENGTH, html_notes
from connector.schema.models import ConnectorConfig, StoreTemplate, Template

_NOTES = {
    "img-alt": ("an image without `alt`", 'add alt text (alt="" for a decorative image)'),
    "http": ("a plain http:// link or image", "use https://"),
    "lang": ("the root `<html>` without `lang`", 'add lang, e.g. `<html lang="en">`'),
}
SAMPLE_PAYLOAD = {
    "code": "123456",
    "link": "https://example.com/invitation/0123456789abcdef",
    "application": {"name": "Example application"},
    "organization": {"name": "Example organization"},
    "inviter": {"name": "Example inviter"},
    "user": {"name": "Example user"},
}


def template_checks(
    config: ConnectorConfig, variants: Mapping[str, Sequence[Template | StoreTemplate]] | None = None
) -> list[Check]:
    """Each template of the config, and of each other language (``variants``: the email-template store's,
    by language tag; their key is where a project writes them, ``templates.TYPE.locales.TAG``)."""
    # start-up: imported when this runs, so other commands start fast
    from connector.logto.placeholders import fill_placeholders

    checks: list[Check] = []
    largest: tuple[int, str] | None = None
    every: list[tuple[str, str, Template | StoreTemplate]]
    every = [(f"templates[{i}]", t.usageType, t) for i, t in enumerate(config.templates)]
    for language, templates in (variants or {}).items():
        every += [
            (f"templates.{t.usageType}.locales.{language}", f"{t.usageType} ({language})", t)
            for t in templates
        ]
    for key, name, template in every:
        if template.contentType != "text/plain":  # a store template without one is sent as HTML
            body = fill_placeholders(template.content, SAMPLE_PAYLOAD)
            size = len(body.encode("utf-8", "surrogatepass"))
            if size > GMAIL_CLIP_BYTES:
                checks.append(
                    Check(
                        "templates.size",
                        "fail",
                        f"template {name} is {size // 1024} KB of HTML once filled: Gmail clips it at about "
                        f'{GMAIL_CLIP_BYTES // 1024} KB and hides the rest behind "View entire message"',
                        "make the HTML smaller: inline less CSS, drop unused markup",
                        f"{key}.content",
                    )
                )
            elif largest is None or size > largest[0]:
                largest = (size, name)
            for note in html_notes(template.content):
                what, hint = _NOTES[note.kind]
                checks.append(
                    Check(
                        "templates.lint",
                        "warn",
                        f"template {name}, content line {note.line}, column {note.column}: {what}",
                        hint,
                        f"{key}.content",
                    )
                )
        if len(template.subject) > SUBJECT_LENGTH:
            checks.append(
                Check(
                    "templates.lint",
                    "warn",
                    f"template {name}: the subject is {len(template.subject)} characters; over {SUBJECT_LENGTH} "
                    "it is folded, and phones and inboxes cut it off",
                    f"keep it within {SUBJECT_LENGTH} characters",
                    f"{key}.subject",
                )
            )
    if not any(c.id == "templates.size" for c in checks):
        message = (
            f"the largest HTML template ({largest[1]}) is {largest[0] / 1024:.1f} KB once filled, under "
            f"{GMAIL_CLIP_BYTES // 1024} KB"
            if largest
            else "no text/html template"
        )
        checks.insert(0, Check("templates.size", "pass", message))
    if not any(c.id == "templates.lint" for c in checks):
        checks.append(
            Check(
                "templates.lint", "pass", "no image without alt, http:// link, missing lang or long subject"
            )
        )
    return checks
