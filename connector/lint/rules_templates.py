"""SC1xx: templates and Logto's runtime placeholders (``{{code}}``, ``{{link}}``, …)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from connector.diagnostics.findings import Finding
from connector.diagnostics.suggest import did_you_mean
from connector.lint.base import JINJA, TEMPLATE_TEXT_MODES, Context, rule
from connector.logto import (
    ALL_TEMPLATE_ROOTS,
    TEMPLATE_ROOTS,
    TEMPLATE_TEXT_FIELDS,
    USAGE_TYPES,
    VERIFICATION_TYPES,
    sent_content_type,
)
from connector.logto.examples import first_html_tag
from connector.logto.html_elements import GMAIL_CLIP_BYTES, SUBJECT_LENGTH, check_html, html_notes
from connector.logto.placeholders import PLACEHOLDER, fill_placeholders, find_placeholders
from connector.logto.usage_types import unknown_usage_type

_SENTINEL = "\x00filled\x00"
_SINGLE = re.compile(r"(?<!\{)\{[ \t]*([A-Za-z_][A-Za-z0-9_.]*)[ \t]*\}(?!\})")
_BRACES = re.compile(r"\{\{|\}\}")


def _kind(template: dict[str, Any]) -> str | None:
    """The template's usageType if it is text (anything else is the schema rule's to report)."""
    kind = template.get("usageType")
    return kind if isinstance(kind, str) else None


@rule("SC101", "SC102")
def usage_types(ctx: Context) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, template in ctx.templates():
        kind = template.get("usageType")
        if not isinstance(kind, str) or not kind:
            continue
        path = ("templates", index, "usageType")
        # Placed only when reported: locating a value reads the whole file's positions.
        unknown = unknown_usage_type(kind, ctx.at(path), path) if kind not in USAGE_TYPES else None
        if unknown is not None:
            yield unknown
        elif kind in seen:
            first = ctx.at(("templates", seen[kind], "usageType"))
            where = f"line {first.line}" if first.file == ctx.at(path).file else str(first)
            yield ctx.finding(
                path,
                "SC102",
                f"usageType `{kind}` appears twice (first at {where}); Logto always uses the first",
                "remove one of the two templates, or merge them",
            )
        else:
            seen[kind] = index


@rule("SC104", "SC105", modes=TEMPLATE_TEXT_MODES)
def required_placeholder(ctx: Context) -> Iterator[Finding]:
    for index, template in ctx.templates():
        kind, subject, content = _kind(template), template.get("subject"), template.get("content")
        if not (isinstance(subject, str) and isinstance(content, str)) or (
            not ctx.rendered and (JINJA.search(subject) or JINJA.search(content))
        ):
            continue
        html = _content_type(ctx, template) == "text/html"
        where = ("templates", index, "content")
        if kind in VERIFICATION_TYPES and not _renders(subject, content, html, "code"):
            yield ctx.finding(
                where,
                "SC104",
                f"template {ctx.template_name(template, index)} has no {{{{code}}}} placeholder",
                "add {{code}} where the code should appear",
                key=True,
            )
        elif kind == "OrganizationInvitation" and not (
            _renders(subject, content, html, "link") or _renders(subject, content, html, "code")
        ):
            yield ctx.finding(
                where,
                "SC105",
                f"template {ctx.template_name(template, index)} has neither {{{{link}}}} nor {{{{code}}}}",
                "add {{link}} where the invitation link should appear",
                key=True,
            )


def strip_comments(html: str) -> str:
    """``html`` without its closed ``<!-- ... -->`` comments (an unclosed one is left, and SC110 reports it).

    One pass with ``find``: the regular expression ``<!--.*?-->`` rescans the rest of the text from every
    ``<!--`` when none is closed, quadratic in a template of ``<!--<!--<!--...``.
    """
    parts, start = [], 0
    while (open_at := html.find("<!--", start)) >= 0:
        close_at = html.find("-->", open_at + 4)
        if close_at < 0:
            break  # no later `<!--` can be closed either
        parts.append(html[start:open_at])
        start = close_at + 3
    parts.append(html[start:])
    return "".join(parts)


def _renders(subject: str, content: str, html: bool, root: str) -> bool:
    """Whether Logto's filling puts the ``root`` value where a reader sees it (not in an HTML comment)."""
    payload = {root: _SENTINEL}
    shown = fill_placeholders(content, payload)
    if html:
        shown = strip_comments(shown)
    return _SENTINEL in fill_placeholders(subject, payload) or _SENTINEL in shown


@rule("SC106", "SC107", "SC108", modes=TEMPLATE_TEXT_MODES)
def placeholders(ctx: Context) -> Iterator[Finding]:
    for index, template in ctx.templates():
        allowed = _allowed_roots(ctx, _kind(template))
        for field in TEMPLATE_TEXT_FIELDS:
            text = template.get(field)
            if not isinstance(text, str) or "{" not in text or (not ctx.rendered and JINJA.search(text)):
                continue
            path = ("templates", index, field)
            label = f"template {ctx.template_name(template, index)} {field}"
            yield from _unknown(ctx, path, label, text, _kind(template), allowed)
            yield from _malformed(ctx, path, label, text)


def _allowed_roots(ctx: Context, kind: Any) -> frozenset[str] | None:
    if kind not in TEMPLATE_ROOTS:
        return None
    if kind != "Generic":
        return TEMPLATE_ROOTS[kind]
    if not ctx.complete:
        return ALL_TEMPLATE_ROOTS
    # Generic also serves every usage type that has no template of its own, with that type's payload.
    present = {_kind(t) for _, t in ctx.templates()}
    return TEMPLATE_ROOTS["Generic"].union(*(TEMPLATE_ROOTS[k] for k in USAGE_TYPES if k not in present))


def _unknown(
    ctx: Context,
    path: tuple[str | int, ...],
    label: str,
    text: str,
    kind: Any,
    allowed: frozenset[str] | None,
) -> Iterator[Finding]:
    for placeholder in find_placeholders(text):
        root, rest = placeholder.root, placeholder.path[len(placeholder.root) :]
        if root not in ALL_TEMPLATE_ROOTS and root in ctx.build_variables:
            field = path[-1]
            written = f'{field}: {{jinja: "{text}"}}' if len(text) <= 60 and "\n" not in text else ""
            yield ctx.finding(
                path,
                "SC106",
                f"{label}: `{placeholder.text}` is not a placeholder Logto fills: `{root}` is a build "
                "variable, and a plain string is sent as written (the build fills variables only in "
                "{jinja: ...} and {file: ...} fields)",
                (
                    f"write `{written}`"
                    if written
                    else f"make `{field}` a {{jinja: ...}} or {{file: ...}} field"
                )
                + f" so the build puts `{root}` in",
                excerpt=placeholder.text,
            )
        elif root not in ALL_TEMPLATE_ROOTS:
            guess = did_you_mean(root, ALL_TEMPLATE_ROOTS)
            if not guess and not ctx.rendered:
                continue  # in a source layer this may be a build-time Jinja2 variable
            yield ctx.finding(
                path,
                "SC106",
                f"{label}: `{placeholder.text}` is not a placeholder Logto fills"
                + (f"; did you mean `{{{{{guess}{rest}}}}}`?" if guess else ""),
                f"write `{{{{{guess}{rest}}}}}`"
                if guess
                else f"Logto fills {', '.join(sorted(ALL_TEMPLATE_ROOTS))}",
                excerpt=placeholder.text,
            )
        elif allowed is not None and root not in allowed:
            yield ctx.finding(
                path,
                "SC108",
                f"{label}: Logto does not send `{root}` with {kind} messages, so `{placeholder.text}` "
                "stays in the email as written",
                f"{kind} messages get {', '.join(sorted(allowed))}",
                excerpt=placeholder.text,
            )


def _malformed(ctx: Context, path: tuple[str | int, ...], label: str, text: str) -> Iterator[Finding]:
    masked = PLACEHOLDER.sub(lambda m: "\x00" * len(m.group(0)), text)
    if "{" not in masked and "}" not in masked:
        return  # every brace is part of a well-formed placeholder, with no brace next to it
    for match in PLACEHOLDER.finditer(text):
        start, end = match.span()
        if text[start - 1 : start] == "{" and text[end : end + 1] == "}":
            yield ctx.finding(
                path,
                "SC107",
                f"{label}: `{{{match.group(0)}}}` has triple braces; Logto fills the inner "
                f"`{match.group(0)}` and leaves the outer braces in the email",
                f"write `{match.group(0)}`",
                excerpt=text[start - 1 : end + 1],
            )
    position = 0
    for match in _BRACES.finditer(masked):
        if match.start() < position:
            continue
        if match.group(0) == "}}":
            snippet = _line_around(text, match.start(), before=True)
            yield _unbalanced(ctx, path, label, snippet, "`}}` without an opening `{{`")
            continue
        close, reopen = masked.find("}}", match.end()), masked.find("{{", match.end())
        if close >= 0 and (reopen < 0 or close < reopen):
            position = close + 2
            written = text[match.start() : close + 2]
            snippet = written if len(written) <= 40 else written[:37] + "..."
            yield ctx.finding(
                path,
                "SC107",
                f"{label}: `{snippet}` is not a placeholder Logto reads (write a dotted path of letters, "
                "digits and `_` between `{{` and `}}`)",
                "write e.g. `{{code}}` or `{{application.name}}`",
                excerpt=written,
            )
        else:
            snippet = _line_around(text, match.start(), before=False)
            yield _unbalanced(ctx, path, label, snippet, "`{{` without a closing `}}`")
    for match in _SINGLE.finditer(masked):
        if match.group(1).split(".", 1)[0] in ALL_TEMPLATE_ROOTS:
            yield ctx.finding(
                path,
                "SC107",
                f"{label}: `{match.group(0)}` has single braces; Logto fills only `{{{{{match.group(1)}}}}}`",
                f"write `{{{{{match.group(1)}}}}}`",
                excerpt=text[match.start() : match.end()],
            )


def _unbalanced(ctx: Context, path: tuple[str | int, ...], label: str, snippet: str, what: str) -> Finding:
    return ctx.finding(
        path,
        "SC107",
        f"{label}: unbalanced braces in `{snippet}`: {what}, so Logto leaves it in the email as written",
        "write the placeholder as `{{code}}`, with two braces on each side",
        excerpt=snippet,
    )


def _line_around(text: str, offset: int, *, before: bool) -> str:
    start = max(text.rfind("\n", 0, offset) + 1, offset - 18) if before else offset
    end = offset + 2 if before else min(len(text), offset + 20)
    newline = text.find("\n", offset)
    if not before and 0 <= newline < end:
        end = newline
    return text[start:end].strip()


def _content_type(ctx: Context, template: dict[str, Any]) -> Any:
    """A template's contentType as Logto sends it: a variant stored without one (``omit: [contentType]``)
    is sent as HTML; a connector template without one is refused (SC203), so it is not guessed."""
    kind = template.get("contentType")
    return sent_content_type(kind) if ctx.mode == "variant" else kind


@rule("SC109", "SC110", modes=TEMPLATE_TEXT_MODES)
def content_markup(ctx: Context) -> Iterator[Finding]:
    for index, template in ctx.templates():
        content, kind = template.get("content"), _content_type(ctx, template)
        if not isinstance(content, str) or (not ctx.rendered and JINJA.search(content)):
            continue
        path = ("templates", index, "content")
        name = ctx.template_name(template, index)
        if kind == "text/plain":
            tag = first_html_tag(content)
            if tag:
                yield ctx.finding(
                    path,
                    "SC109",
                    f"template {name} is text/plain but its content has HTML (`{tag}`); "
                    "the reader would see the tags",
                    "set `contentType: text/html`, or remove the tags",
                    excerpt=tag,
                )
        elif kind == "text/html":
            problem = check_html(content)
            if problem:
                yield ctx.finding(
                    path,
                    "SC110",
                    f"template {name} content: {problem.message}",
                    problem.hint,
                    excerpt=problem.excerpt,
                )


_NOTES = {
    "img-alt": (
        "SC112",
        "an image without `alt`: readers whose client blocks images, and screen readers, get nothing for it",
        'add alt text (alt="" for a decorative image)',
    ),
    "http": (
        "SC113",
        "a plain http:// link or image: clients warn about or block insecure content, and anyone on the way "
        "can change it",
        "use https://",
    ),
    "lang": (
        "SC114",
        "the root `<html>` has no `lang`: screen readers read the message in the reader's default language",
        'add lang, e.g. `<html lang="en">` (the template\'s language)',
    ),
}


@rule("SC111", "SC112", "SC113", "SC114", modes=TEMPLATE_TEXT_MODES)
def html_for_readers(ctx: Context) -> Iterator[Finding]:
    """What an HTML template loses in readers' clients: clipped by Gmail, images without alt, plain http,
    no language."""
    for index, template in ctx.templates():
        content = template.get("content")
        if template.get("contentType") != "text/html" or not isinstance(content, str):
            continue
        if not ctx.rendered and JINJA.search(content):
            continue
        path = ("templates", index, "content")
        name = ctx.template_name(template, index)
        size = len(content.encode("utf-8", "surrogatepass"))
        if size > GMAIL_CLIP_BYTES:
            yield ctx.finding(
                path,
                "SC111",
                f"template {name} content is {size // 1024} KB of HTML: Gmail clips a message over about "
                f"{GMAIL_CLIP_BYTES // 1024} KB and hides the rest (the code, perhaps) behind "
                '"View entire message"',
                "make the HTML smaller: inline less CSS, drop unused markup",
            )
        for note in html_notes(content):
            rule_id, consequence, hint = _NOTES[note.kind]
            yield ctx.finding(
                path,
                rule_id,
                f"template {name} content, line {note.line}, column {note.column}: {consequence}",
                hint,
                excerpt=note.excerpt,
            )


@rule("SC115", modes=TEMPLATE_TEXT_MODES)
def subject_length(ctx: Context) -> Iterator[Finding]:
    for index, template in ctx.templates():
        subject = template.get("subject")
        if not isinstance(subject, str) or len(subject) <= SUBJECT_LENGTH:
            continue
        if not ctx.rendered and JINJA.search(subject):
            continue
        yield ctx.finding(
            ("templates", index, "subject"),
            "SC115",
            f"template {ctx.template_name(template, index)} subject is {len(subject)} characters: over "
            f"{SUBJECT_LENGTH} it is folded onto two header lines, and phones and inboxes cut it off",
            f"keep the subject within {SUBJECT_LENGTH} characters, the code near its start",
        )
