"""What HTML defines (its elements and attributes), a tag read as HTML's tokenizer reads it, and just enough
HTML checking for email templates: tags that never close or close the wrong thing.

Browsers forgive a lot, so this is not a validator: void elements (``<br>``) need no end tag, and the
elements whose end tag HTML makes optional (``<p>``, ``<li>``, ``<td>``, …) may be left open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import NamedTuple

VOID = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    "basefont", "bgsound", "frame", "keygen",
))  # fmt: skip
OPTIONAL_END = frozenset((
    "html", "head", "body", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody",
    "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp",
))  # fmt: skip
# Every HTML element name (plus the old ones emails still use), to tell `<p>` from `<password>`.
ELEMENTS = VOID | OPTIONAL_END | frozenset((
    "a", "abbr", "address", "article", "aside", "audio", "b", "bdi", "bdo", "blockquote", "button", "canvas",
    "center", "cite", "code", "data", "datalist", "del", "details", "dfn", "dialog", "div", "dl", "em",
    "fieldset", "figcaption", "figure", "font", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "i", "iframe", "ins", "kbd", "label", "legend", "main", "map", "mark", "menu", "meter", "nav",
    "noscript", "object", "ol", "output", "picture", "pre", "progress", "q", "ruby", "s", "samp", "script",
    "section", "select", "slot", "small", "span", "strike", "strong", "style", "sub", "summary", "sup", "svg",
    "table", "template", "textarea", "time", "title", "tt", "u", "ul", "var", "video",
    "acronym", "big", "math", "nobr", "search",
))  # fmt: skip
# The attributes HTML defines on any element (the living standard's index, with the presentational ones
# it made obsolete but every mail client still reads: `bgcolor`, `cellpadding`, `valign`, ...), and the
# prefixes of the families it defines (`data-*`, `aria-*`, the `on*` event handlers, XML namespaces).
ATTRIBUTES = frozenset((
    "accesskey", "autocapitalize", "autocorrect", "autofocus", "class", "contenteditable", "dir", "draggable",
    "enterkeyhint", "hidden", "id", "inert", "inputmode", "is", "itemid", "itemprop", "itemref", "itemscope",
    "itemtype", "lang", "nonce", "popover", "role", "slot", "spellcheck", "style", "tabindex", "title",
    "translate", "writingsuggestions", "xmlns",
    "abbr", "accept", "accept-charset", "action", "allow", "allowfullscreen", "alt", "as", "async",
    "autocomplete", "autoplay", "blocking", "charset", "checked", "cite", "cols", "colspan", "command",
    "commandfor", "content", "controls", "coords", "crossorigin", "data", "datetime", "decoding", "default",
    "defer", "dirname", "disabled", "download", "enctype", "fetchpriority", "for", "form", "formaction",
    "formenctype", "formmethod", "formnovalidate", "formtarget", "headers", "height", "high", "href",
    "hreflang", "http-equiv", "imagesizes", "imagesrcset", "integrity", "ismap", "kind", "label", "list",
    "loading", "loop", "low", "max", "maxlength", "media", "method", "min", "minlength", "multiple", "muted",
    "name", "nomodule", "novalidate", "open", "optimum", "pattern", "ping", "placeholder", "playsinline",
    "popovertarget", "popovertargetaction", "poster", "preload", "readonly", "referrerpolicy", "rel",
    "required", "reversed", "rows", "rowspan", "sandbox", "scope", "selected", "shadowrootclonable",
    "shadowrootdelegatesfocus", "shadowrootmode", "shadowrootserializable", "shape", "size", "sizes", "span",
    "src", "srcdoc", "srclang", "srcset", "start", "step", "target", "type", "usemap", "value", "width",
    "wrap",
    "align", "alink", "archive", "axis", "background", "bgcolor", "border", "bordercolor", "bottommargin",
    "cellpadding", "cellspacing", "char", "charoff", "classid", "clear", "code", "codebase", "codetype",
    "color", "compact", "declare", "face", "frame", "frameborder", "hspace", "language", "leftmargin", "link",
    "longdesc", "marginheight", "marginwidth", "nohref", "noresize", "noshade", "nowrap", "profile", "rev",
    "rightmargin", "rules", "scheme", "scrolling", "standby", "summary", "text", "topmargin", "valign",
    "valuetype", "version", "vlink", "vspace",
))  # fmt: skip
_ATTRIBUTE_FAMILY = re.compile(r"(?:data-|aria-|xmlns:|xml:)[^\s]+|on[a-z]+")
# Outlook's Office and VML elements and attributes (`<o:p>`, `<v:roundrect>`, `<w:anchorlock>`), which
# email HTML carries for Outlook; no other prefixed name is HTML's.
_OFFICE = re.compile(r"[ovwx]:[a-z][a-z0-9-]*")
_CUSTOM = re.compile(r"[a-z][a-z0-9._]*-[a-z0-9._-]*")
# Foreign content: inside these, the element and attribute names are SVG's or MathML's, not HTML's.
FOREIGN = frozenset(("svg", "math"))
# Elements whose content the tokenizer reads as text up to their end tag (no tag inside is markup).
RAW_TEXT = frozenset(("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"))

_SPACE = "\t\n\f\r "
_TAG_NAME = re.compile(rf"[A-Za-z][^{_SPACE}/>]*")
_SIMPLE_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)(/?)>")
_SEPARATORS = re.compile(rf"[{_SPACE}/]*")
_ATTRIBUTE = re.compile(
    rf"([^{_SPACE}/>][^{_SPACE}/=>]*)(?:[{_SPACE}]*=[{_SPACE}]*"
    rf"(?:\"[^\"]*(?:\"|\Z)|'[^']*(?:'|\Z)|[^{_SPACE}>]*))?"
)


class Tag(NamedTuple):
    """A start or end tag as HTML's tokenizer reads it: names lowercased, ``stop`` just after its ``>``."""

    name: str
    end: bool
    attributes: tuple[str, ...]
    self_closing: bool
    stop: int
    closed: bool  # False when the text (or the given limit) ends inside the tag


def read_tag(text: str, start: int, limit: int | None = None) -> Tag | None:
    """The tag whose ``<`` is at ``start``, read as HTML's tokenizer reads it (up to ``limit``), or None when
    that ``<`` opens no tag (HTML reads ``< b``, ``<3`` and ``<{{code}}>`` as text)."""
    limit = len(text) if limit is None else limit
    simple = _SIMPLE_TAG.match(text, start, limit)
    if simple is not None:  # `<p>`, `</b>`, `<br/>`: most tags, read without the loop below
        end, name, closing = simple.groups()
        return Tag(name.lower(), bool(end), (), bool(closing), simple.end(), True)
    pos = start + 1
    end = text.startswith("/", pos)
    name = _TAG_NAME.match(text, pos + end, limit)
    if name is None:
        return None
    pos = name.end()
    attributes: list[str] = []
    while True:
        separators = _SEPARATORS.match(text, pos, limit)
        assert separators is not None  # it matches the empty string
        pos = separators.end()
        if pos >= limit:
            return Tag(name.group().lower(), end, tuple(attributes), False, limit, False)
        if text[pos] == ">":
            closing = separators.group().endswith("/")  # `<br/>`; `<br / >` is no self-closing tag
            return Tag(name.group().lower(), end, tuple(attributes), closing, pos + 1, True)
        attribute = _ATTRIBUTE.match(text, pos, limit)
        assert attribute is not None  # its first character is any but a separator or `>`
        attributes.append(attribute.group(1).lower())
        pos = attribute.end()


def defined(tag: Tag) -> bool:
    """Whether HTML defines the tag's element and each of its attributes (``<p class=x>``, not ``<p in app>``)."""
    # A custom element (`<my-widget data-x="1">`, `</my-widget>`) has a hyphen, as `<your-api-key>` does:
    # it is markup when it carries an attribute HTML defines, or ends one.
    if tag.name in ELEMENTS:
        if not tag.attributes:
            return True
    elif _OFFICE.fullmatch(tag.name):
        return True  # VML's and Office's attributes are theirs (`arcsize`, `fillcolor`)
    elif not (_CUSTOM.fullmatch(tag.name) and (tag.end or tag.attributes)):
        return False
    return all(name in ATTRIBUTES or _ATTRIBUTE_FAMILY.fullmatch(name) for name in tag.attributes)


@dataclass(frozen=True)
class HtmlProblem:
    line: int  # 1-based, within the checked text
    message: str
    hint: str
    excerpt: str = ""  # the tag it is about, as its text starts (`</span>`, `<div`): lint finds it in a file


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, int]] = []
        self.problem: HtmlProblem | None = None

    def _fail(self, message: str, hint: str, line: int | None = None, excerpt: str = "") -> None:
        if self.problem is None:
            self.problem = HtmlProblem(line or self.getpos()[0], message, hint, excerpt)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ELEMENTS and tag not in VOID:  # unknown names are example values (connector.logto.examples)
            self.open.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ELEMENTS or tag in VOID:
            return
        names = [name for name, _ in self.open]
        if tag not in names:
            self._fail(
                f"`</{tag}>` closes nothing that is open",
                f"remove `</{tag}>` or add the `<{tag}>` it closes",
                excerpt=f"</{tag}>",
            )
            return
        index = len(names) - 1 - names[::-1].index(tag)
        unclosed = [(name, line) for name, line in self.open[index + 1 :] if name not in OPTIONAL_END]
        if unclosed:
            name, line = unclosed[-1]
            opened = f" (opened on line {line})" if line != self.getpos()[0] else ""
            self._fail(
                f"`<{name}>`{opened} is not closed before `</{tag}>`",
                f"add `</{name}>` before `</{tag}>`",
                excerpt=f"</{tag}>",
            )
        del self.open[index:]

    def finish(self) -> None:
        if self.rawdata.lstrip().startswith("<"):
            self._fail(
                "the text ends inside a tag or comment that is never closed",
                "close the tag with `>` (or the comment with `-->`)",
            )
        unclosed = [(name, line) for name, line in self.open if name not in OPTIONAL_END]
        if unclosed:
            name, line = unclosed[-1]
            self._fail(
                f"`<{name}>` is never closed",
                f"add `</{name}>` where the element ends",
                line,
                excerpt=f"<{name}",
            )


def check_html(text: str) -> HtmlProblem | None:
    """The first structural problem in ``text`` that would make an email render wrongly, if any."""
    if "<" not in text:
        return None  # no tag, comment or declaration to check (the parser is pure Python: skip it)
    checker = _Checker()
    checker.feed(text)
    checker.finish()
    return checker.problem


# Gmail clips a message whose HTML is over about 102 KB: the rest (the code, perhaps) hides behind "View
# entire message" (Google's Gmail help; email builders such as MJML and Litmus warn at the same size).
GMAIL_CLIP_BYTES = 102 * 1024
# RFC 5322 2.1.1: a line SHOULD be at most 78 characters; a longer subject is folded, and clients cut it.
SUBJECT_LENGTH = 78


@dataclass(frozen=True)
class HtmlNote:
    """Something in an HTML template readers lose: ``img-alt`` (an image without ``alt``), ``http`` (a link
    or image over plain http://), ``lang`` (the root ``<html>`` without ``lang``). Line and column are
    1-based within the text; ``excerpt`` is the tag as written (lint finds it again in a template file)."""

    kind: str
    line: int
    column: int
    excerpt: str
    detail: str = ""


class _Notes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.notes: list[HtmlNote] = []
        self.seen_root = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, offset = self.getpos()
        text = (self.get_starttag_text() or f"<{tag}")[:80]
        names = {name for name, _ in attrs}
        if not self.seen_root:
            self.seen_root = True
            if tag == "html" and "lang" not in names:
                self.notes.append(HtmlNote("lang", line, offset + 1, text))
        if tag == "img" and "alt" not in names:
            self.notes.append(HtmlNote("img-alt", line, offset + 1, text))
        for name, value in attrs:
            if name in ("href", "src") and value and _plain_http(value.strip()):
                self.notes.append(HtmlNote("http", line, offset + 1, text, value.strip()[:80]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def html_notes(text: str) -> list[HtmlNote]:
    """Images without ``alt``, ``http://`` links and images, and a root ``<html>`` without ``lang``."""
    if "<" not in text:
        return []
    parser = _Notes()
    parser.feed(text)  # no close(): on an unterminated tag the standard library's close() is quadratic
    return parser.notes


def _plain_http(url: str) -> bool:
    """An http:// URL to another machine (http://localhost in a development template is fine)."""
    if url[:7].lower() != "http://":
        return False
    # start-up: imported when this runs, so other commands start fast
    from urllib.parse import urlsplit

    from connector.logto.loopback import is_loopback

    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return True
    return not is_loopback(host)
