"""The project's exceptions: one small tree rooted in a builtin.

Library code reports user mistakes as findings (data); these exceptions carry them to the one boundary
in ``connector.cli.main`` that prints them and decides the exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from connector.diagnostics.findings import with_hint

if TYPE_CHECKING:
    from connector.diagnostics.findings import Finding


class ConnectorError(Exception):
    """Base of every error this package raises on purpose.

    ``str(error)`` is what went wrong; ``hint`` (may be empty) says what to do about it. They stay apart until
    the boundary prints them (:meth:`describe`), as a finding's message and hint do.
    """

    exit_code = 1

    def __init__(self, message: str = "", *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def describe(self) -> str:
        """The one-line text a user reads: the message, then ``(hint: ...)`` as a finding prints it."""

        return with_hint(str(self), self.hint)


class UsageError(ConnectorError):
    """The command line itself is wrong (exit 2)."""

    exit_code = 2


class InputError(ConnectorError):
    """The input is wrong: a file, a value, an environment variable or a server's reply (exit 1)."""

    def __init__(self, message: str = "", findings: Sequence[Finding] = (), *, hint: str = "") -> None:
        super().__init__(message or (findings[0].message if findings else "invalid input"), hint=hint)
        self.findings: tuple[Finding, ...] = tuple(findings)


class DeliveryError(InputError):
    """Sending failed: the server refused, the connection broke, or it could not be opened (exit 1).

    ``code`` and ``reply`` are the server's reply when there was one. ``transient`` failures (4xx replies,
    dropped connections) are worth retrying; ``fatal`` ones (refused login, untrusted certificate, no
    connection) end a whole batch, because every later message would fail the same way.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        code: int | None = None,
        reply: str = "",
        transient: bool = False,
        fatal: bool = False,
        dropped: bool = False,
    ) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.reply = reply
        self.transient = transient
        self.fatal = fatal
        self.dropped = dropped
