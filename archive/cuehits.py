"""Which cue of a record's transcripts a search hit opens at (docs/search.md, "Transcripts and segments").

A hit whose best passage is a cue carries `media` and `time`, and its snippet is that cue. Finding the
cue reads the record's transcripts (JSON of every cue, a megabyte for a two-hour interview) and marks
the query's words in them, for each of a page's hits; the answer is kept, keyed by the record, the
transcripts as this viewer reads them (a redacted copy differs) and the query, so that paging, sorting
and choosing facets do not read them again. Answers cut short by the search's time budget are not kept.
"""
from __future__ import annotations

from . import fields, highlight
from .kept import MISSING, Kept

_kept = Kept(2048)  # answers (a few hundred bytes each)


def best_cue(row: dict, phrases: list[list[str]], words: int, budget) -> dict | None:
    """What the hit of this row takes from its best cue (`snippet`, `media`, `time`, `media_param`,
    `anchor`), or None when no cue matches at least `words` of the query's words (the text's best
    passage does as well) or the time is up."""
    if budget is not None and budget.over():
        return None
    key = (row["id"], hash(row["media"]), tuple(map(tuple, phrases)), words)
    answer = _kept.get(key)
    if answer is MISSING:
        answer = _find(fields.FIELDS["media"].shape.from_column(row["media"]), phrases, words, budget)
        if budget is None or not budget.cut:
            _kept.put(key, answer)
    return answer


def _find(files: list[dict], phrases: list[list[str]], words: int, budget) -> dict | None:
    cues = [(m["id"], c) for m in files for c in m.get("transcript") or []]
    if not cues:
        return None
    marked, number, matched = highlight.passage([c["text"] for _, c in cues], phrases, budget=budget)
    if number is None or matched < words:
        return None
    mid, cue = cues[number - 1]
    first = next((m["id"] for m in files if m.get("kind") in ("audio", "video")), None)
    return {"snippet": marked, "media": mid, "time": cue["start"], "anchor": None,
            "media_param": None if mid == first else mid}  # `?t=` alone plays the first recording
