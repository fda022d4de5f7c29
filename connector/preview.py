"""A static HTML gallery of every template as the recipient sees it, for reviewers (a CI artifact).

Each template is filled with sample values exactly as Logto fills it (connector.logto.placeholders); HTML
bodies are shown in sandboxed iframes (``srcdoc``, no scripts, no same-origin), text bodies as text.
The page has no script and a Content-Security-Policy that forbids any, and it is the same bytes for the
same input (no timestamps), so two runs can be compared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from connector.atomic import make_folder, write_atomic
from connector.logto import PAYLOAD_ROOTS
from connector.logto.addresses import header
from connector.logto.placeholders import find_placeholders
from connector.mail.message import fill_template
from connector.schema.models import ConnectorConfig, StoreTemplate, Template

SAMPLE_CODE = "123456"
SAMPLE_LINK = "https://example.com/invite/abc"
SAMPLES: dict[str, Any] = {
    "code": SAMPLE_CODE,
    "link": SAMPLE_LINK,
    "application": {"id": "sample-app", "name": "Sample App", "displayName": "Sample App"},
    "organization": {"id": "sample-org", "name": "Sample Organization"},
    "user": {
        "id": "sample-user",
        "name": "Ada Lovelace",
        "username": "ada",
        "primaryEmail": "ada@example.com",
    },
    "inviter": {"id": "sample-inviter", "name": "Grace Hopper", "primaryEmail": "grace@example.com"},
}

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:; font-src data: https:"
_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1d1d1f; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem 1rem; }
section { border-top: 2px solid #d2d2d7; margin-top: 2rem; }
article { border: 1px solid #d2d2d7; border-radius: 8px; margin: 1rem 0; padding: .5rem 1rem 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dt { color: #6e6e73; } dd { margin: 0; overflow-wrap: anywhere; }
iframe.body { width: 100%; height: 28rem; border: 1px solid #d2d2d7; resize: vertical; background: #fff; }
pre.body { white-space: pre-wrap; background: #f5f5f7; padding: .75rem; border-radius: 6px; }
.unfilled { color: #a34e00; } .samples code { background: #f5f5f7; padding: 0 .2rem; }
"""


@dataclass(frozen=True)
class PreviewSet:
    """The templates of one environment in one language, and the addresses they are sent from."""

    environment: str
    language: str
    templates: Sequence[Template | StoreTemplate]
    from_email: str
    reply_to: str | None = None
    # With `preview --locale`: for each usage type, the template Logto picks ("SignIn (fr) from the store").
    picked: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    """One template filled with sample values: what the recipient would see."""

    usage_type: str
    content_type: str
    sender: str
    reply_to: str | None
    subject: str
    body: str
    unfilled: tuple[str, ...] = field(default=())  # placeholders Logto leaves as written for this type


def preview_sets(
    environment: str,
    config: ConnectorConfig,
    *,
    language: str,
    variants: Mapping[str, Sequence[StoreTemplate]] | None = None,
) -> list[PreviewSet]:
    """The sets for one built environment: the connector's templates, then each language variant."""
    sets = [PreviewSet(environment, language, config.templates, config.fromEmail, config.replyTo)]
    for tag, templates in (variants or {}).items():
        sets.append(PreviewSet(environment, tag, templates, config.fromEmail, config.replyTo))
    return sets


def sample_payload(usage_type: str, language: str) -> dict[str, Any]:
    """The payload Logto would send for ``usage_type``, with sample values."""
    roots = PAYLOAD_ROOTS.get(usage_type, PAYLOAD_ROOTS["Generic"])
    return {**{root: SAMPLES[root] for root in sorted(roots)}, "locale": language, "uiLocales": language}


def preview_message(template: Template | StoreTemplate, where: PreviewSet) -> Message:
    """Fill one template with sample values exactly as ``render`` and ``send`` do (Logto's rules)."""
    payload = sample_payload(template.usageType, where.language)
    filled = fill_template(
        template, template.usageType, payload, from_email=where.from_email, reply_to=where.reply_to
    )
    # What Logto left of the template's own fields (the config's fromEmail and replyTo are never filled).
    texts = [filled.subject, filled.body]
    texts += [filled.sender] if template.sendFrom else []
    texts += [filled.reply_to or ""] if template.replyTo else []
    left = dict.fromkeys(p.text for text in texts for p in find_placeholders(text))
    # The mailboxes as nodemailer writes them in Logto's message (logto/addresses.py); text with no address in
    # it is shown as written (the lint says SC405).
    reply_to = (header(filled.reply_to) or filled.reply_to) if filled.reply_to else filled.reply_to
    return Message(
        template.usageType,
        filled.content_type,
        header(filled.sender) or filled.sender,
        reply_to,
        filled.subject,
        filled.body,
        tuple(left),
    )


def gallery_html(sets: Sequence[PreviewSet]) -> str:
    """The whole gallery as one HTML page."""
    ids = _ids(sets)
    nav = "".join(
        f'<li><a href="#{ids[i]}">{escape(s.environment)} · {escape(s.language)}</a></li>'
        for i, s in enumerate(sets)
    )
    samples = ", ".join(
        f"{name} <code>{escape(str(value))}</code>"
        for name, value in SAMPLES.items()
        if isinstance(value, str)
    )
    sections = "".join(_section(s, ids[i]) for i, s in enumerate(sets))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Email templates preview</title><style>{_STYLE}</style></head>\n<body>"
        f"<header><h1>Email templates preview</h1>"
        f'<p class="samples">Filled as Logto fills them, with sample values: {samples}, '
        "and sample application, organization, user and inviter names.</p>"
        f"<nav><ul>{nav}</ul></nav></header>\n{sections}</body></html>\n"
    )


def write_gallery(sets: Sequence[PreviewSet], out_dir: Path) -> Path:
    """Write ``index.html`` into ``out_dir`` (created if needed) atomically; its path."""
    make_folder(out_dir, "--out")
    path = out_dir / "index.html"
    write_atomic(path, gallery_html(sets))
    return path


def _ids(sets: Sequence[PreviewSet]) -> list[str]:
    ids: list[str] = []
    for s in sets:
        base = _slug(f"{s.environment}-{s.language}")
        candidate, n = base, 2
        while candidate in ids:
            candidate, n = f"{base}-{n}", n + 1
        ids.append(candidate)
    return ids


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-") or "x"


def _section(where: PreviewSet, section_id: str) -> str:
    title = f"{escape(where.environment)} · {escape(where.language)}"
    articles = "".join(_article(preview_message(t, where), where, section_id) for t in where.templates)
    return (
        f'<section id="{section_id}" data-environment="{escape(where.environment)}" '
        f'data-language="{escape(where.language)}"><h2>{title}</h2>\n{articles}</section>\n'
    )


def _article(message: Message, where: PreviewSet, section_id: str) -> str:
    kind = escape(message.usage_type)
    article_id = f"{section_id}-{_slug(message.usage_type)}"
    sender = message.sender or "(empty)"
    rows = [("From", "from", sender), ("Reply-To", "reply-to", message.reply_to or "(none)")]
    rows.append(("Subject", "subject", message.subject))
    if message.usage_type in where.picked:
        rows.insert(0, ("Template", "template", where.picked[message.usage_type]))
    headers = "".join(f'<dt>{name}</dt><dd class="{cls}">{escape(value)}</dd>' for name, cls, value in rows)
    unfilled = (
        '<p class="unfilled">Logto leaves these as written for this usage type: '
        + ", ".join(f"<code>{escape(p)}</code>" for p in message.unfilled)
        + "</p>"
        if message.unfilled
        else ""
    )
    if message.content_type == "text/html":
        label = escape(f"{message.usage_type} ({where.environment}, {where.language})", quote=True)
        body = f'<iframe class="body" sandbox="" title="{label}" srcdoc="{escape(message.body, quote=True)}"></iframe>'
    else:
        # A newline right after <pre> is dropped by HTML parsers; this one, so the body's own first line stays.
        body = f'<pre class="body">\n{escape(message.body)}</pre>'
    return (
        f'<article id="{article_id}" data-usage-type="{kind}" '
        f'data-content-type="{escape(message.content_type)}"><h3>{kind}</h3>'
        f"<dl>{headers}</dl>{unfilled}{body}</article>\n"
    )
