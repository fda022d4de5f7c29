"""Keep secret values out of every printed line.

Values resolved from ``${VAR}`` references and credential fields are registered here; every writer that
prints for people (reporters, errors, logs) passes its text through :func:`redact`. A secret is hidden in
the forms it takes in printed text too: escaped inside a JSON string or a Python repr (a password with a
quote, a backslash or a non-ASCII letter is written differently there), and in the encodings this tool
sends it in, which a server may echo back: percent-encoded (a form body, :func:`urllib.parse.urlencode`)
and, for HTTP Basic, the Base64 of ``id:secret`` (:func:`register_basic_auth`).

Both registering and redacting are linear: a form is indexed by its first :data:`MIN_LENGTH` characters,
and :func:`redact` looks up each window of that many characters of the text (in C: ``zip`` and ``map``), then
checks the forms starting there, longest first. Every character of every occurrence of every form is
hidden, overlapping ones included: a secret that contains another never shows its tail. The checks may
cost a fixed multiple of the text's length; past it (text and secrets built to make them slow), each place
a form could start is hidden as far as the longest one could reach, unchecked.
"""

from __future__ import annotations

import base64
import bisect
import json
import re
from collections.abc import Iterable
from itertools import compress

REDACTED = "********"
MIN_LENGTH = 4  # shorter values are too common to hide
# Up to this many forms, each is searched for on its own (str.find, in C); past it, the index is cheaper.
_FEW = 16
# Checking where forms occur may cost this many characters per character of text (and a floor); past
# that, text built to make the checks slow (a long run of one character, many secrets that begin with
# it, each a little longer) has every place a form could occur hidden unchecked: more text hidden than
# needed, never a secret shown, and the work stays linear.
_WORK_PER_CHAR = 32
_WORK_FLOOR = 1 << 16

# Characters that JSON, repr and percent-encoding all leave as they are: a value of only these has one form.
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")
_JSON_ASCII = json.JSONEncoder()
_JSON_UNICODE = json.JSONEncoder(ensure_ascii=False)
# Each byte as percent-encoding writes it: RFC 3986's unreserved characters as they are, the rest as %XX.
_PERCENT = {byte: chr(byte) if _PLAIN.fullmatch(chr(byte)) else f"%{byte:02X}" for byte in range(256)}

_secrets: set[str] = set()
_forms: set[str] = set()  # every form of every secret
# The distinct lengths (ascending) of the forms that begin with each window of MIN_LENGTH characters.
# One length is kept as an int: most heads have one, and a list each would double the cost of registering.
_lengths: dict[str, int | list[int]] = {}


def register_secret(value: str) -> None:
    """Remember ``value`` so that :func:`redact` hides it, in every form it may be printed in."""
    register_secret_texts((value,))


def register_secret_texts(values: Iterable[str]) -> None:
    """:func:`register_secret` for each of ``values`` (a config's worth at once: values already known cost
    a set difference, not a call each)."""
    fresh = {value for value in values if len(value) >= MIN_LENGTH}
    fresh -= _secrets
    if not fresh:
        return
    _secrets.update(fresh)
    if _PLAIN.fullmatch("".join(fresh)):  # all plain (most secrets): each is its one form; one match in C
        fresh -= _forms
        _forms.update(fresh)
        _index(fresh)
        return
    forms: list[str] = []
    for value in fresh:
        if _PLAIN.fullmatch(value):
            forms.append(value)
        else:
            forms.extend(_forms_of(value))
    _add_forms(forms)


def register_basic_auth(user: str, password: str) -> None:
    """Remember the HTTP Basic credentials sent for ``user``: the Base64 of ``user:password`` (UTF-8, as
    httpx writes it), which a server echoing the ``Authorization`` header would print, and the password."""
    register_secret(password)
    register_base64(f"{user}:{password}")


def register_base64(text: str) -> None:
    """Remember the Base64 (of the UTF-8) of ``text``, a value holding a secret that is sent so encoded
    (an SMTP AUTH response: PLAIN's ``\0user\0password``, LOGIN's password, XOAUTH2's token), which a
    server echoing it back would print."""
    _add_forms((base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii"),))


def _forms_of(value: str) -> set[str]:
    percent = _percent_encoded(value)
    return {
        value,
        _JSON_ASCII.encode(value)[1:-1],
        _JSON_UNICODE.encode(value)[1:-1],
        repr(value)[1:-1],
        percent,
        # A form body (urlencode, quote_plus): the same but for spaces; every % there starts an escape.
        percent.replace("%20", "+"),
    }


def _percent_encoded(value: str) -> str:
    """``urllib.parse.quote(value, safe="")`` (a URL part; tests/test_redact.py holds them equal), by one
    ``str.translate`` of the UTF-8 bytes: a quarter of the time, for a config of 100,000 secrets. A lone
    surrogate (JSON allows one) is encoded as its bytes instead of failing."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1").translate(_PERCENT)


def _add_forms(forms: Iterable[str]) -> None:
    fresh = {form for form in forms if len(form) >= MIN_LENGTH}
    fresh -= _forms
    _forms.update(fresh)
    _index(fresh)


def _index(fresh: Iterable[str]) -> None:
    """Index forms new to :data:`_forms` (each at least MIN_LENGTH long) by their first characters."""
    known = _lengths.setdefault
    for form in fresh:
        size = len(form)
        lengths = known(form[:MIN_LENGTH], size)
        if lengths == size:  # a new head, or one length seen before (a list never equals an int)
            continue
        if isinstance(lengths, int):
            _lengths[form[:MIN_LENGTH]] = [min(lengths, size), max(lengths, size)]
        elif size not in lengths:
            # The distinct lengths under one head add up to at most its forms' size: this stays linear.
            bisect.insort(lengths, size)


def redact(text: str) -> str:
    """Return ``text`` with every registered secret value replaced."""
    if not _forms or len(text) < MIN_LENGTH:
        return text
    spans = _few_spans(text) if len(_forms) <= _FEW else _indexed_spans(text)
    if not spans:
        return text
    spans.sort()
    pieces, shown, end = [], 0, 0
    for start, stop in spans:
        if start >= end:  # a new run of secret text; one that overlaps the last one extends it
            pieces.append(text[shown:start])
            pieces.append(REDACTED)
        end = max(end, stop)
        shown = end
    pieces.append(text[shown:])
    return "".join(pieces)


def _budget(text: str) -> int:
    """How many characters checking candidates may cost before the rest are hidden unchecked."""
    return _WORK_FLOOR + _WORK_PER_CHAR * len(text)


def _few_spans(text: str) -> list[tuple[int, int]]:
    spans, budget, size = [], _budget(text), len(text)
    for form in _forms:
        length = len(form)
        start = text.find(form)
        while start != -1:
            if budget > 0:
                budget -= length
                spans.append((start, start + length))
                start = text.find(form, start + 1)
            else:  # hide any occurrence overlapping this one too, and search on past it
                spans.append((start, min(size, start + 2 * length - 1)))
                start = text.find(form, start + length)
    return spans


def _indexed_spans(text: str) -> list[tuple[int, int]]:
    """For each place a form begins, the longest form there (each shorter one is inside it)."""
    size, budget = len(text), _budget(text)
    windows = zip(*(text[offset:] for offset in range(MIN_LENGTH)), strict=False)  # the shortest ends it
    spans = []
    for start in compress(range(size), map(_lengths.__contains__, map("".join, windows))):
        found = _lengths[text[start : start + MIN_LENGTH]]
        lengths = [found] if isinstance(found, int) else found
        top = bisect.bisect_right(lengths, size - start)
        if budget <= 0:  # as long as the longest form that could start here
            if top:
                spans.append((start, start + lengths[top - 1]))
            continue
        for index in range(top - 1, -1, -1):
            stop = start + lengths[index]
            budget -= lengths[index]
            if text[start:stop] in _forms:
                spans.append((start, stop))
                break
    return spans


def forget_secrets() -> None:
    """Forget every registered value (tests, long-lived processes)."""
    _secrets.clear()
    _forms.clear()
    _lengths.clear()
