"""Did-you-mean suggestions for misspelt keys and values."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The closest candidate to ``word``: a case-insensitive match first, then the nearest spelling."""
    options = [c for c in candidates if c != word]
    folded = word.casefold()
    for candidate in options:
        if candidate.casefold() == folded:
            return candidate
    by_fold = {c.casefold(): c for c in options}
    close = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=cutoff)
    return by_fold[close[0]] if close else None
