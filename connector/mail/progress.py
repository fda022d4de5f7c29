"""Where a batch stands while it is sent: data for the command line to show (or not)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from connector.mail.send import Result


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
