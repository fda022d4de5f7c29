"""Offsets to 1-based (line, column) positions: the one home of this arithmetic.

A line ends at ``\\n`` (so a CRLF file numbers its lines as an editor does; the ``\\r`` is the last
character of its line), and a column counts CHARACTERS, not bytes: ``héllo`` is five columns wide
whatever its encoding. Every position a finding reports is computed here, so the loaders, the template
sandbox and the lint agree on where a thing is.
"""

from __future__ import annotations

from bisect import bisect_right


def position(text: str, offset: int) -> tuple[int, int]:
    """Line and column of character ``offset`` in ``text``, for one position (linear in ``offset``)."""
    start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - start + 1


def byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """Line and CHARACTER column of byte ``offset`` in UTF-8 ``raw`` (an undecodable byte counts as one)."""
    start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


class Positions:
    """Positions in one text, for many offsets: line starts are found once, each lookup is a bisection."""

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        at = find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = find("\n", at + 1)
        self._starts = starts

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1
