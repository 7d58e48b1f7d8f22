"""The time one request may spend, shared by every stage that may take long.

A search must answer within a couple of seconds whatever was typed (docs/search.md, "Query cost in
Whoosh"): the index's expansion of `word~` and `*word*`, the ranking, the facets, the snippets and
the record page's marks all look at one `Budget` and stop early when it is spent, answering with
what they have; the answer then says it is partial. Whoosh-free and Flask-free.
"""
from __future__ import annotations

import time

from .settings import BY_NAME

SEARCH_SECONDS = BY_NAME["SEARCH_SECONDS"].default  # the setting's default (settings.py)


class Budget:
    """A deadline; `over()` tells a stage to stop early, and remembers that it did."""

    def __init__(self, seconds: float | None = SEARCH_SECONDS, clock=time.monotonic):
        self._clock = clock
        self.ends = None if seconds is None else clock() + seconds
        self.cut = False  # some stage stopped early: the answer is partial
        self._spent = False  # the time is up (a part running out cuts the whole, but spends only itself)
        self._whole: Budget | None = None  # the request's budget, when this is a stage's part
        self.checkpoint = None  # the request's: called with the stage at each look at the clock
        # (where a costly search gives way)

    def over(self) -> bool:
        """Whether the time is up (a stage that asks then stops early: the answer is partial)."""
        checkpoint = self._request().checkpoint
        if checkpoint is not None:
            checkpoint(self)
        return self._expired()

    def _expired(self) -> bool:
        if not self._spent and self.ends is not None and self._clock() >= self.ends:
            self._spent = self.cut = True
            if self._whole is not None:
                self._whole.cut = True
        return self._spent or (self._whole is not None and self._whole._expired())

    def _request(self) -> "Budget":
        whole = self
        while whole._whole is not None:
            whole = whole._whole
        return whole

    def paused(self, seconds: float) -> None:
        """Give this stage (and the stages it is part of) back `seconds` it spent waiting at a
        checkpoint, within the request's own time, which does not move."""
        request, part = self._request(), self
        while part is not request:
            if part.ends is not None:
                part.ends += seconds
                if request.ends is not None:
                    part.ends = min(part.ends, request.ends)
            part = part._whole

    def part(self, fraction: float) -> "Budget":
        """A stage's share of the time left: a stage whose own steps cannot stop (the matching
        after an expansion) must find time left when the stage before it gives up. Running the
        part out makes the whole answer partial."""
        part = Budget(None, self._clock)
        if self.ends is not None:
            now = self._clock()
            part.ends = now + max(0.0, self.ends - now) * fraction
        part._whole = self
        return part

    def left(self) -> float | None:
        """Seconds left (None without a deadline)."""
        return None if self.ends is None else max(0.0, self.ends - self._clock())


def unlimited() -> Budget:
    """No deadline: exports and maintenance read everything they ask for."""
    return Budget(None)
