"""connector.source.positions, held to the naive reference: split the text before the offset at \\n."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from connector.source.positions import Positions, byte_position, position


def naive(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset].split("\n")
    return len(before), len(before[-1]) + 1


# Line ends of every kind, non-ASCII letters of 2, 3 and 4 UTF-8 bytes, and the odd line separators
# (which are not line ends here: a column counts them as characters).
pieces = st.sampled_from(["a", " ", "\n", "\r", "\r\n", "é", "€", "😀", "\u2028", "\x85"])
texts = st.lists(pieces).map("".join)


@given(texts, st.data())
@example("", None)
@example("ab\ncd", None)
@example("ab\r\ncd\r\n", None)
@example("héllo \xff\nx", None)
def test_positions_agree_with_the_naive_reference(text: str, data: st.DataObject | None) -> None:
    offsets = range(len(text) + 1) if data is None else [data.draw(st.integers(0, len(text)))]
    lines = Positions(text)
    for offset in offsets:
        expected = naive(text, offset)
        assert position(text, offset) == expected
        assert lines(offset) == expected
        raw = text.encode("utf-8")
        assert byte_position(raw, len(text[:offset].encode("utf-8"))) == expected


def test_boundaries() -> None:
    text = "ab\r\ncd\n"
    lines = Positions(text)
    assert [lines(i) for i in range(len(text) + 1)] == [
        (1, 1), (1, 2), (1, 3), (1, 4),  # the \r is the last character of line 1, the \n ends it
        (2, 1), (2, 2), (2, 3),
        (3, 1),  # just past the final \n: the empty last line
    ]  # fmt: skip
    assert position("héllo \xff", 7) == (1, 8)  # characters, not bytes (the example)


def test_byte_columns_count_an_undecodable_byte_as_one_character() -> None:
    raw = "é".encode() + b"\xff\xfe" + b"x"
    assert byte_position(raw, 2) == (1, 2)
    assert byte_position(raw, 4) == (1, 4)
