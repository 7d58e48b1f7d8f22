"""Answers kept for reuse: a bounded map shared by a process's threads, the oldest dropped first.

Used where a search's hits are worked out again on every page of the same search (snippets, the
cue a hit opens at); the key must hold everything the answer depends on, the text as this viewer
reads it included, so that an answer made for one reader is never given to another who may see less.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

MISSING = object()


class Kept:
    """At most `most` answers, the least recently used dropped first."""

    def __init__(self, most: int):
        self.most = most
        self._answers: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The answer kept for `key`, or MISSING."""
        with self._lock:
            if key not in self._answers:
                return MISSING
            self._answers.move_to_end(key)
            return self._answers[key]

    def put(self, key, answer) -> None:
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self.most:
                self._answers.popitem(last=False)
