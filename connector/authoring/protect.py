"""Keep Logto's runtime placeholders away from Jinja2, so the build leaves them exactly as written.

Before Jinja2 reads a template, every placeholder whose root is one Logto fills at send time
(``{{ code }}``, ``{{  application.name}}``) becomes an opaque token: private-use characters and digits,
which Jinja2 copies as plain text and autoescaping does not touch. After rendering, each token becomes
the author's original text again, spacing included. Any other ``{{ x }}`` is a Jinja2 expression.
"""

from __future__ import annotations

import re

from connector.logto import RUNTIME_ROOTS
from connector.logto.placeholders import PLACEHOLDER

__all__ = ["RUNTIME_ROOTS", "Protector", "altered"]

_OPEN, _CLOSE = "\ue000", "\ue001"
# Jinja2 counts lines at these breaks; a token keeps as many "\n" as its placeholder had line breaks,
# so line numbers in error messages stay those of the file.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TOKEN = re.compile(f"{_OPEN}([0-9]+)\n*{_CLOSE}")


class Protector:
    """Swaps runtime placeholders for tokens and back; one instance per set of templates rendered together."""

    def __init__(self) -> None:
        self._originals: list[str] = []
        self._index: dict[str, int] = {}

    def protect(self, text: str) -> str:
        """``text`` with every runtime placeholder replaced by its token (stable: same text, same token)."""

        def swap(match: re.Match[str]) -> str:
            original = match.group(0)
            if match.group(1).split(".", 1)[0] not in RUNTIME_ROOTS:
                return original
            index = self._index.get(original)
            if index is None:
                index = self._index[original] = len(self._originals)
                self._originals.append(original)
            breaks = len(_LINE_BREAK.findall(original))
            return f"{_OPEN}{index}{chr(10) * breaks}{_CLOSE}"

        return PLACEHOLDER.sub(swap, text)

    def restore(self, text: str) -> str:
        """The rendered ``text`` with each token turned back into the placeholder it stood for."""

        def back(match: re.Match[str]) -> str:
            index = int(match.group(1))
            return self._originals[index] if index < len(self._originals) else match.group(0)

        return _TOKEN.sub(back, text)


def altered(text: str) -> bool:
    """True when a token survived restoring: a Jinja2 filter or expression changed a placeholder."""
    return _OPEN in text or _CLOSE in text
