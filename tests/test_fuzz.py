"""Fuzzing: whatever the input, nothing escapes but the tool's own findings."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.loader import loads
from connector.validate import check_config

FUZZ = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)

yaml_alphabet = st.sampled_from(
    [*"abc:- \n\t'\"{}[],&*!|>#%@`?~0123456789.\\", "\u00a0", "\ufeff", "é", "\x85"]
)
yaml_like = st.lists(yaml_alphabet, max_size=80).map("".join)


@FUZZ
@given(st.binary(max_size=200))
def test_loader_survives_arbitrary_bytes(raw: bytes) -> None:
    result = loads(raw, "f.yaml")
    assert result.document is not None or any(f.severity == "error" for f in result.findings)


@FUZZ
@given(st.one_of(st.text(max_size=120), yaml_like))
def test_loader_survives_arbitrary_yaml_text(text: str) -> None:
    result = loads(text.encode("utf-8", "surrogatepass"), "f.yaml")
    for finding in result.findings:
        assert finding.line >= 1 and finding.column >= 1 and finding.rule.startswith("SC")
    if result.document is not None:
        check_config(result.document)


@FUZZ
@given(
    st.one_of(
        st.text(max_size=120),
        st.lists(st.sampled_from(list('{}[],:"0123456789.-+eEtruefalsn \n\\/u')), max_size=60).map("".join),
    )
)
def test_loader_survives_arbitrary_json_text(text: str) -> None:
    result = loads(text.encode("utf-8", "surrogatepass"), "f.json", json_syntax=True)
    if result.document is not None:
        # Whatever we accept, the json module accepts the same way.
        assert json.loads(text) == result.document.data


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_json_round_trip_keeps_data_and_positions(data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2)
    result = loads(text.encode(), "f.json", json_syntax=True)
    assert result.document is not None and result.document.data == data
    for key in data:
        where = result.document.locate((key,), key=True)
        line = text.splitlines()[where.line - 1]
        assert line[where.column - 1 :].startswith(json.dumps(key))


# YAML 1.1 folds NEL and the Unicode line separators inside quoted scalars (they are line breaks there).
_yaml_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x85\u2028\u2029"), max_size=8
)


@FUZZ
@given(
    st.dictionaries(
        _yaml_text, json_values.filter(lambda v: "\x85" not in json.dumps(v, ensure_ascii=False)), max_size=6
    )
)
def test_yaml_reads_json_documents_the_same(data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False)
    result = loads(text.encode(), "f.yaml")
    if result.document is not None and not result.findings:
        assert result.document.data == data
