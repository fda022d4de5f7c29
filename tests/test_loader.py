from __future__ import annotations

import os
from pathlib import Path

import pytest

from connector.source.loader import MAX_BYTES, load, loads


def messages(text: str | bytes, name: str = "f.yaml") -> list[str]:
    raw = text.encode() if isinstance(text, str) else text
    return [f.format() for f in loads(raw, name, json_syntax=name.endswith(".json")).findings]


def test_positions_of_keys_and_values() -> None:
    doc = loads(
        b"host: smtp.example.com\nauth:\n  user: me\ntemplates:\n  - usageType: SignIn\n", "f.yaml"
    ).document
    assert doc is not None
    assert str(doc.locate(("host",))) == "f.yaml:1:7"
    assert str(doc.locate(("host",), key=True)) == "f.yaml:1:1"
    assert str(doc.locate(("auth", "user"))) == "f.yaml:3:9"
    assert str(doc.locate(("templates", 0, "usageType"))) == "f.yaml:5:16"
    # Unknown paths fall back to the nearest enclosing value.
    assert str(doc.locate(("auth", "pass"))) == "f.yaml:3:3"


def test_duplicate_key_names_both_positions() -> None:
    assert messages("host: a\nport: 25\nhost: b\n") == [
        "f.yaml:3:1: error SC005 duplicate key `host` (first set at line 1, column 1) "
        "(hint: keep one of them; YAML would silently use the last)"
    ]


def test_duplicate_key_in_json() -> None:
    assert messages('{"host": "a",\n "host": "b"}', "f.json") == [
        "f.json:2:2: error SC005 duplicate key `host` (first set at line 1, column 2) "
        "(hint: keep one of them; JSON readers disagree on which wins)"
    ]


def test_alias_bomb_is_refused() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    assert messages("\n".join(lines) + "\n") == [
        "f.yaml:6:4: error SC006 aliases expand this document past 100,000 nodes (an alias bomb) "
        "(hint: write the values out, or use fewer nested aliases)"
    ]


def test_recursive_alias_is_refused() -> None:
    assert messages("a: &a [*a]\n") == [
        "f.yaml:1:4: error SC006 an alias refers to the node that contains it (an endless document) "
        "(hint: remove the recursive alias)"
    ]


def test_small_aliases_and_merge_keys_work() -> None:
    doc = loads(b"base: &b {port: 587, host: h}\nprod:\n  <<: *b\n  port: 465\n", "f.yaml").document
    assert doc is not None
    assert doc.data["prod"] == {"port": 465, "host": "h"}
    assert str(doc.locate(("prod", "host"))) == "f.yaml:1:28"


def test_non_utf8_names_the_position() -> None:
    assert messages(b"host: a\nname: caf\xe9\n") == [
        "f.yaml:2:10: error SC002 byte 0xe9 is not valid UTF-8 (hint: save the file as UTF-8)"
    ]


def test_utf8_bom_is_accepted_in_yaml() -> None:
    assert messages("\ufeffhost: a\n".encode()) == []


def test_utf8_bom_is_refused_in_json_as_json_parse_refuses_it() -> None:
    result = loads('\ufeff{"host": "a"}'.encode(), "f.json", json_syntax=True)
    assert result.document is None
    assert [f.format() for f in result.findings] == [
        "f.json:1:1: error SC002 the JSON starts with a UTF-8 byte-order mark, which JSON.parse refuses: "
        "Logto cannot read it (hint: save the file as UTF-8 without a BOM)"
    ]
    assert loads(b'{"host": "a"}', "f.json", json_syntax=True).document is not None


def test_binary_file() -> None:
    assert messages(b"host: a\x00\x01") == [
        "f.yaml:1:8: error SC002 a NUL byte: this looks like a binary file (hint: lint YAML or JSON text files only)"
    ]


def test_oversized_file(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * MAX_BYTES + b"\n")
    assert [f.format() for f in load(big).findings] == [
        f"{big}:1:1: error SC003 the file is 1,048,580 bytes, over the 1 MiB limit "
        "(hint: split it, or check that this is the file you meant)"
    ]
    assert load(big, max_bytes=2 * MAX_BYTES).findings == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "secure: yes\n",
            "f.yaml:1:9: error SC008 `yes` is a boolean in YAML 1.1 but text in YAML 1.2 "
            '(hint: write true, or quote it if you mean the text: "yes")',
        ),
        (
            "name: on\n",
            "f.yaml:1:7: error SC008 `on` is a boolean in YAML 1.1 but text in YAML 1.2 "
            '(hint: write true, or quote it if you mean the text: "on")',
        ),
        (
            "ignoreTLS: Off\n",
            "f.yaml:1:12: error SC008 `Off` is a boolean in YAML 1.1 but text in YAML 1.2 "
            '(hint: write false, or quote it if you mean the text: "Off")',
        ),
        (
            "port: 0465\n",
            "f.yaml:1:7: error SC008 `0465` is read as a different number in YAML 1.1 "
            '(octal, hex, binary or with separators) (hint: write 465, or quote it: "0465")',
        ),
        (
            "subject: 2024-01-01\n",
            "f.yaml:1:10: warning SC009 `2024-01-01` is a date or a base-60 number in "
            'YAML 1.1, text in YAML 1.2 (hint: quote it: "2024-01-01")',
        ),
    ],
)
def test_yaml11_surprises_are_reported(text: str, expected: str) -> None:
    assert messages(text) == [expected]


def test_yaml11_values_keep_their_text_and_true_false_are_booleans() -> None:
    doc = loads(b"a: yes\nb: '0465'\nc: true\nd: False\ne: 465\nf: ~\ng: 1.5\n", "f.yaml").document
    assert doc is not None
    assert doc.data == {"a": "yes", "b": "0465", "c": True, "d": False, "e": 465, "f": None, "g": 1.5}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- host\n",
            "f.yaml:1:1: error SC007 the top level is a list, not a mapping "
            "(hint: write `key: value` lines at the top level)",
        ),
        (
            "just text\n",
            "f.yaml:1:1: error SC007 the top level is a string, not a mapping "
            "(hint: write `key: value` lines at the top level)",
        ),
        (
            "",
            "f.yaml:1:1: error SC007 the top level is empty, not a mapping "
            "(hint: write `key: value` lines at the top level)",
        ),
    ],
)
def test_top_level_must_be_a_mapping(text: str, expected: str) -> None:
    assert messages(text) == [expected]


def test_syntax_error_position() -> None:
    assert messages("host: a\nport: [1\n") == [
        "f.yaml:2:7: error SC004 YAML syntax error: this `[` list is never closed "
        "(hint: close it with `]`; if the value is text that starts with `[`, put the whole value in quotes)"
    ]


def test_tabs() -> None:
    assert messages("auth:\n\tuser: a\n") == [
        "f.yaml:2:1: error SC004 YAML syntax error: a tab character in the indentation: YAML indents with "
        "spaces only (hint: replace the tab with spaces)"
    ]


def test_json_syntax_error_position() -> None:
    assert messages('{"host": "a",\n "port": }', "f.json") == [
        "f.json:2:10: error SC004 JSON syntax error: expected a value (hint: check commas, quotes and brackets around here)"
    ]


def test_python_tags_are_refused() -> None:
    assert messages("a: !!python/object/apply:os.system [ls]\n") == [
        "f.yaml:1:4: error SC011 the tag `tag:yaml.org,2002:python/object/apply:os.system` is not supported "
        "(hint: remove the tag; plain YAML values only)"
    ]


def test_non_string_keys() -> None:
    assert messages("1: a\n") == [
        "f.yaml:1:1: error SC010 the key 1 is not a string (hint: write keys as plain text; quote them if needed)"
    ]


def test_deep_nesting_is_refused_quickly() -> None:
    found = messages("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert len(found) == 1 and " SC012 " in found[0]


def test_unreadable_paths(tmp_path: Path) -> None:
    assert [f.format() for f in load(tmp_path).findings] == [
        f"{tmp_path}:1:1: error SC001 is a folder, not a file (hint: name a YAML or JSON file)"
    ]
    assert [f.format() for f in load(tmp_path / "nope.yaml").findings] == [
        f"{tmp_path}/nope.yaml:1:1: error SC001 no such file (hint: check the path)"
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n")
    path.chmod(0)
    assert [f.rule for f in load(path).findings] == ["SC001"]


@pytest.mark.parametrize(
    ("raw", "name", "expected"),
    [
        (
            b'{"host": "a",}',
            "f.json",
            "f.json:1:14: error SC004 JSON syntax error: a trailing comma is not allowed in JSON",
        ),
        (
            b'{\n  // note\n  "host": "a"}',
            "f.json",
            "f.json:2:3: error SC004 JSON syntax error: JSON has no comments",
        ),
        (
            b"{'host': 'a'}",
            "f.json",
            "f.json:1:2: error SC004 JSON syntax error: JSON strings and keys need double quotes",
        ),
        ("host: a\n".encode("utf-16"), "f.yaml", "f.yaml:1:1: error SC002 the file is UTF-16, not UTF-8"),
        (
            b"host: a\n---\nhost: b\n",
            "f.yaml",
            "f.yaml:2:1: error SC004 YAML syntax error: more than one YAML document (a `---` separator) in one file",
        ),
    ],
)
def test_common_mistakes_are_named(raw: bytes, name: str, expected: str) -> None:
    (finding,) = loads(raw, name, json_syntax=name.endswith(".json")).findings
    assert finding.format().split(" (hint: ")[0] == expected
