"""The one function that makes text from outside (a server's answer, a key name, a file name) safe to show.

Shown text must stay on its line and must not drive what reads it: a terminal (escape sequences, C1
controls such as CSI, bidirectional overrides that reorder what people read) or a GitHub Actions runner,
which takes a line starting with ``::`` (after leading spaces) as a workflow command and ``##[command]``
anywhere in a line as a legacy one (actions/runner, ``ActionCommand.TryParseV2`` and ``TryParse``).
"""

from __future__ import annotations

import re

# C0 and C1 controls (ESC, CSI, NEL and every line end str.splitlines knows), DEL, the line and paragraph
# separators, and the bidirectional formatting characters (Unicode's Bidi_Control).
# Those past C0 are the ones JSON leaves as they are inside a string (it escapes only C0 controls).
_PAST_C0 = "\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069"
_CONTROLS = f"\\x00-\\x1f{_PAST_C0}"
_PLAIN = re.compile(f"[^{_CONTROLS}]*")
_UNSAFE = re.compile(f"[{_CONTROLS}]|##\\[")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_JSON_UNSAFE = re.compile(f"[{_PAST_C0}]|##\\[")


def printable(text: str) -> str:
    """``text`` on one line, with every control, separator and bidi character escaped (``\\x1b``,
    ``\\u202e``), ``##[`` written ``##\\x5b`` and a leading ``::`` written ``\\x3a:``, so neither a terminal
    nor a CI runner acts on it."""
    # str.isprintable() (C, no regular expression) is False for every character of _CONTROLS (categories Cc,
    # Cf, Zl and Zp), so when it holds, _PLAIN would match too; when not (a tab, a no-break space), _PLAIN says.
    if (
        (text.isprintable() or _PLAIN.fullmatch(text))
        and "##[" not in text
        and not text.lstrip().startswith("::")
    ):
        return text  # the common case, without a Python call per character
    shown = _UNSAFE.sub(_escape, text)
    rest = shown.lstrip()
    if rest.startswith("::"):
        start = len(shown) - len(rest)
        shown = f"{shown[:start]}\\x3a{shown[start + 1 :]}"
    return shown


def printable_json(document: str) -> str:
    """A JSON document (from :func:`json.dumps`) with the same data, written so that neither a terminal nor
    a CI runner acts on it when it is printed: each character :func:`printable` escapes that JSON leaves as
    it is becomes a ``\\uXXXX`` escape (``##[`` is written ``##\\u005b``). Those characters only occur
    inside strings, where the escape reads back as the same text."""
    return _JSON_UNSAFE.sub(_json_escape, document)


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    return "##\\u005b" if char == "##[" else f"\\u{ord(char):04x}"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "##[":
        return "##\\x5b"
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
