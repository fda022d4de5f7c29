"""Fuzzing: whatever the input, nothing escapes but the tool's own findings."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from connector.schema.validate import check_config
from connector.source.loader import loads

FUZZ = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
FUZZ_WHOLE = settings(FUZZ, max_examples=150)  # whole commands' worth of work per example

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


# --- merge: arbitrary junk layers ---------------------------------------------------------------------

_CONNECTOR_KEYS = ["host", "port", "auth", "fromEmail", "replyTo", "templates", "tls", "customHeaders", "x"]
_junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["", "a", "SignIn", "Generic"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from([*_CONNECTOR_KEYS, "usageType", "subject"]), inner, max_size=3),
    ),
    max_leaves=12,
)
# Templates that merge by usageType, and every way a list can fail to: items without one, repeats, junk.
_junk_templates = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {"usageType": st.sampled_from(["SignIn", "Generic", "Register"])},
            optional={"subject": _junk, "content": _junk},
        ),
        _junk,
    ),
    max_size=4,
)
junk_layers = st.dictionaries(st.sampled_from(_CONNECTOR_KEYS), st.one_of(_junk, _junk_templates), max_size=5)


@FUZZ_WHOLE
@given(st.lists(junk_layers, min_size=1, max_size=4))
def test_composing_junk_layers_follows_the_merge_rules_and_never_raises(layers: list[dict[str, Any]]) -> None:
    from connector.project.layers import Composed, State
    from connector.source.loader import Document

    from .merge_oracle import apply

    state = State()
    for i, layer in enumerate(layers):
        state.apply(Document(f"layer{i}.yaml", layer), f"layer{i}", root=i == 0)
    assert state.data == apply({}, *layers)
    composed = Composed(state.data, {}, None, None, state)
    for path, _ in composed.leaves():
        composed.locate(path)  # every merged value has a place to point at


@FUZZ_WHOLE
@given(junk_layers, st.lists(st.sampled_from(["port=2525", "templates.SignIn.subject=x", "templates=3",
                                              "auth.user=u", "host=null", "templates[Generic].content=c"]),
                             max_size=3))  # fmt: skip
def test_set_over_any_config_file_gives_findings_not_exceptions(
    data: dict[str, Any], sets: list[str]
) -> None:
    import tempfile
    from pathlib import Path

    from connector.errors import InputError
    from connector.mail.config import load_runtime_config

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "logto.json"
        path.write_text(json.dumps(data))
        try:
            load_runtime_config(str(path), overrides=sets)
        except InputError as e:
            assert e.findings or str(e)


project_texts = st.one_of(junk_layers.map(json.dumps), yaml_like)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project_texts, project_texts, st.booleans())
# Found here: a line that continues `provider: dev-sink` names an unknown provider, which lint's tolerant
# load kept and composing then looked up (exit 3).
@example(base=" a", environment="{}", with_provider=True)
def test_building_a_junk_project_gives_findings_not_exceptions(
    base: str, environment: str, with_provider: bool
) -> None:
    import tempfile
    from pathlib import Path

    from connector.build.outputs import build_config
    from connector.errors import InputError
    from connector.lint import lint_paths

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "environments").mkdir()
        (root / "smtp-connector.yaml").write_text(("provider: dev-sink\n" if with_provider else "") + base)
        (root / "environments" / "dev.yaml").write_text(environment)
        try:
            build_config(root, "dev", environ={})
        except InputError as e:
            assert e.findings or str(e)
        for finding in lint_paths([str(root)]).findings:
            assert finding.line >= 1 and finding.column >= 1 and finding.rule.startswith("SC")


# --- lint: arbitrary configs --------------------------------------------------------------------------

_TEMPLATE_KEYS = ["usageType", "contentType", "subject", "content", "replyTo", "sendFrom", "x"]
_strings = st.one_of(
    st.sampled_from(["SignIn", "Generic", "text/html", "text/plain", "{{code}}", "<p>{{ link }", "a@b.c",
                     "<password>", "${SMTP_PASS}", "Name <a@b.c>\r\nBcc: x", "{{ user.name }}", "<b>", ""]),
    st.text(max_size=12),
)  # fmt: skip
_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-1, 70000), st.floats(allow_nan=True), _strings),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_strings, inner, max_size=3),
    max_leaves=10,
)
_templates = st.lists(
    st.one_of(st.dictionaries(st.sampled_from(_TEMPLATE_KEYS), _values, max_size=6), _values), max_size=5
)
lint_configs = st.dictionaries(
    st.sampled_from([*_CONNECTOR_KEYS, "secure", "requireTLS", "ignoreTLS", "name", "service", "pool",
                     "connectionTimeout", "dkim", "authMethod", "provider", "variables"]),
    _values,
    max_size=8,
).flatmap(lambda d: st.one_of(st.just(d), _templates.map(lambda t: {**d, "templates": t})))  # fmt: skip


@FUZZ_WHOLE
@given(lint_configs)
def test_every_lint_mode_gives_findings_not_exceptions(data: dict[str, Any]) -> None:
    from connector.lint import lint_source
    from connector.source.loader import Document

    text = json.dumps(data, indent=1)
    loaded = loads(text.encode(), "f.json", json_syntax=True)
    document = loaded.document or Document("f.json", data)
    for mode in ("final", "composed", "layer", "project-layer"):
        for finding in lint_source(document, mode):  # type: ignore[arg-type]
            assert finding.file == "f.json" and finding.line >= 1 and finding.column >= 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lint_configs, min_size=1, max_size=3))
def test_lint_paths_on_files_gives_findings_not_exceptions(configs: list[dict[str, Any]]) -> None:
    import io
    import tempfile
    from pathlib import Path

    from connector.diagnostics import reporters
    from connector.lint import lint_paths

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, data in enumerate(configs):
            path = Path(tmp) / f"c{i}.{'json' if i % 2 else 'yaml'}"
            path.write_text(json.dumps({"fromEmail": "a@b.c", **data}, ensure_ascii=False))
            paths.append(str(path))
        result = lint_paths(paths)
        out = io.StringIO()
        reporters.write_text(result.findings, out)
        assert out.getvalue().count("\n") == len([f for f in result.findings if not f.suppressed])
        for write in (reporters.write_json, reporters.write_github, reporters.write_sarif):
            write(result.findings, io.StringIO())


# --- fill_placeholders and render: arbitrary payloads and text -----------------------------------------

_payload_keys = st.one_of(
    st.sampled_from(
        ["code", "link", "user", "toString", "valueOf", "__proto__", "constructor", "length", "0"]
    ),
    st.text(max_size=6),
)
payload_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_payload_keys, inner, max_size=3),
    max_leaves=15,
)
placeholder_text = st.lists(
    st.one_of(
        st.text(max_size=8),
        st.builds(lambda p: "{{ " + p + " }}", st.lists(_payload_keys, min_size=1, max_size=3).map(".".join)),
    ),
    max_size=6,
).map("".join)


@FUZZ
@given(placeholder_text, st.dictionaries(_payload_keys, payload_values, max_size=4))
def test_fill_placeholders_takes_any_payload(text: str, payload: dict[str, Any]) -> None:
    from connector.errors import InputError
    from connector.logto.placeholders import fill_placeholders

    try:
        result = fill_placeholders(text, payload)
    except InputError as e:  # JavaScript's own failure (an own toString/valueOf that is not a function)
        assert "Cannot convert object to primitive value" in str(e)
    else:
        assert isinstance(result, str)


@FUZZ_WHOLE
@given(placeholder_text, st.dictionaries(_payload_keys, payload_values, max_size=4), st.text(max_size=20))
def test_a_message_is_built_or_refused_for_any_payload_and_recipient(
    subject: str, payload: dict[str, Any], to: str
) -> None:
    from connector.errors import InputError
    from connector.mail.message import build_message, fill_message, to_bytes
    from connector.schema.models import ConnectorConfig

    templates = [
        {"usageType": kind, "contentType": "text/html", "subject": subject, "content": "<p>{{code}}</p>"}
        for kind in ("SignIn", "Register", "ForgotPassword", "Generic")
    ]
    config = ConnectorConfig.model_validate(
        {
            "host": "h",
            "port": 25,
            "auth": {"type": "login"},
            "fromEmail": "a@b.example",
            "templates": templates,
        }
    )
    try:
        raw = to_bytes(build_message(config, fill_message(config, "SignIn", payload), to or "x@y.example"))
    except InputError:
        return
    head = raw.split(b"\r\n\r\n", 1)[0]
    names = [line.split(b":", 1)[0] for line in head.split(b"\r\n") if line[:1] not in (b" ", b"\t")]
    assert names.count(b"Bcc") == 0 and names.count(b"Subject") == 1 and names.count(b"To") == 1


# --- command-line text: --set options and batch files -------------------------------------------------

set_options = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.builds(
            "{}={}".format,
            st.lists(
                st.sampled_from(["templates", "SignIn", "[Generic]", "auth", "", "0", "é"]), max_size=3
            ).map(".".join),
            st.one_of(
                st.text(max_size=10), st.sampled_from(["null", "'x", '"y"', "[1", "{a: 1}", "0x1f", "~"])
            ),
        ),
    ),
    max_size=3,
)


@FUZZ
@given(set_options)
def test_set_options_give_a_layer_or_the_tools_errors(items: list[str]) -> None:
    from connector.errors import ConnectorError
    from connector.project.overrides import parse_overrides

    try:
        document = parse_overrides(items)
    except ConnectorError:
        return
    assert isinstance(document.data, dict)


@FUZZ
@given(st.lists(st.one_of(st.text(max_size=30), json_values.map(json.dumps)), max_size=4))
def test_batch_files_give_jobs_or_an_input_error(lines: list[str]) -> None:
    import tempfile
    from pathlib import Path

    from connector.errors import InputError
    from connector.mail.batch import read_batch

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        try:
            with read_batch(path) as batch:
                jobs, findings = list(batch.jobs()), batch.findings
        except InputError as e:
            assert str(path) in str(e)
        else:
            # a line that is not a message is a finding in the file; every other line is a job
            assert all(f.file == str(path) for f in findings)
            assert len(jobs) + batch.bad == batch.total
            assert all(isinstance(job.payload, dict) for job in jobs)
