"""The merge rules: properties (hypothesis) and the plain cases a reader checks by eye."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from .merge_oracle import DELETE, Replace, apply, materialize, merge, to_patch

KEYS = st.sampled_from(["host", "port", "auth", "user", "pass", "tls", "x"])
USAGE = st.sampled_from(["SignIn", "Register", "Generic", "ForgotPassword"])
SCALARS = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "a", "b"])


def _values(depth: int = 2) -> st.SearchStrategy[Any]:
    if depth == 0:
        return SCALARS
    inner = _values(depth - 1)
    return SCALARS | st.lists(inner, max_size=2) | st.dictionaries(KEYS, inner, max_size=3)


# A text field is a string, {file: PATH} or {jinja: TEXT}: set whole by each layer, never merged.
TEXT = SCALARS | st.dictionaries(
    st.sampled_from(["file", "jinja"]), st.none() | st.sampled_from(["a", "b"]), max_size=2
)
VARIANT = st.fixed_dictionaries(
    {}, optional={"subject": TEXT, "content": TEXT, "contentType": st.none() | st.just("text/html")}
)
TEMPLATE = st.fixed_dictionaries(
    {"usageType": USAGE},
    optional={
        "subject": TEXT,
        "content": TEXT,
        "contentType": st.none() | st.just("text/plain"),
        "locales": st.none()
        | st.dictionaries(st.sampled_from(["fr", "de"]), st.none() | VARIANT, max_size=2),
    },
)
TEMPLATES = st.lists(TEMPLATE, max_size=3, unique_by=lambda t: t["usageType"])
LAYERS = st.dictionaries(KEYS, _values(), max_size=4).flatmap(
    lambda d: st.one_of(
        st.just(d), TEMPLATES.map(lambda t: {**d, "templates": t}), st.just({**d, "templates": None})
    )
)
DOCUMENTS = LAYERS.map(lambda layer: materialize(to_patch(layer)))  # a layer once applied: no nulls


@given(DOCUMENTS)
def test_an_empty_overlay_changes_nothing(doc: dict[str, Any]) -> None:
    assert apply(doc, {}) == doc
    assert apply({}, doc) == doc


@given(LAYERS)
def test_the_empty_patch_is_an_identity(layer: dict[str, Any]) -> None:
    patch = to_patch(layer)
    assert merge(patch, {}) == patch
    assert merge({}, patch) == patch


@settings(max_examples=400)
@given(LAYERS, LAYERS, LAYERS)
def test_merging_is_associative(a: dict[str, Any], b: dict[str, Any], c: dict[str, Any]) -> None:
    pa, pb, pc = to_patch(a), to_patch(b), to_patch(c)
    assert merge(merge(pa, pb), pc) == merge(pa, merge(pb, pc))


@settings(max_examples=300)
@given(DOCUMENTS, LAYERS, LAYERS)
def test_applying_layers_one_by_one_equals_applying_their_merge(
    doc: dict[str, Any], b: dict[str, Any], c: dict[str, Any]
) -> None:
    together = materialize(merge(to_patch(doc), merge(to_patch(b), to_patch(c))))
    assert apply(doc, b, c) == apply(apply(doc, b), c) == together


@given(DOCUMENTS, KEYS)
def test_null_removes_a_key(doc: dict[str, Any], key: str) -> None:
    assert key not in apply(doc, {key: None})


@given(DOCUMENTS, KEYS, KEYS)
def test_null_removes_a_nested_key_and_keeps_its_siblings(
    doc: dict[str, Any], outer: str, inner: str
) -> None:
    result = apply(doc, {outer: {inner: None}})
    assert inner not in result[outer]
    if isinstance(doc.get(outer), dict):
        assert {k: v for k, v in doc[outer].items() if k != inner} == result[outer]


def test_mappings_merge_key_by_key_and_scalars_are_replaced() -> None:
    base = {"host": "a", "auth": {"user": "u", "pass": "p"}, "tls": {"servername": "s"}}
    assert apply(base, {"host": "b", "auth": {"pass": "q"}}) == {
        "host": "b",
        "auth": {"user": "u", "pass": "q"},
        "tls": {"servername": "s"},
    }


def test_lists_are_replaced_whole() -> None:
    assert apply({"tls": {"ca": ["a", "b"]}}, {"tls": {"ca": ["c"]}}) == {"tls": {"ca": ["c"]}}


def test_templates_merge_by_usage_type() -> None:
    base = {
        "templates": [
            {"usageType": "SignIn", "contentType": "text/plain", "subject": "a", "content": "{{code}}"},
            {"usageType": "Generic", "contentType": "text/plain", "subject": "g", "content": "{{code}}"},
        ]
    }
    overlay = {
        "templates": [{"usageType": "Generic", "subject": "G"}, {"usageType": "Register", "subject": "r"}]
    }
    assert apply(base, overlay)["templates"] == [
        {"usageType": "SignIn", "contentType": "text/plain", "subject": "a", "content": "{{code}}"},
        {"usageType": "Generic", "contentType": "text/plain", "subject": "G", "content": "{{code}}"},
        {"usageType": "Register", "subject": "r"},
    ]


def test_template_text_fields_are_replaced_whole_and_locales_merge_by_language() -> None:
    base = {
        "templates": [
            {
                "usageType": "SignIn",
                "subject": {"jinja": "{{ brand }}: {{code}}"},
                "content": {"file": "templates/sign-in.html.j2"},
                "locales": {"fr": {"subject": "Code", "content": {"file": "templates/fr/sign-in.html.j2"}}},
            }
        ]
    }
    overlay = {
        "templates": [
            {
                "usageType": "SignIn",
                "content": {"jinja": "{{code}}"},
                "locales": {"fr": {"subject": {"jinja": "Code {{ brand }}"}}, "de": {"subject": "Code"}},
            }
        ]
    }
    assert apply(base, overlay)["templates"] == [
        {
            "usageType": "SignIn",
            "subject": {"jinja": "{{ brand }}: {{code}}"},
            "content": {"jinja": "{{code}}"},
            "locales": {
                "fr": {
                    "subject": {"jinja": "Code {{ brand }}"},
                    "content": {"file": "templates/fr/sign-in.html.j2"},
                },
                "de": {"subject": "Code"},
            },
        }
    ]


def test_templates_null_removes_a_field_of_one_template() -> None:
    base = {"templates": [{"usageType": "SignIn", "subject": "a", "replyTo": "r@example.com"}]}
    assert apply(base, {"templates": [{"usageType": "SignIn", "replyTo": None}]}) == {
        "templates": [{"usageType": "SignIn", "subject": "a"}]
    }


def test_deleting_then_setting_replaces_instead_of_merging() -> None:
    deleted_then_set = merge(to_patch({"auth": None}), to_patch({"auth": {"user": "u"}}))
    assert deleted_then_set == {"auth": Replace({"user": "u"})}
    assert apply({"auth": {"user": "x", "pass": "p"}}, {"auth": None}, {"auth": {"user": "u"}}) == {
        "auth": {"user": "u"}
    }
    assert materialize({"a": DELETE, "b": 1}) == {"b": 1}
