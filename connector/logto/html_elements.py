"""Just enough HTML checking for email templates: tags that never close or close the wrong thing.

Browsers forgive a lot, so this is not a validator: void elements (``<br>``) need no end tag, and the
elements whose end tag HTML makes optional (``<p>``, ``<li>``, ``<td>``, …) may be left open.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

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
))  # fmt: skip


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
        self.tags: list[str] = []  # every tag of a known element, as written: <p>, </p>, <br/>

    def _fail(self, message: str, hint: str, line: int | None = None, excerpt: str = "") -> None:
        if self.problem is None:
            self.problem = HtmlProblem(line or self.getpos()[0], message, hint, excerpt)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ELEMENTS:  # unknown names are left to the unfilled-placeholder rule (`<password>`)
            self.tags.append(f"<{tag}>")
            if tag not in VOID:
                self.open.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ELEMENTS:
            self.tags.append(f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if tag not in ELEMENTS or tag in VOID:
            return
        self.tags.append(f"</{tag}>")
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


def first_html_tag(text: str) -> str | None:
    """The first tag in ``text`` that is surely HTML (``<p>…</p>``, ``</b>``, ``<br>``, ``<hr/>``).

    A bare ``<code>`` with no ``</code>`` is more likely an unfilled placeholder than markup.
    """
    if "<" not in text:
        return None  # no tag at all: most plain-text content
    checker = _Checker()
    checker.feed(text)
    lowered = text.lower()
    # Whether `</name` occurs, found once per name: a search of the whole text per tag was quadratic (a
    # 1 MB template of 70,000 tags took minutes).
    closed: dict[str, bool] = {}
    for tag in checker.tags:
        name = tag.strip("</>")
        if tag.startswith("</") or tag.endswith("/>") or name in VOID:
            return tag
        if name not in closed:
            closed[name] = f"</{name}" in lowered
        if closed[name]:
            return tag
    return None
