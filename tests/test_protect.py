from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from connector.authoring.protect import RUNTIME_ROOTS, Protector, altered
from connector.logto.placeholders import find_placeholders

PIECES = st.sampled_from(
    ["{{", "}}", "{", "}", " ", "\u00a0", "\ufeff", "\t", "\n", "\r\n", "\r", ".", "code", "link", "user", "name",
     "brand", "uiLocales", "0", "_", "x", "{%", "%}"]
)  # fmt: skip
TEXT = st.lists(PIECES, max_size=40).map("".join)
LINES = re.compile(r"\r\n|\r|\n")


@given(TEXT)
def test_restore_gives_back_the_exact_text(text: str) -> None:
    protector = Protector()
    protected = protector.protect(text)
    assert protector.restore(protected) == text
    assert not altered(protector.restore(protected))


@given(TEXT)
def test_no_runtime_placeholder_is_left_for_jinja_and_lines_are_kept(text: str) -> None:
    protected = Protector().protect(text)
    assert all(p.root not in RUNTIME_ROOTS for p in find_placeholders(protected))
    assert len(LINES.findall(protected)) == len(LINES.findall(text))


def test_the_same_placeholder_gets_the_same_token() -> None:
    protector = Protector()
    first = protector.protect("{{ code }} {{code}}")
    assert protector.protect("{{ code }}") == first.split(" ")[0]
    assert protector.protect("{{ brand }}") == "{{ brand }}"
