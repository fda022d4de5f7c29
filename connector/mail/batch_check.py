"""A batch's jobs against the config, before connecting: each filled as ``send`` would fill it."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from connector.diagnostics.paths import KeyPath
from connector.errors import InputError
from connector.logto.addresses import address_problem
from connector.logto.headers import LINE_BREAKS, line_break
from connector.logto.placeholders import PLACEHOLDER, fill_placeholders
from connector.mail.message import FilledMessage, draft, envelope_address, fill_message
from connector.mail.send import Job
from connector.mail.wire import message_bytes
from connector.schema.models import ConnectorConfig

Problem = tuple[KeyPath, str, str, str]  # where in the line, rule, message, hint
# A fixed date and Message-ID: the check builds every header but the two that change per send.
_CHECK_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")


class JobCheck:
    """What would fail in each job of a batch with one config, found before connecting: the template, the
    payload filled into it (a value that puts a line break in a header, an object with its own
    ``toString``), the sender it gives. What the server decides (an address it refuses, SMTPUTF8) is not here.

    Linear, and cheap per job: what does not depend on the job (the config's own headers, a template field
    without placeholders) is checked once per usage type, by building that type's first message whole; each
    job then fills only the header fields that take its payload."""

    def __init__(self, config: ConnectorConfig) -> None:
        self.config = config
        self.types: dict[str, _TypeCheck] = {}

    def problem(self, job: Job, text: str) -> Problem | None:
        """Where in its line (``text``) the job would fail, the rule, the message and the hint; else None."""
        check = self.types.get(job.usage_type)
        if check is None:
            check = self.types[job.usage_type] = _TypeCheck(self.config, job.usage_type)
        problem = check.line(job, text)
        if problem is None and not check.built:
            problem = check.whole(job)
        return problem


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

    def line(self, job: Job, text: str) -> Problem | None:
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

    def whole(self, job: Job) -> Problem | None:
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
