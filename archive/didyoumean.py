""""Did you mean …": a spelling of a search that found nothing, taken from the archive's own names.

docs/search.md, "Did you mean". The query's runs of words (the whole query first, then shorter runs)
are compared with the names and variants of the authorities the viewer may see, and with the runs of
words inside them ("Khmer Rogue" → "Khmer Rouge", from the event "Khmer Rouge regime"), under the name
key (case, accents, spaces and punctuation ignored: `names.name_key`) and an edit distance that grows
with the length. The words left over are corrected from the index words of the viewer's records
(`Index.suggest`; short words are left alone). A suggestion is offered only when it finds records for
this viewer with the same filters, counted within the search's budget; so it is never built from
what only hidden records hold. Flask-free.
"""
from __future__ import annotations

from collections.abc import Callable

from . import querysyntax, store
from .access import Viewer
from .budget import Budget
from .names import allowed_edits, edits, name_key

MAX_RUN = 6  # words in one run of the query compared with a name
MAX_NAME_WORDS = 8  # names longer than this are compared whole, not run by run
COUNTED = 3  # suggestions whose records are counted before giving up


def name_phrases(db, viewer: Viewer) -> dict[str, str]:
    """Name key → the words as written, for every name and variant of the authorities the viewer may
    see and every run of two or more of their words (a primary name wins over a variant's run)."""
    found: dict[str, tuple[int, str]] = {}
    for row in store.authority_names(db, viewer):
        name, rank = row["matched"].strip(), 0 if row["matched"] == row["name"] else 1
        words = name.replace(",", " ").split()
        runs = [(name, rank)]
        if 2 < len(words) <= MAX_NAME_WORDS:
            runs += [(" ".join(words[i:j]), rank + 2) for i in range(len(words))
                     for j in range(i + 2, len(words) + 1) if (i, j) != (0, len(words))]
        for text, r in runs:
            key = name_key(text)
            if key and (key not in found or r < found[key][0]):
                found[key] = (r, text)
    return {key: text for key, (_, text) in found.items()}


def _nearest(key: str, phrases: dict[str, str], budget: Budget) -> str | None:
    most = allowed_edits(key)
    if not most:
        return None
    best = None
    for i, (other, text) in enumerate(phrases.items()):
        if i % 500 == 0 and budget.over():
            return None
        if abs(len(other) - len(key)) > most or other == key:
            continue
        distance = edits(key, other)
        if distance <= most and (best is None or distance < best[0]):
            best = (distance, text)
    return best[1] if best else None


def from_names(tokens: list[str], phrases: dict[str, str], budget: Budget,
               unseen: frozenset = frozenset()) -> list[str] | None:
    """The tokens with each run of plain words near a name replaced by the name (longest runs first,
    left to right); None when no run is near one. A single word is replaced only when it is `unseen`
    (no record of the viewer's holds it): "parks" stays "parks" though it is near "Paris"."""
    out, i, changed = [], 0, False
    while i < len(tokens):
        for n in range(min(MAX_RUN, len(tokens) - i), 0, -1):
            words = tokens[i:i + n]
            if not all(w.isalpha() or _wordish(w) for w in words):
                continue
            key = name_key("".join(words))
            if key in phrases:  # already a name: kept as typed
                out.extend(words)
                i += n
                break
            near = _nearest(key, phrases, budget) if n > 1 or words[0].casefold() in unseen else None
            if near:
                out.append(near)
                i += n
                changed = True
                break
        else:
            out.append(tokens[i])
            i += 1
    return out if changed else None


def _wordish(token: str) -> bool:
    return (token not in querysyntax.OPERATORS and token not in ("(", ")") and ":" not in token
            and not token.startswith(("-", "+", '"')) and not token.endswith(("*", "~"))
            and any(ch.isalpha() for ch in token))


def suggest(db, index, viewer: Viewer, text: str, budget: Budget,
            finds: Callable[[str], bool]) -> str | None:
    """A query near `text` for which `finds` (the search with the same filters, for this viewer,
    within the budget) finds records, or None."""
    tokens = querysyntax.query_tokens(text)
    if not tokens or budget.over():
        return None
    unseen = index.unseen_words([t.casefold() for t in tokens if t.isalpha()], viewer)
    named = from_names(tokens, name_phrases(db, viewer), budget, unseen)
    tried = []
    if named:
        joined = " ".join(named)
        tried += [index.suggest(joined, viewer, budget) or joined, joined]
    tried.append(index.suggest(text, viewer, budget))
    seen = {" ".join(text.split()).casefold()}
    counted = 0
    for candidate in tried:
        if not candidate or " ".join(candidate.split()).casefold() in seen:
            continue
        seen.add(" ".join(candidate.split()).casefold())
        if counted == COUNTED or budget.over():
            return None
        counted += 1
        if finds(candidate):
            return candidate
    return None
