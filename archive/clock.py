"""The archive's one clock: what time and what day it is, for every part that asks.

Revision and view-log stamps (`now()`), today's date for embargoes and harvests (`today()`), the day
a citation was accessed, the sign-in throttle's seconds, the age of a waiting upload and the signed
session cookie all read this clock. It tells the system's time until a test sets it
(`CLOCK.set("2026-11-27T10:00:00Z")`, `CLOCK.advance(seconds=2)`, `CLOCK.reset()`), so tests move
time on instead of sleeping.

There is one clock per process, as there is one archive per process: the store and the index read it
through the functions `now()` and `today()` without being handed an Archive, and `Archive.clock` is
this same object.
"""
from __future__ import annotations

import datetime as dt

STAMP = "%Y-%m-%dT%H:%M:%SZ"  # how the archive writes a moment: UTC, to the second


class Clock:
    """The system's time, or a moment set by hand that stays until it is moved or reset."""

    def __init__(self) -> None:
        self._stopped: dt.datetime | None = None

    def datetime(self) -> dt.datetime:
        """Now, as an aware UTC datetime."""
        stopped = self._stopped
        return stopped if stopped is not None else dt.datetime.now(dt.timezone.utc)

    def now(self) -> str:
        """Now as the archive stamps it: `2026-11-27T10:00:00Z`."""
        return self.datetime().strftime(STAMP)

    def date(self) -> dt.date:
        """Today, in the machine's time zone (the day an archivist at it would name)."""
        return self.datetime().astimezone().date()

    def today(self) -> str:
        """Today as ISO text, the form `embargo_until` is stored in."""
        return self.date().isoformat()

    def timestamp(self) -> float:
        """Seconds since the epoch."""
        return self.datetime().timestamp()

    def set(self, when: dt.datetime | dt.date | str) -> None:
        """Stop the clock at `when`: an aware datetime, a date, or `YYYY-MM-DD[THH:MM:SSZ]`."""
        if isinstance(when, str):
            when = (dt.datetime.strptime(when, STAMP) if "T" in when
                    else dt.datetime.combine(dt.date.fromisoformat(when), dt.time()))
            when = when.replace(tzinfo=dt.timezone.utc)
        elif not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time(), dt.timezone.utc)
        if when.tzinfo is None:
            raise ValueError("give the clock an aware datetime (with its time zone)")
        self._stopped = when.astimezone(dt.timezone.utc)

    def advance(self, **delta: float) -> None:
        """Move the clock on by a `timedelta(**delta)`; a running clock stops there."""
        self._stopped = self.datetime() + dt.timedelta(**delta)

    def reset(self) -> None:
        """Let the clock run with the system's time again."""
        self._stopped = None


CLOCK = Clock()


def now() -> str:
    """Now, stamped (see `Clock.now`)."""
    return CLOCK.now()


def today() -> str:
    """Today as ISO text (see `Clock.today`)."""
    return CLOCK.today()
