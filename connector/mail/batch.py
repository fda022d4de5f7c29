"""Batch files: JSON Lines of ``{"to", "type", "payload"}``, checked whole before anything is sent.

The check is one pass, a line at a time, linear in the file and in memory bounded whatever its size:
:func:`read_batch` reads each line (JSON, keys, the recipient as nodemailer reads it, the usage type, the
payload's shape) and, given the config, fills its message as ``send`` would (template, placeholders,
headers; :func:`check_batch` alone). Every line that would fail is a finding at its file:line:col; the CLI
sends nothing while there is one. The lines that pass are spooled, and sent from the spool. Progress while sending is data
too (:class:`Progress`); the CLI decides whether and how to show it.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from connector import atomic
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath, dotted
from connector.diagnostics.suggest import did_you_mean
from connector.errors import InputError
from connector.logto.addresses import address_problem, single_address
from connector.logto.headers import LINE_BREAKS, line_break
from connector.logto.placeholders import PLACEHOLDER, fill_placeholders
from connector.logto.usage_types import usage_type_problem
from connector.mail.message import FilledMessage, draft, envelope_address, fill_message
from connector.mail.send import Job, Result, json_line
from connector.mail.wire import message_bytes
from connector.schema.models import ConnectorConfig
from connector.source.json_reader import JsonLoader

# A batch of a million messages fits; /dev/zero, or a FIFO no one writes to, does not hold the send.
MAX_BATCH_BYTES = 256 * 1024 * 1024


def read_text_input(path: str | os.PathLike[str], max_bytes: int) -> str:
    """A UTF-8 file given on the command line, read without blocking on a FIFO and without reading past
    ``max_bytes`` (a device such as /dev/zero never ends). OSError, UnicodeDecodeError or ValueError."""
    from connector.source.loader import read_capped

    raw = read_capped(path, max_bytes)
    if len(raw) > max_bytes:
        raise ValueError(f"over the {max_bytes // (1024 * 1024)} MiB limit")
    return raw.decode("utf-8-sig")


def parse_json(text: str, where: str, hint: str) -> Any:
    """JSON as Logto's JSON.parse reads it: no NaN or Infinity; a number too long for Python, or nesting
    too deep, is refused with ``where`` rather than crashing."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise InputError(f"{where}: not valid JSON (nested too deeply)", hint=hint) from None
    except ValueError as e:
        why = str(e)
        if "digits" in why:  # Python's limit on int digits (CVE-2020-10735), not a JSON rule
            why = "a number with more than 4,300 digits"
        raise InputError(f"{where}: not valid JSON ({why})", hint=hint) from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # as JSON.parse refuses it


_DECODER = json.JSONDecoder(parse_constant=_not_json)  # one for every line of a batch


@dataclass(frozen=True, slots=True)
class Line:
    """One message of a batch file and the line it came from (kept to place a finding on it)."""

    number: int
    text: str
    job: Job


class Batch:
    """A batch file read a line at a time: how many messages, how many lines were refused, and the lines
    that read as messages, kept as text in a spool (in memory up to a few MiB, then an unnamed temporary
    file) rather than as objects, so memory does not grow with the file. The spool is a private copy:
    what is sent is what was checked, whatever happens to the file meanwhile."""

    def __init__(self, file: str, spool: IO[bytes], *, total: int, messages: int, bad: int) -> None:
        self.file, self.spool = file, spool
        self.total = total  # messages in the file, the refused lines included
        self.messages = messages  # lines that read as messages (in the spool)
        self.bad = bad  # lines with a finding
        self.findings: tuple[Finding, ...] = ()  # kept only when no on_finding was given

    def lines(self) -> Iterator[Line]:
        """The lines that read as messages, in order, each read again from the spool."""
        self.spool.seek(0)
        for raw in self.spool:
            number, _, text = raw.decode("utf-8").rstrip("\n").partition(" ")
            item = _DECODER.decode(text)
            yield Line(int(number), text, Job(item["to"], item["type"], item.get("payload", {})))

    def jobs(self) -> Iterator[Job]:
        return (line.job for line in self.lines())

    def close(self) -> None:
        self.spool.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def refusal(batch: Batch, bad: int) -> InputError:
    """The error that refuses a whole batch (``bad`` lines would fail): nothing is sent while any would."""
    return InputError(
        f"{batch.file}: {bad} of {batch.total} message{'s' if batch.total != 1 else ''} would fail; nothing was sent",
    )


# A message's line is small (a code, a link, a few user fields); a longer one is refused before it is
# parsed, so one line never costs more than the lint's 1 MiB file.
MAX_LINE_BYTES = 1024 * 1024
_SPOOL_IN_MEMORY = 1024 * 1024


def read_batch(
    path: str | os.PathLike[str],
    config: ConnectorConfig | None = None,
    *,
    on_finding: Callable[[Sequence[Finding]], None] | None = None,
) -> Batch:
    """Read and check every line of a batch file in one pass, a line at a time: what is wrong with a line
    is a finding at its file:line:col, and the reading goes on. With ``config``, each line is also filled
    as ``send`` would fill it (:func:`check_batch`). Each line's findings go to ``on_finding`` as they are
    found (else they are collected in ``Batch.findings``). An unreadable or empty file, or one over
    :data:`MAX_BATCH_BYTES`, is an :class:`InputError`."""
    name = str(path)
    collected: list[Finding] = []
    report = on_finding or collected.extend
    checks: dict[str, _TypeCheck] = {}
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 (the Batch closes it)
    total = messages = bad = 0
    try:
        for number, line in _lines(name, path):
            total += 1
            if line is None:
                found = [Finding.at(Location(name, number), "SC003", _too_long(), _ONE_OBJECT)]
            else:
                job, found = _read_line(name, number, line)
                if not found and job is not None and config is not None:
                    problem = _check_line(config, checks, job, line)
                    if problem is not None:
                        found = [_Place(name, number, line).at(*problem)]
            if found:
                bad += 1
                report(found)
            else:
                messages += 1
                spool.write(f"{number} {line}\n".encode())
        if not total:
            raise InputError(f"{name}: the batch file has no messages", hint="one JSON object per line")
    except BaseException:
        spool.close()
        raise
    batch = Batch(name, spool, total=total, messages=messages, bad=bad)
    batch.findings = tuple(collected)
    return batch


def _too_long() -> str:
    return f"the line is over the {MAX_LINE_BYTES // (1024 * 1024)} MiB limit for one message"


def _lines(name: str, path: str | os.PathLike[str]) -> Iterator[tuple[int, str | None]]:
    """(number, text) of each line that is not blank, read a line at a time; None for a line over
    :data:`MAX_LINE_BYTES` (skipped, not read into memory). JSON Lines ends lines at \\n only:
    str.splitlines() would also split inside a string at U+2028 or NEL."""
    from connector.source.loader import open_regular

    try:
        fh = open_regular(path)
    except FileNotFoundError as e:
        raise InputError(f"{name}: no such batch file", hint="check the path") from e
    except OSError as e:
        raise InputError(f"{name}: cannot read the batch file: {e.strerror or e}") from e
    read = 0
    with fh:
        for number in itertools.count(1):
            try:
                # The line, its \r\n, and one byte more: enough to know whether it is over the cap.
                raw = fh.readline(MAX_LINE_BYTES + 3)
            except OSError as e:
                raise InputError(f"{name}: cannot read the batch file: {e.strerror or e}") from e
            if not raw:
                return
            read += len(raw)
            ended = raw.endswith(b"\n")
            content = raw[: -2 if raw.endswith(b"\r\n") else -1] if ended else raw
            long = len(content) > MAX_LINE_BYTES
            while long and not ended and read <= MAX_BATCH_BYTES:  # the rest of it, read and dropped
                raw = fh.readline(64 * 1024)
                read += len(raw)
                ended = not raw or raw.endswith(b"\n")
            if read > MAX_BATCH_BYTES:
                raise InputError(
                    f"{name}: cannot read the batch file: over the {MAX_BATCH_BYTES // (1024 * 1024)} MiB limit"
                )
            if long:
                yield number, None
                continue
            try:
                text = content.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{name}:{number}: cannot read the batch file: not UTF-8 text ({e.reason} at byte "
                    f"{e.start + 1} of the line)",
                    hint="save the file as UTF-8",
                ) from None
            if text.strip():
                yield number, text


_EXAMPLE = '{"to": "a@example.com", "type": "SignIn", "payload": {"code": "123456"}}'
_KEYS = ("to", "type", "payload")
# A lone surrogate can only come from a \ud800-style escape: the file itself was decoded from UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Place:
    """Columns in one line, worked out only when a finding needs one: a top-level key or value by a scan of
    the line's top level (the json module skips each value), anything deeper by the positional reader."""

    def __init__(self, file: str, number: int, text: str) -> None:
        self.file, self.number, self.text = file, number, text
        self.top: dict[str, tuple[int, int]] | None = None  # key -> (column of the key, of its value)
        self.loader: JsonLoader | None = None  # the line read once, for every deeper finding

    def at(self, path: KeyPath, rule: str, message: str, hint: str = "", *, key: bool = False) -> Finding:
        return Finding.at(Location(self.file, self.number, self.column(path, key)), rule, message, hint)

    def column(self, path: KeyPath, key: bool) -> int:
        if not path:
            return len(self.text) - len(self.text.lstrip(" \t")) + 1
        if len(path) == 1 and isinstance(path[0], str):
            if self.top is None:
                self.top = _top_level(self.text)
            mark = self.top.get(path[0])
            if mark is not None:
                return mark[0] if key else mark[1]
        loader = self.loader
        if loader is None:  # once per line: reading it per finding made a line of n findings O(n²)
            loader = self.loader = JsonLoader(self.file, self.text)
            loader.run()
        table = loader.keys if key else loader.values
        while path:
            mark = table.get(path) or loader.values.get(path)
            if mark is not None:
                return mark[1]
            path = path[:-1]
        return 1


_SPACE = re.compile(r"[ \t\n\r]*")


def _top_level(text: str) -> dict[str, tuple[int, int]]:
    """Where each top-level key of a JSON object (known to be valid) and its value start: 1-based columns."""
    places: dict[str, tuple[int, int]] = {}
    i = _skip(text, _skip(text, 0) + 1)  # past the `{`
    while text[i : i + 1] == '"':
        key, end = _DECODER.raw_decode(text, i)
        value = _skip(text, _skip(text, end) + 1)  # past the `:`
        places[key] = (i + 1, value + 1)  # the last of a duplicate key wins, as in json.loads
        _, end = _DECODER.raw_decode(text, value)
        i = _skip(text, _skip(text, end) + 1)  # past the `,` (or the `}`: the loop ends)
    return places


def _skip(text: str, i: int) -> int:
    return _SPACE.match(text, i).end()  # type: ignore[union-attr]


def _read_line(file: str, number: int, text: str) -> tuple[Job | None, list[Finding]]:
    place = _Place(file, number, text)
    try:
        item: Any = _DECODER.decode(text)
    except (ValueError, RecursionError) as e:
        # The positional reader words the refusal and places it (the json module's column is a guess
        # after deep nesting, and it has none for a number too long).
        loader = JsonLoader(file, text)
        found = loader.run().findings
        if found:
            return None, [replace(f, line=number) for f in found]
        why = "nested too deeply" if isinstance(e, RecursionError) else str(e)
        return None, [Finding.at(Location(file, number), "SC004", f"not valid JSON ({why})", _ONE_OBJECT)]
    if not isinstance(item, dict):
        return None, [place.at((), "SC007", f"expected a JSON object, like {_EXAMPLE}")]
    findings, meant = [], set()
    for key in item:
        if key not in _KEYS:
            guess = did_you_mean(key, [k for k in _KEYS if k not in item])
            meant.add(guess)
            message = f"unknown key `{key}`" + (f"; did you mean `{guess}`?" if guess else "")
            findings.append(place.at((key,), "SC201", message, "the keys are to, type and payload", key=True))
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


_ONE_OBJECT = f"one object per line, like {_EXAMPLE}"


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


def _surrogate_findings(place: _Place, item: Any) -> list[Finding]:
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


def _surrogate_finding(place: _Place, path: KeyPath, char: str, in_key: bool) -> Finding:
    what = f"a key in {_shown(path[:-1])}" if in_key else _shown(path)
    return place.at(
        path, "SC002", f"{what} holds a lone UTF-16 surrogate ({_escaped(char)}), not text", key=in_key
    )


def _shown(path: KeyPath) -> str:
    return '"' + _escaped(dotted(path)) + '"' if path else "the line"


def _escaped(text: str) -> str:
    """``text`` with each lone surrogate written as its JSON escape: it cannot be printed as it is."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# A fixed date and Message-ID: the check builds every header but the two that change per send.
_CHECK_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")


def check_batch(config: ConnectorConfig, batch: Batch) -> list[Finding]:
    """What would fail in each line with this config, found before connecting: the template, the payload
    filled into it (a value that puts a line break in a header, an object with its own ``toString``), the
    sender it gives. What the server decides (an address it refuses, SMTPUTF8) is not here.

    Linear, and cheap per line: what does not depend on the line (the config's own headers, a template
    field without placeholders) is checked once per usage type, by building that type's first message
    whole; each line then fills only the header fields that take its payload. ``read_batch(path, config)``
    makes the same check in its one pass."""
    findings: list[Finding] = []
    checks: dict[str, _TypeCheck] = {}
    for line in batch.lines():
        problem = _check_line(config, checks, line.job, line.text)
        if problem is not None:
            findings.append(_Place(batch.file, line.number, line.text).at(*problem))
    return findings


def _check_line(
    config: ConnectorConfig, checks: dict[str, _TypeCheck], job: Job, text: str
) -> _Problem | None:
    check = checks.get(job.usage_type)
    if check is None:
        check = checks[job.usage_type] = _TypeCheck(config, job.usage_type)
    problem = check.line(job, text)
    if problem is None and not check.built:
        problem = check.whole(job)
    return problem


_Problem = tuple[KeyPath, str, str, str]  # where in the line, rule, message, hint


class _TypeCheck:
    """The checks of one usage type's messages: which template fields take the payload."""

    def __init__(self, config: ConnectorConfig, usage_type: str) -> None:
        self.config, self.usage_type = config, usage_type
        self.template = config.template_for(usage_type)
        self.built = False  # its first message was built whole (the fields that do not vary)
        if self.template is not None:
            t = self.template
            self.send_from = t.sendFrom if t.sendFrom and PLACEHOLDER.search(t.sendFrom) else None
            self.reply_to = t.replyTo if t.replyTo and PLACEHOLDER.search(t.replyTo) else None
            self.subject = t.subject if PLACEHOLDER.search(t.subject) else None

    def line(self, job: Job, text: str) -> _Problem | None:
        """What this line's own values break, found as ``draft`` finds it, filling only what varies."""
        if self.template is None:
            return (
                ("type",),
                "SC204",
                f"Template not found for type: {job.usage_type} (and no Generic template)",
                "",
            )
        payload = job.payload
        if "toString" in text or "\\u" in text:  # only then can String() throw (escapes can spell the key)
            try:
                fill_message(self.config, job.usage_type, payload)
            except InputError as e:
                return ("payload",), "SC202", str(e), e.hint
        if self.send_from is not None:
            sender = fill_placeholders(self.send_from, payload)
            try:
                envelope_address(sender, "the From address (the template's sendFrom, filled)")
            except InputError as e:
                return ("payload",), "SC408" if _BREAK.search(sender) else "SC405", str(e), e.hint
        for name, field in (("replyTo", self.reply_to), ("subject", self.subject)):
            if field is not None:
                broken = line_break(fill_placeholders(field, payload))
                if broken is not None:
                    message = (
                        f"the template's {name} after filling contains {broken}, which would break the "
                        "message headers"
                    )
                    return ("payload",), "SC408", message, ""
        return None

    def whole(self, job: Job) -> _Problem | None:
        """Build the first message of this type whole, as ``send`` does: what is wrong with the config's own
        headers (customHeaders, a fixed sender) shows here once, at the first line it would fail."""
        self.built = True
        filled = None
        try:
            filled = fill_message(self.config, job.usage_type, job.payload)
            message_bytes(draft(self.config, filled, job.to, now=_CHECK_DATE, message_id="<check@localhost>"))
        except InputError as e:
            return ("type",), _header_rule(filled), f"every {job.usage_type} message would fail: {e}", e.hint
        return None


def _header_rule(filled: FilledMessage | None) -> str:
    """The rule a message built whole breaks: a sender that is no address (SC405), a header value with a
    line break (SC408), else customHeaders (SC406), which the lint reports in the config itself."""
    if filled is None:
        return "SC202"
    if not _BREAK.search(filled.sender) and address_problem(filled.sender, False) is not None:
        return "SC405"
    if any(_BREAK.search(value or "") for value in (filled.sender, filled.reply_to, filled.subject)):
        return "SC408"
    return "SC406"


def write_jobs(path: str | os.PathLike[str], jobs: Iterable[Job]) -> Path:
    """Write jobs in the batch format (atomically, a line at a time), ready to be sent again with ``--batch``."""
    return atomic.write_bytes(path, ((json_line(job.as_json()) + "\n").encode() for job in jobs))


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a batch stands: messages done (sent or written, or failed) of ``total``, after ``elapsed`` s."""

    done: int
    total: int
    failed: int
    elapsed: float

    @property
    def rate(self) -> float:
        """Messages per second so far (0 before the first)."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the rate so far; None until there is a rate worth extrapolating."""
        if self.done < 1 or self.elapsed < 1 or self.done >= self.total:
            return None
        return (self.total - self.done) / self.rate


class ProgressTracker:
    """Counts results and reports a :class:`Progress` at most every ``interval`` seconds (and not before
    the first interval: a short batch reports nothing). Pass :meth:`add` each result; a clock read per
    result is all it costs."""

    def __init__(
        self,
        total: int,
        report: Callable[[Progress], None],
        *,
        interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.report, self.interval, self.clock = total, report, interval, clock
        self.done = self.failed = 0
        self.start = clock()
        self.due = self.start + interval

    def add(self, result: Result) -> None:
        self.done += 1
        self.failed += result.status == "failed"
        now = self.clock()
        if now >= self.due:
            self.due = now + self.interval
            self.report(Progress(self.done, self.total, self.failed, now - self.start))
