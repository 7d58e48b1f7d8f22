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

    def over(self) -> bool:
        """Whether the time is up (a stage that asks then stops early: the answer is partial)."""
        if self.ends is not None and self._clock() >= self.ends:
            self.cut = True
        return self.cut

    def left(self) -> float | None:
        """Seconds left (None without a deadline)."""
        return None if self.ends is None else max(0.0, self.ends - self._clock())


def unlimited() -> Budget:
    """No deadline: exports and maintenance read everything they ask for."""
    return Budget(None)
