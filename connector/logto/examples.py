"""An example value left in place (``<password>``, ``<smtp host>``, ``<<code>>``): the one definition that the
shipped provider overlays (what ``providers`` lists and ``init`` copies) and the lint (SC401, SC403) read.

In a plain-text field (every field but HTML content) it is any ``<…>`` on one line, except:

- the angle-bracketed address of a mailbox, as nodemailer takes one (``Acme <noreply@acme.example>``), or a
  URL in angle brackets (``<https://…>``, ``<mailto:…>``, RFC 3986 appendix C), unless it says "your"
  (``<you@your.domain>``, the shape of the providers' and Logto's own examples);
- comparison text, where the ``<`` and the ``>`` are both operators: a ``<`` with a word before it and a
  space or a number after it (``a < b``, ``x<5``, ``I <3``), a ``>`` with a word after it and a space or a
  number before it (``x > y``, ``5>x``) or glued between a word and a number (``y>3``), and the arrows and
  operators ``<=``, ``<-``, ``=>``, ``->``, ``>=``: ``3 < 4 > 2``, ``x<5 and y>3``. Spaced brackets between two
  words (``from < host > to``) read as comparison; with nothing or punctuation on either side they are an
  example value (``< host >``, ``Host: < host >``, ``from < host >``);
- HTML markup, which SC109 reports in text/plain content and a subject sends as written: a tag of an element
  HTML defines with only attributes HTML defines that is an end tag (``</b>``), self-closing (``<br/>``),
  closed later in the text (``<b>…</b>``), a void element with attributes (``<img src=…>``) or
  ``<br>``, ``<hr>``, ``<wbr>``; and ``<!…>``, ``<?…>`` (declarations, comments). A lone ``<code>`` or
  ``<link>`` is an example value.

In HTML content (a template whose contentType is text/html) it is a tag of an element or with an attribute
HTML does not define (``<smtp in app>``, ``<your-api-key>``), or ``<…>`` text that no HTML parser reads as
markup (``< host >``, ``<{{code}}>``), judged as plain text is. Inside ``<svg>`` and ``<math>`` names are
SVG's and MathML's, and the content of ``<script>``, ``<style>`` and the like is not markup.

A secret is an example value left in place only when all of it is example values (``<smtp key> <here>``):
a password may hold any characters, and part of a real one must never be quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from connector.diagnostics.paths import KeyPath
from connector.logto import is_secret_path
from connector.logto.addresses import ADDRESS
from connector.logto.html_elements import ELEMENTS, FOREIGN, RAW_TEXT, VOID, Tag, defined, read_tag

_BRACKET = re.compile(r"<([^<>\n\r]*)>")
_URL = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://\S+|(?:mailto|tel|sms|urn|cid|mid|news|xmpp|sips?|geo|data):\S+", re.I
)
_YOUR = re.compile(r"(?<![A-Za-z])your", re.I)
_DOUBLE = re.compile(r"<<\s*([A-Za-z0-9_.]+)\s*>>")
_LEFT_OPERAND = re.compile(r"[\w)\]}\"'%]")
_RIGHT_OPERAND = re.compile(r"[\w(\[{\"'$+-]")
_OPENER = re.compile(r"<[A-Za-z/!?]")  # the only `<` that can open markup in HTML
_BARE_VOID = frozenset(("br", "hr", "wbr"))  # void elements written without attributes in running text
_END_TAG = re.compile(r"</([A-Za-z][^\t\n\f\r />]*)")
_COMMENT_STARTS = ("<!-->", "<!--->")  # comments HTML closes at once


class Example(NamedTuple):
    """One example value: its text as written (``<host>``, ``<<code>>``) and where it starts."""

    text: str
    start: int


def example_values(text: str, html: bool = False) -> list[Example]:
    """The example values left in ``text``, a plain-text field, or HTML content with ``html``."""
    if "<" not in text:
        return []
    return _in_html(text) if html else _in_plain(text, 0, len(text), markup=True)


def left_in(data: Any, path: KeyPath, value: str) -> list[Example]:
    """The example values still to replace in ``value``, at ``path`` of the config ``data`` (the field's
    kind decides, see above); in a secret, only when all of it is example values (SC401, doctor)."""
    if "<" not in value:
        return []
    if is_secret_path(path) and not only_examples(value):
        return []  # a password may hold any characters: only one that is all example values holds none
    return example_values(value, html_field(data, path))


def only_examples(text: str) -> bool:
    """True when ``text`` (a secret) is example values and nothing else but spaces: no real secret in it."""
    found = example_values(text)
    if not found:
        return False
    end = 0
    for example in found:
        if text[end : example.start].strip():
            return False
        end = example.start + len(example.text)
    return not text[end:].strip()


def double_name(example: str) -> str | None:
    """``code`` for ``<<code>>``: Logto fills double braces, so the writer meant ``{{code}}``."""
    match = _DOUBLE.fullmatch(example)
    return match.group(1) if match else None


def html_field(data: Any, path: KeyPath) -> bool:
    """Whether the string at ``path`` of a config is HTML content: a template's content whose contentType is
    text/html (or missing, which the schema reports)."""
    if len(path) != 3 or path[0] != "templates" or path[2] != "content":
        return False
    templates = data.get("templates") if isinstance(data, dict) else None
    template = templates[path[1]] if isinstance(templates, list) and isinstance(path[1], int) else None
    return not isinstance(template, dict) or (template.get("contentType") or "text/html") == "text/html"


def first_html_tag(text: str) -> str | None:
    """The first HTML markup in plain text (``<p>`` of ``<p>…</p>``, ``</b>``, ``<br>``, ``<hr/>``), as SC109
    names it; a lone ``<code>`` is an example value, not markup."""
    if "<" not in text:
        return None  # no tag at all: most plain-text content
    for _start, _stop, tag in _plain_brackets(text, 0, len(text), markup=True):
        if tag is not None:
            return f"</{tag.name}>" if tag.end else f"<{tag.name}/>" if tag.self_closing else f"<{tag.name}>"
    return None


def _in_plain(text: str, lo: int, hi: int, markup: bool) -> list[Example]:
    return [
        _example(text, start, stop, lo, hi)
        for start, stop, tag in _plain_brackets(text, lo, hi, markup)
        if tag is None
    ]


def _plain_brackets(text: str, lo: int, hi: int, markup: bool) -> Iterator[tuple[int, int, Tag | None]]:
    """Each ``<…>`` of ``text[lo:hi]`` that is markup (with its tag) or an example value (with None)."""
    closed: set[str] | None = None  # the end tags in the text, read once and only when needed
    for match in _BRACKET.finditer(text, lo, hi):
        raw = match.group(1)
        start, stop = match.span()
        # Only a `<` followed by `=`, `-`, a space or a digit can open comparison text; only `@` or `:`
        # can make a mailbox or a URL (cheap tests first: a text may hold many tags).
        if (raw[:1] in "=-" or raw[:1].isspace() or raw[:1].isdigit()) and _comparison(
            text, start, stop, lo, hi
        ):
            continue
        inner = raw.strip()
        if not inner or (("@" in inner or ":" in inner) and _mailbox_or_url(inner)):
            continue
        if markup and not _doubled(text, start, stop, lo, hi):
            if inner[0] in "!?":
                continue  # a comment, a doctype, a processing instruction
            tag = read_tag(text, start, stop)
            if tag is not None and tag.closed and tag.stop == stop and defined(tag):
                if closed is None and not (tag.end or tag.self_closing or tag.name in VOID):
                    closed = {name.lower() for name in _END_TAG.findall(text)}
                if _plain_markup(tag, closed):
                    yield start, stop, tag
                    continue
        yield start, stop, None


def _plain_markup(tag: Tag, closed: set[str] | None) -> bool:
    if tag.end or tag.self_closing:
        return True
    if tag.name in VOID:
        return bool(tag.attributes) or tag.name in _BARE_VOID
    return closed is not None and tag.name in closed


def _in_html(text: str) -> list[Example]:
    """Read ``text`` as HTML's tokenizer does: tags are judged by their names, text by the plain-text rule."""
    found: list[Example] = []
    lowered: str | None = None
    foreign = 0  # how deep inside <svg> or <math>
    run = pos = 0  # the text since the last markup starts at `run`
    bracket = False  # whether that text holds a `<`: only then can it hold `<…>`
    size = len(text)
    while (opener := _OPENER.search(text, pos)) is not None:
        at = opener.start()
        if not bracket and text.find("<", pos, at) >= 0:
            bracket = True  # a `<` before it opens nothing: text (`< b`, `<3`, `<{{code}}>`)
        following = text[at + 1]
        stop: int | None = None
        if following == "!":
            if text.startswith(_COMMENT_STARTS, at):
                stop = at + (5 if text.startswith("<!-->", at) else 6)
            elif text.startswith("<!--", at):
                close = text.find("-->", at + 4)
                stop = size if close < 0 else close + 3
            else:  # a doctype, CDATA or Outlook's <![endif]>: a bogus comment up to `>`
                close = text.find(">", at + 2)
                stop = size if close < 0 else close + 1
        elif following == "?":
            close = text.find(">", at + 2)
            stop = size if close < 0 else close + 1
        else:
            tag = read_tag(text, at)
            if tag is None and following == "/":
                close = text.find(">", at + 2)  # `</>` is dropped, `</ x>` is a bogus comment
                stop = size if close < 0 else close + 1
            elif tag is not None:
                stop = tag.stop
                if tag.closed and not foreign and _undefined(text, at, tag, run, size):
                    inner = text[at + 1 : tag.stop - 1].strip()
                    if not _mailbox_or_url(inner):
                        found.append(_example(text, at, tag.stop, run, size))
                if tag.name in FOREIGN and not tag.self_closing:
                    foreign = max(0, foreign + (-1 if tag.end else 1))
                elif tag.name in RAW_TEXT and not tag.end and not foreign:
                    lowered = text.lower() if lowered is None else lowered
                    close = lowered.find(f"</{tag.name}", stop)
                    stop = size if close < 0 else close
        if stop is None:
            pos, bracket = at + 1, True  # `<` that opens nothing is text
            continue
        if bracket:
            found.extend(_in_plain(text, run, at, markup=False))
        run, pos, bracket = stop, stop, False
    if bracket or text.find("<", pos) >= 0:
        found.extend(_in_plain(text, run, size, markup=False))
    found.sort(key=lambda example: example.start)
    return found


def _undefined(text: str, at: int, tag: Tag, run: int, size: int) -> bool:
    """Whether HTML does not define the tag (an <svg>'s or <math>'s attributes are theirs), or it is
    doubled (``<<code>>`` is the shape of an example, whatever its name)."""
    if _doubled(text, at, tag.stop, run, size):
        return True
    return not (defined(tag) or (tag.name in FOREIGN and tag.name in ELEMENTS))


def _doubled(text: str, start: int, stop: int, lo: int, hi: int) -> bool:
    return start > lo and stop < hi and text[start - 1] == "<" and text[stop] == ">"


def _mailbox_or_url(inner: str) -> bool:
    if not (ADDRESS.fullmatch(inner) or _URL.fullmatch(inner)):
        return False
    return not _YOUR.search(inner)


def _comparison(text: str, start: int, stop: int, lo: int, hi: int) -> bool:
    """Whether the ``<`` at ``start`` and the ``>`` before ``stop`` are both operators (``a < b and c > d``,
    ``x<5 and y>3``, ``<=``, ``->``): text that compares, not ``<…>`` around a value (``from < host >``)."""
    after, before = text[start + 1], text[stop - 2]
    left = _LEFT_OPERAND.fullmatch(_neighbour(text, start - 1, lo, -1))
    opens = after in "=-" or bool(left and (after.isspace() or after.isdigit()))
    if not opens:
        return False
    following = text[stop] if stop < hi else ""
    if before in "=-" or following == "=":
        return True  # =>, ->, >=
    if not _RIGHT_OPERAND.fullmatch(_neighbour(text, stop, hi, 1)):
        return False
    return (
        before.isspace()
        or before.isdigit()
        or (following.isdigit() and bool(_LEFT_OPERAND.fullmatch(before)))
    )


def _neighbour(text: str, index: int, bound: int, step: int) -> str:
    """The first character from ``index`` going ``step`` that is not a space or tab (the line's), or ""."""
    while (index >= bound if step < 0 else index < bound) and text[index] in " \t":
        index += step
    return text[index] if (index >= bound if step < 0 else index < bound) else ""


def _example(text: str, start: int, stop: int, lo: int, hi: int) -> Example:
    if _doubled(text, start, stop, lo, hi):
        start, stop = start - 1, stop + 1  # <<api-key>>: the example is the doubled form
    return Example(text[start:stop], start)
