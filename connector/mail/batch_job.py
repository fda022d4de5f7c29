"""One line of a batch file as a job: its keys, the recipient as nodemailer reads it, the usage type and
the payload's shape, each problem a finding at the line's file:line:col."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath, dotted
from connector.diagnostics.suggest import did_you_mean
from connector.logto.addresses import single_address
from connector.logto.headers import LINE_BREAKS, line_break
from connector.logto.usage_types import usage_type_problem
from connector.mail.json_lines import DECODER, Place
from connector.mail.send import Job
from connector.source.json_reader import JsonLoader

_EXAMPLE = '{"to": "a@example.com", "type": "SignIn", "payload": {"code": "123456"}}'
_KEYS = ("to", "type", "payload")
_KEY_SET = frozenset(_KEYS)
# A lone surrogate can only come from a \ud800-style escape: the file itself was decoded from UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")

_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")


def read_job(file: str, number: int, text: str) -> tuple[Job | None, list[Finding]]:
    place = Place(file, number, text)
    try:
        item: Any = DECODER.decode(text)
    except (ValueError, RecursionError) as e:
        # The positional reader words the refusal and places it (the json module's column is a guess
        # after deep nesting, and it has none for a number too long).
        loader = JsonLoader(file, text)
        found = loader.run().findings
        if found:
            return None, [replace(f, line=number) for f in found]
        why = "nested too deeply" if isinstance(e, RecursionError) else str(e)
        return None, [Finding.at(Location(file, number), "SC004", f"not valid JSON ({why})", ONE_OBJECT)]
    if not isinstance(item, dict):
        return None, [place.at((), "SC007", f"expected a JSON object, like {_EXAMPLE}")]
    findings: list[Finding] = []
    meant: set[str | None] = set()
    if not item.keys() <= _KEY_SET:  # one set comparison first: a line's keys are nearly always known
        for key in item:
            if key not in _KEY_SET:
                guess = did_you_mean(key, [k for k in _KEYS if k not in item])
                meant.add(guess)
                message = f"unknown key `{key}`" + (f"; did you mean `{guess}`?" if guess else "")
                findings.append(
                    place.at((key,), "SC201", message, "the keys are to, type and payload", key=True)
                )
    if _SURROGATE_ESCAPE.search(text):
        findings.extend(_surrogate_findings(place, item))
    to, usage_type, payload = item.get("to"), item.get("type"), item.get("payload", {})
    if "to" not in item:
        if "to" not in meant:
            findings.append(place.at((), "SC203", 'no "to": each line needs one recipient address'))
    elif not isinstance(to, str) or not to:
        findings.append(place.at(("to",), "SC202", '"to" must be one address as a string'))
    elif not _SURROGATE.search(to):
        problem = _recipient_problem(to)
        if problem is not None:
            findings.append(place.at(("to",), *problem))
    if "type" not in item:
        if "type" not in meant:
            findings.append(place.at((), "SC203", 'no "type": each line needs a usage type such as "SignIn"'))
    elif not isinstance(usage_type, str) or not usage_type:
        findings.append(place.at(("type",), "SC202", '"type" must be a usage type such as "SignIn"'))
    else:
        unknown = usage_type_problem(usage_type)  # lint's SC101, word for word
        if unknown is not None:
            findings.append(place.at(("type",), "SC101", *unknown))
    if not isinstance(payload, dict):
        findings.append(
            place.at(("payload",), "SC202", '"payload" must be a JSON object, like {"code": "123456"}')
        )
    if findings:
        return None, findings
    return Job(item["to"], item["type"], payload), []


ONE_OBJECT = f"one object per line, like {_EXAMPLE}"


def _recipient_problem(to: str) -> tuple[str, str, str] | None:
    """(rule, message, hint) when ``to`` is not one address as nodemailer reads it; the check send makes."""
    broken = line_break(to) if _BREAK.search(to) else None
    if broken is not None:
        return (
            "SC408",
            f'"to" contains {broken}, which would break the message headers',
            "one address per line",
        )
    count, address = single_address(to)  # the count of mailboxes too: one split of the value, not two
    if address is not None:
        return None
    if count > 1:
        return (
            "SC405",
            f'"to" holds {count} addresses: {to!r}',
            "one address per line; add a line per recipient",
        )
    return (
        "SC405",
        f'"to" is not an email address: {to!r}',
        "write it like a@example.com or Name <a@example.com>",
    )


def _surrogates(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str, bool]]:
    """Every lone surrogate in the keys and strings of ``value``: where, which, and whether in a key."""
    stack: list[tuple[KeyPath, Any]] = [(path, value)]
    while stack:  # a loop, not recursion: json.loads already bounds the depth, and this stays flat
        where, item = stack.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found:
                yield where, found.group(), False
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                found = _SURROGATE.search(key)
                if found:
                    yield (*where, key), found.group(), True
                children.append(((*where, key), child))
            stack.extend(reversed(children))  # popped in the order written
        elif isinstance(item, list):
            stack.extend(((*where, index), child) for index, child in reversed(list(enumerate(item))))


# Each lone surrogate listed up to this many per line, then one finding for the rest: a line of a
# hundred thousand of them is refused just the same, and its report stays readable and bounded.
MAX_SURROGATES_LISTED = 10


def _surrogate_findings(place: Place, item: Any) -> list[Finding]:
    findings: list[Finding] = []
    rest = 0
    for found in _surrogates(item, ()):
        if len(findings) < MAX_SURROGATES_LISTED:
            findings.append(_surrogate_finding(place, *found))
        elif not rest:
            rest, (path, _, in_key) = 1, found
        else:
            rest += 1
    if rest:
        message = f"{rest:,} more key{'s' if rest != 1 else ''} or string{'s' if rest != 1 else ''} from here hold a lone UTF-16 surrogate, not text"
        findings.append(place.at(path, "SC002", message, key=in_key))
    return findings


def _surrogate_finding(place: Place, path: KeyPath, char: str, in_key: bool) -> Finding:
    what = f"a key in {_shown(path[:-1])}" if in_key else _shown(path)
    return place.at(
        path, "SC002", f"{what} holds a lone UTF-16 surrogate ({_escaped(char)}), not text", key=in_key
    )


def _shown(path: KeyPath) -> str:
    return '"' + _escaped(dotted(path)) + '"' if path else "the line"


def _escaped(text: str) -> str:
    """``text`` with each lone surrogate written as its JSON escape: it cannot be printed as it is."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
