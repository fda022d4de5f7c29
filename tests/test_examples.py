"""The one definition of an example value left in place (connector/logto/examples.py), held generatively:
example values in the shapes Logto's and the providers' documentation write them, in every kind of field,
against legitimate values with angle brackets (mailboxes, URLs, comparisons, real HTML). SC401 must name
every example value and nothing else; SC403 and the secret registration must agree with it on secrets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.diagnostics.findings import Finding
from connector.diagnostics.redact import REDACTED, redact
from connector.lint import lint_source
from connector.logto.examples import example_values, first_html_tag, html_field, only_examples
from connector.logto.html_elements import ELEMENTS
from connector.project.explain import listed_value
from connector.project.providers import provider_info
from connector.resources import shipped_names
from connector.source.loader import loads
from connector.source.secret_values import secret_literals, secret_parts

# Words the documentation puts in angle brackets: Logto's README (`<your_email@gmail.com>`, `<password>`,
# `<from_email_address@your.domain>`, `<<code>>`), the shipped providers (`<region>`, `<ses-smtp-user-name>`,
# `<mailjet-api-key>`, `<postmaster@your-mailgun-domain>`), and what people write for them.
_WORDS = (
    "host", "password", "region", "name", "user_name", "api-key", "your-api-key", "smtp host", "smtp key",
    "here", "fill in", "domain code", "ses-smtp-user-name", "mailjet-api-key", "API_KEY", "Host", "SMTP_PASS",
    "smtp in app", "Your code is {{code}}", "Enter the code you received", "6-digit code", "code", "link",
    "title", "label", "input", "data", "time", "address", "your_email@gmail.com",
    "from_email_address@your.domain", "you@your-domain.com", "postmaster@your-mailgun-domain",
    "no-reply@your-verified-domain.com", "https://your-domain.example/unsubscribe", "пароль", "{{code}}",
    "code {{code}}", "Your verification code, valid for 10 minutes",
)  # fmt: skip
# In HTML content a word HTML defines as an element is markup (`<code>`), not an example value.
_HTML_WORDS = tuple(w for w in _WORDS if w.split()[0].lower() not in ELEMENTS)
_SHAPES = ("<{}>", "<{}>", "<{}>", "<<{}>>")
_SPACED_PREFIXES = ("Host: ", "(", "- ", "{{code}}, from: ", " | ")  # nothing that reads as an operand
_PREFIXES = ("", *_SPACED_PREFIXES, "Code ", "Hello ", "smtp.", "Your code {{code}} ", "Acme ")
_SUFFIXES = ("", " {{code}}", ".amazonaws.com", "!", ", thanks", ")", " now")

_PLAIN_FIELDS: tuple[tuple[Any, ...], ...] = (
    ("host",),
    ("name",),
    ("auth", "user"),
    ("fromEmail",),
    ("replyTo",),
    ("customHeaders", "X-Note"),
    ("templates", 0, "subject"),
    ("templates", 0, "sendFrom"),
    ("templates", 1, "content"),  # text/plain
)
_HTML_FIELD = ("templates", 0, "content")
_SECRET_FIELD = ("auth", "pass")


def _config() -> dict[str, Any]:
    return {
        "host": "smtp.example.com",
        "port": 587,
        "auth": {"user": "mailer@example.com", "pass": "${SMTP_PASS}"},
        "fromEmail": "noreply@example.com",
        "templates": [
            {
                "usageType": "SignIn",
                "contentType": "text/html",
                "subject": "Code",
                "content": "<p>{{code}}</p>",
            },
            {"usageType": "Register", "contentType": "text/plain", "subject": "Code", "content": "{{code}}"},
            {
                "usageType": "ForgotPassword",
                "contentType": "text/plain",
                "subject": "Code",
                "content": "{{code}}",
            },
            {"usageType": "Generic", "contentType": "text/plain", "subject": "Code", "content": "{{code}}"},
        ],
    }


def _lint_with(path: tuple[Any, ...], value: str) -> list[Finding]:
    data = _config()
    place: Any = data
    for step in path[:-1]:
        place = place.setdefault(step, {}) if isinstance(step, str) else place[step]
    place[path[-1]] = value
    document = loads(json.dumps(data), "t.json").document
    assert document is not None
    return lint_source(document, "final")


def _sc401(findings: list[Finding]) -> list[tuple[tuple[Any, ...], str]]:
    return sorted((f.key_path, f.excerpt) for f in findings if f.rule == "SC401")


@st.composite
def _example(draw: st.DrawFn, html: bool = False) -> str:
    word = draw(st.sampled_from(_HTML_WORDS if html else _WORDS))
    shape = draw(st.sampled_from((*_SHAPES, "< {} >")))
    return shape.format(word)


@st.composite
def _in_text(draw: st.DrawFn, html: bool = False) -> tuple[str, list[str]]:
    """Text holding one or two example values, each as it should be reported."""
    found: list[str] = []
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 2))):
        example = draw(_example(html))
        spaced = example.startswith("< ")
        # `< host >` between two words reads as comparison (`a < b > c`): a spaced one follows punctuation.
        first = ("",) if not parts else ()
        parts.append(draw(st.sampled_from((*first, *_SPACED_PREFIXES) if spaced else _PREFIXES)) + example)
        parts.append(draw(st.sampled_from(_SUFFIXES)))
        found.append(example)
    return "".join(parts), found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_PLAIN_FIELDS), _in_text())
def test_every_example_value_in_a_plain_field_is_reported(
    path: tuple[Any, ...], case: tuple[str, list[str]]
) -> None:
    text, expected = case
    assert [e.text for e in example_values(text)] == expected
    assert _sc401(_lint_with(path, text)) == sorted((path, e) for e in expected)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_in_text(html=True), st.sampled_from(("<p>{}</p>", "{}", "<div class=x><b>{{{{code}}}}</b> {}</div>")))
def test_every_example_value_in_html_content_is_reported(case: tuple[str, list[str]], around: str) -> None:
    text, expected = case
    content = around.format(text)
    assert [e.text for e in example_values(content, html=True)] == expected
    assert _sc401(_lint_with(_HTML_FIELD, content)) == sorted((_HTML_FIELD, e) for e in expected)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_example(), min_size=1, max_size=3), st.sampled_from((" ", "  ", "\t")))
def test_a_secret_of_example_values_is_reported_and_no_literal_secret(examples: list[str], gap: str) -> None:
    text = gap.join(examples)
    assert only_examples(text)
    findings = _lint_with(_SECRET_FIELD, text)
    assert _sc401(findings) == sorted((_SECRET_FIELD, e) for e in examples)
    assert [f for f in findings if f.rule == "SC403"] == []
    assert redact(f"said {text}") == f"said {text}"  # the loader registered nothing: no secret in it


# Legitimate values with angle brackets.
_NAMES = ("Acme", "Acme Support", "Shop Desk", "Billing")
_LOCALS = ("noreply", "support", "a", "help.desk", "billing+eu")
_DOMAINS = ("example.com", "acme.example", "b.example", "mail.example.org")
_OPERANDS = ("a", "b", "x", "y", "3", "4", "10", "{{code}}", "price", "count")


@st.composite
def _mailbox(draw: st.DrawFn) -> str:
    address = f"{draw(st.sampled_from(_LOCALS))}@{draw(st.sampled_from(_DOMAINS))}"
    return draw(st.sampled_from(("{} <{}>", "<{1}>", '"{}" <{}>'))).format(
        draw(st.sampled_from(_NAMES)), address
    )


@st.composite
def _comparison(draw: st.DrawFn) -> str:
    a, b, c, d = (draw(st.sampled_from(_OPERANDS)) for _ in range(4))
    n, m = draw(st.integers(0, 99)), draw(st.integers(0, 99))
    forms = (
        f"{a} < {b}",
        f"{a} > {b}",
        f"{a} < {b} > {c}",
        f"{a} <= {b}",
        f"{a} >= {b}",
        f"{a} < {b} and {c} > {d}",
        f"if x<{n} and y>{m}",
        f"{a} <= {b} => {c}",
        f"{a} -> {b} <- {c}",
        f"I <3 {a}",
        f"expires in < {n} minutes > {m}",
    )
    return draw(st.sampled_from(forms))


_FRAGMENT = st.one_of(
    _mailbox(),
    _comparison(),
    st.sampled_from(("<https://example.com/help>", "<mailto:support@example.com>", "<tel:+15550100>")),
    st.sampled_from(("{{code}}", "{{user.name}}", "${SMTP_HOST}", "Your code", "Thanks!", ":)")),
)
_PLAIN_TEXT = st.lists(_FRAGMENT, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_PLAIN_FIELDS), _PLAIN_TEXT)
def test_no_legitimate_plain_value_is_reported(path: tuple[Any, ...], text: str) -> None:
    assert example_values(text) == []
    assert _sc401(_lint_with(path, text)) == []


_BLOCKS = (
    '<p class="lead" style="margin:0">{}</p>',
    '<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%"><tr>'
    '<td valign="top" bgcolor="#ffffff" align="center">{}</td></tr></table>',
    '<a href="https://example.com/x?a=1&amp;b=2" target="_blank" rel="noopener">{}</a>',
    '<div data-id="7" aria-label="code" id="c">{}<br><hr/><img src="https://example.com/l.png" alt="Acme"></div>',
    "<ul><li>{}<li>two</ul>",
    "<!-- a comment: <host> is not read here -->{}",
    '<!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" arcsize="10%"><![endif]-->{}'
    "<o:p></o:p>",
    '<svg width="8" height="8" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4" fill="#000"/></svg>{}',
    "<center><font face=Arial color=red>{}</font></center>",
    '<my-badge data-kind="new">{}</my-badge>',
)


@st.composite
def _html(draw: st.DrawFn) -> str:
    blocks = draw(st.lists(st.tuples(st.sampled_from(_BLOCKS), _PLAIN_TEXT), min_size=1, max_size=4))
    body = "".join(block.format(text) for block, text in blocks)
    head = "<head><title>Your code</title><style>td > p { color: red } a<b {}</style></head>"
    return draw(st.sampled_from((body, f"<!DOCTYPE html><html>{head}<body>{body}</body></html>")))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_html())
def test_no_legitimate_html_is_reported(content: str) -> None:
    assert example_values(content, html=True) == []
    assert _sc401(_lint_with(_HTML_FIELD, content)) == []


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters="$"), min_size=6))
def test_a_real_password_is_a_literal_secret_never_an_example(middle: str) -> None:
    password = f"Zq{middle}9x"  # a real password may hold `<` and `>`, but is not only example values
    assert not only_examples(password)
    findings = _lint_with(_SECRET_FIELD, password)
    assert _sc401(findings) == []
    assert [f.key_path for f in findings if f.rule == "SC403"] == [_SECRET_FIELD]
    assert redact(f"said {password}.") == f"said {REDACTED}."


@pytest.mark.parametrize(
    ("text", "html", "found"),
    [
        # The boundaries of comparison text: both brackets must be operators.
        ("a < b > c", False, []),
        ("from < host >", False, ["< host >"]),
        ("< host > now", False, ["< host >"]),
        ("x<5 and y>3", False, []),
        ("x<5 and y>z", False, ["<5 and y>"]),
        ("Enter <6-digit code>", False, ["<6-digit code>"]),
        ("a <= b > c", False, []),
        ("a < b => c", False, []),
        ("<3", False, []),
        ("I <3 it > all", False, []),
        ("<3 it > all", False, ["<3 it >"]),  # nothing before the `<`: the shape of `<3 digits>`
        ("<>", False, []),
        ("< >", False, []),
        ("<a\nb>", False, []),
        # Markup in plain text: closed, void, self-closing; a lone element name is an example value.
        ("<b>x</b>", False, []),
        ("<B>x</b>", False, []),
        ("<br>", False, []),
        ("<hr>", False, []),
        ("<img>", False, ["<img>"]),
        ("<img src=x>", False, []),
        ("<link>", False, ["<link>"]),
        ("<code/>", False, []),
        ("</b>", False, []),
        ("</host>", False, ["</host>"]),
        ("<b class=x>y</b>", False, []),
        ("<b in app>y</b>", False, ["<b in app>"]),
        ("<!-- note -->", False, []),
        ("<a> <b>", False, ["<a>", "<b>"]),
        ("<<br>>", False, ["<<br>>"]),
        # HTML content: what the tokenizer reads.
        ("<a> <b>", True, []),
        ("<p in app>", True, ["<p in app>"]),
        ("<p data-x=1 aria-hidden=true onclick=x>", True, []),
        ("<<code>>", True, ["<<code>>"]),
        ("<code>", True, []),
        ("<your-api-key>", True, ["<your-api-key>"]),
        ("<x-widget></x-widget>", True, ["<x-widget>"]),  # a custom element needs an attribute
        ("<a title='x > y' href=x>k</a>", True, []),
        ('<a title="<host>">k</a>', True, []),
        ("<script>if (a<b && c>d) {}</script>", True, []),
        ("<style>a > b {}</style><host>", True, ["<host>"]),
        ("<svg><foo bar=1/></svg><foo>", True, ["<foo>"]),
        ("<textarea><host></textarea>", True, []),
        ("<!-- <host> -->", True, []),
        ("<!--><host>", True, ["<host>"]),
        ("<![endif]--><host>", True, ["<host>"]),
        ("<?xml version='1.0'?><host>", True, ["<host>"]),
        ("</ x><host>", True, ["<host>"]),
        ("<p title='x", True, []),
        ("<пароль>", True, ["<пароль>"]),  # no markup at all in the text
        ("< host ><p>a</p>", True, ["< host >"]),
        ("<p>a</p>< host >", True, ["< host >"]),
        ("<p>a</p><<x>>", True, ["<<x>>"]),
        ("Acme <a@b.example>", True, []),
        ("<you@your.domain>", True, ["<you@your.domain>"]),
        ("<https://example.com>", True, []),
        ("<p>3 < 4 > 2</p>", True, []),
        ("<p>Hi < name ></p>", True, ["< name >"]),  # nothing after the `>`: no comparison
        ("<p>Hi < name > there</p>", True, []),
        ("<p>Hi, < name ></p>", True, ["< name >"]),
    ],
)
def test_example_value_boundaries(text: str, html: bool, found: list[str]) -> None:
    assert [e.text for e in example_values(text, html)] == found


def test_only_examples_boundaries() -> None:
    assert only_examples("<a>") and only_examples(" <a> <b> ") and only_examples("<<code>>")
    assert not only_examples("") and not only_examples("x<a>") and not only_examples("<a>x")
    assert not only_examples("<a> x <b>") and not only_examples("<b>x</b>") and not only_examples("a < b")


def test_first_html_tag_is_the_markup_the_definition_leaves() -> None:
    assert first_html_tag("<p>Hi <b>x</b></p>") == "<p>"
    assert first_html_tag("a <code> b") is None  # an example value, reported by SC401
    assert first_html_tag("x <br/> y") == "<br/>"
    assert first_html_tag("x <hr> y") == "<hr>"
    assert first_html_tag("a < b > c </i>") == "</i>"


def test_html_field_is_html_content_only() -> None:
    data = _config()
    assert html_field(data, ("templates", 0, "content"))
    assert not html_field(data, ("templates", 1, "content"))
    assert not html_field(data, ("templates", 0, "subject"))
    assert not html_field(data, ("host",))
    del data["templates"][1]["contentType"]
    assert html_field(data, ("templates", 1, "content"))  # the schema reports it missing; read as HTML


def test_every_provider_fill_in_is_an_example_value_and_nothing_else_is() -> None:
    for name in shipped_names():
        info = provider_info(name)
        fill_ins = {f.path for f in info.fill_ins}
        assert fill_ins or name == "dev-sink"  # the local sink needs no account
        for path, value in _strings(info.document.data):
            assert (path in fill_ins) == bool(example_values(value, html_field(info.document.data, path)))


def _strings(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, (*path, k))]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _strings(v, (*path, i))]
    return [(path, value)] if isinstance(value, str) else []


@pytest.mark.parametrize(
    ("value", "parts", "masked"),
    [
        ("Real", [("Real", True)], REDACTED),
        ("", [], ""),
        ("${SMTP_PASS}", [("${SMTP_PASS}", False)], "${SMTP_PASS}"),
        ("pre${X}post", [("pre", True), ("${X}", False), ("post", True)], f"{REDACTED}${{X}}{REDACTED}"),
        ("${X:-Real}", [("${X:-", False), ("Real", True), ("}", False)], f"${{X:-{REDACTED}}}"),
        ("${X:-}", [("${X:-}", False)], "${X:-}"),
        ("${X:?set it}", [("${X:?set it}", False)], "${X:?set it}"),
        ("a${bad", [("a${bad", True)], REDACTED),
        ("a$${b", [("a${b", True)], REDACTED),
    ],
)
def test_secret_parts_are_what_the_loader_registers_and_explain_masks(
    value: str, parts: list[tuple[str, bool]], masked: str
) -> None:
    assert secret_parts(value) == parts
    assert secret_literals(value) == [text for text, literal in parts if literal]
    assert json.loads(listed_value(("auth", "pass"), value)) == masked
