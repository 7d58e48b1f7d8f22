"""The search layer: a person's search (query + filters) answered from the index and the store.

It owns what neither the index nor the store knows alone: reading the request's parameters,
expanding a named person, event or place to its variants and its id (the names are in the store,
the words in the index), resolving `person=`/`event=`/`place=` filters given by id or name, labelling
facet values, snippets of the shown page and the "Did you mean" suggestion. Flask-free: views hand
it plain dicts of arguments and render what it returns.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import cuehits, dates, didyoumean, highlight, querysyntax, store
from .access import Viewer
from .budget import Budget
from .index import FACETS, Filters, Index
from .kept import MISSING, Kept
from .messages import N_, Text
from .names import name_key, slug

SORTS = ("relevance", "date", "-date", "title")
FILTER_FIELDS = {name: field_ for field_, name in FACETS.items()}  # URL parameter -> index field
JSON_FACETS = ("type", "language", "person", "event", "place", "decade", "subject", "collection", "access")
LABELLED = ("subject", "collection")  # filters and facets by slug (`names.slug`), named from the store
MAX_NGRAM = 6


MAX_QUERY = 1000  # characters; a longer query is cut, with a note
_passages = Kept(4096)  # hits' snippets, for the next page of the same search (a few hundred bytes each)
PARTIAL = N_("The search ran out of time: these are the results it found in time (some words, "
             "marks or counts may be missing).")
MARKS_CUT = N_("The time ran out before every match was marked: the marks stop part-way through the "
              "text.")
BUSY = N_("Other searches with patterns, fuzzy words or phrases were running, and this one found no "
          "time to run: try it again in a moment.")
NARROWED = N_("A word with * or ~ stands for many words here: the commonest and closest were searched.")


@dataclass
class Params:
    q: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    filters: dict[str, list[str]] = field(default_factory=dict)  # parameter -> values as given
    date_from: str = ""
    date_to: str = ""
    cut: bool = False  # the query was longer than MAX_QUERY and was cut

    @classmethod
    def from_args(cls, args, per_page: int, max_per_page: int) -> "Params":
        """From request arguments (a MultiDict); bad numbers raise ValueError."""
        def number(name, default, highest=None):
            raw = (args.get(name) or "").strip()
            if not raw:
                return default
            if not raw.isdigit():
                raise ValueError({"page": Text("page must be a whole number"),
                                  "per_page": Text("per_page must be a whole number")}[name])
            return min(max(1, int(raw)), highest) if highest else max(1, int(raw))
        sort = args.get("sort", "relevance")
        q = args.get("q") or ""
        return cls(q=q[:MAX_QUERY], cut=len(q) > MAX_QUERY, sort=sort if sort in SORTS else "relevance",
                   page=number("page", 1), per_page=number("per_page", per_page, max_per_page),
                   filters={k: _filter_values(k, args.getlist(k)) for k in FILTER_FIELDS
                            if _filter_values(k, args.getlist(k))},
                   date_from=(args.get("from") or "").strip()[:40],
                   date_to=(args.get("to") or "").strip()[:40])

    def args(self, **change) -> dict:
        """The parameters as URL arguments (for links that keep every parameter), with changes."""
        out: dict = {"q": self.q or None, "sort": None if self.sort == "relevance" else self.sort,
                     "from": self.date_from or None, "to": self.date_to or None,
                     "per_page": None, **{k: list(v) for k, v in self.filters.items()}}
        if self.per_page != 20:
            out["per_page"] = self.per_page
        out.update(change)
        return {k: v for k, v in out.items() if v not in (None, "", [])}

    def without(self, name: str, value: str | None = None) -> dict:
        """Arguments with a filter (or one of its values) removed, back on page 1."""
        if name in ("from", "to"):
            return self.args(**{name: None})
        values = [v for v in self.filters.get(name, []) if value is not None and v != value]
        return self.args(**{name: values})

    def adding(self, name: str, value: str) -> dict:
        values = self.filters.get(name, [])
        return self.args(**{name: values if value in values else [*values, value]})


def _filter_values(name: str, given: list[str]) -> list[str]:
    """The values of one filter as given (a subject or collection by its slug), at most 20."""
    values = [v for v in given if v.strip()][:20]
    if name in LABELLED:
        values = list(dict.fromkeys(filter(None, map(slug, values))))
    return values


@dataclass
class Page:
    params: Params
    total: int = 0
    hits: list[dict] = field(default_factory=list)
    facets: dict[str, list[dict]] = field(default_factory=dict)
    suggestion: str | None = None
    notes: list[str] = field(default_factory=list)  # how the query and filters were read
    active: list[dict] = field(default_factory=list)  # filters in force, with labels
    phrases: list[list[str]] = field(default_factory=list)
    partial: bool = False  # the time ran out before every step was done

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.params.per_page))


# --- names: a query naming a known authority searches all its names and its id ----------------------

def _plain(token: str) -> bool:
    return (token not in ("(", ")") and token not in querysyntax.OPERATORS and ":" not in token
            and not token.startswith(("-", "+", '"')) and not token.endswith(("*", "~")))


def expand_names(db, viewer: Viewer, query: str) -> tuple[str, list[dict], list[list[str]]]:
    """The query with each known name replaced by (its words OR its id OR its other names). A name
    given with its field (`person:"…"`) asks for the records linking it: (its words in that field
    OR its id), without its other names' words.

    Returns the new query, the authorities found and the other names (for highlighting them).
    """
    tokens = querysyntax.query_tokens(query)
    candidates: dict[str, None] = {}
    for i, token in enumerate(tokens):
        if token.startswith('"') and token.endswith('"') and len(token) > 2:
            candidates[name_key(token.strip('"'))] = None
        field_, sep, value = token.partition(":")
        if sep and field_.lower() in querysyntax.ID_FIELDS and value.strip('"'):
            candidates[name_key(value.strip('"'))] = None
        for n in range(1, MAX_NGRAM + 1):
            words = tokens[i:i + n]
            if len(words) < n or not all(_plain(w) for w in words):
                break
            candidates[name_key("".join(words))] = None
    candidates.pop("", None)
    if not candidates:
        return query, [], []
    by_key: dict[str, list[dict]] = {}
    for row in store.visible_names_for_keys(db, candidates, viewer):
        by_key.setdefault(row["key"], []).append(row)
    if not by_key:
        return query, [], []
    found, others, out, i = [], [], [], 0

    def group(original: str, rows: list[dict]) -> str:
        parts = [original]
        named = ":" in original and not original.startswith('"')  # `person:"…"`: links only
        words = original.partition(":")[2] if named else original
        others.append(words.replace('"', " ").replace("(", " ").replace(")", " ").split())
        for row in rows:
            found.append(row)
            parts.append(f'{querysyntax.ID_FIELDS[row["kind"]]}:"{row["entity_id"]}"')
            for name in store.entity_index_names(db, row["kind"], row["entity_id"]):
                clean = name.replace('"', " ").strip()
                if clean and name_key(clean) != row["key"]:
                    if not named:  # the other names as words, wherever a record says them
                        parts.append(f'"{clean}"')
                    others.append(clean.split())
        return "(" + " OR ".join(dict.fromkeys(parts)) + ")"

    while i < len(tokens):
        token = tokens[i]
        field_, sep, value = token.partition(":")
        if token.startswith('"') and name_key(token.strip('"')) in by_key:
            out.append(group(token, by_key[name_key(token.strip('"'))]))
            i += 1
            continue
        if sep and field_.lower() in querysyntax.ID_FIELDS and name_key(value.strip('"')) in by_key:
            rows = [r for r in by_key[name_key(value.strip('"'))] if r["kind"] == field_.lower()]
            out.append(group(token, rows) if rows else token)
            i += 1
            continue
        for n in range(MAX_NGRAM, 0, -1):
            words = tokens[i:i + n]
            if len(words) == n and all(_plain(w) for w in words) and name_key("".join(words)) in by_key:
                out.append(group("(" + " ".join(words) + ")" if n > 1 else words[0],
                                 by_key[name_key("".join(words))]))
                i += n
                break
        else:
            out.append(token)
            i += 1
    return " ".join(out), found, others


def resolve(db, kind: str, value: str, viewer: Viewer) -> str | None:
    """The id of an authority given by id or by one of its names, among those the viewer may see
    (None when unknown): the one lookup of search filters and the editor's forms alike."""
    if store.get_entity(db, kind, value, viewer) is not None:
        return value
    return store.find_by_name(db, kind, value, viewer)


# --- the search ------------------------------------------------------------------------------------

@dataclass
class Prepared:
    """A search made ready for the index: the query string with names expanded, and the filters."""
    query: str
    filters: Filters
    notes: list[str]
    active: list[dict]
    phrases: list[list[str]]  # words to mark, besides those the index expands


def prepare(db, viewer: Viewer, params: Params) -> Prepared:
    """Resolve filters (ids or names, dates) and expand the names a query mentions."""
    notes: list[str] = []
    if params.cut:
        notes.append(Text("The query was too long: only its first %(count)s characters were searched.",
                          count=MAX_QUERY))
    active: list[dict] = []
    filters = Filters()
    named = {name: store.label_names(db, name, viewer) for name in LABELLED if name in params.filters}
    for name, values in params.filters.items():
        wanted = []
        for value in values:
            label = value
            if name in ("person", "event", "place"):
                resolved = resolve(db, name, value, viewer)
                if resolved is None:
                    notes.append({"person": Text("No person called “%(name)s”.", name=value),
                                  "event": Text("No event called “%(name)s”.", name=value),
                                  "place": Text("No place called “%(name)s”.", name=value)}[name])
                    resolved = "\x00unknown"  # matches nothing: the filter still narrows
                else:
                    label = store.entity_labels(db, name, [resolved]).get(resolved, value)
                wanted.append(resolved)
            elif name in LABELLED:
                label = named[name].get(value, value)
                wanted.append(value)
            elif name in ("type", "language", "access"):
                wanted.append(value.strip().lower())
            else:
                wanted.append(value.strip())
            active.append({"name": name, "value": value, "label": label,
                           "remove": params.without(name, value)})
        filters.values[FILTER_FIELDS[name]] = wanted
    _date_filters(params, filters, notes, active)
    clean, hint = querysyntax.sanitize(params.q)
    if hint:
        notes.append(hint)
    expanded, _, others = expand_names(db, viewer, clean) if clean.strip() else (clean, [], [])
    return Prepared(expanded, filters, notes, active, _marking(clean, others))


def _date_filters(params: Params, filters: Filters, notes: list[str], active: list[dict]) -> None:
    """`from` and `to` as days, read as people type them ("April 1975", "17/04/1975"), saying how
    they were read; a range typed back to front is turned round, with a note."""
    read = {}
    for name, raw in (("from", params.date_from), ("to", params.date_to)):
        if not raw:
            continue
        try:
            read[name] = dates.read_typed(raw)
        except dates.DateError:
            notes.append(Text("“%(date)s” is not a date this archive understands (try 1975, April 1975, "
                              "17/04/1975 or 1975-1979); the from filter was left out.", date=raw)
                         if name == "from" else
                         Text("“%(date)s” is not a date this archive understands (try 1975, April 1975, "
                              "17/04/1975 or 1975-1979); the to filter was left out.", date=raw))
            continue
        worded = dates.Worded(read[name].words, read[name].edtf)
        if read[name].changed:
            notes.append(Text("“%(typed)s” was read as %(date)s.", typed=raw, date=worded))
        active.append({"name": name, "value": raw,
                       "label": Text("from %(date)s", date=worded) if name == "from" else
                       Text("to %(date)s", date=worded),
                       "remove": params.without(name)})
    first, last = read.get("from"), read.get("to")
    if first and last and dates.bounds(first.edtf).lo > dates.bounds(last.edtf).hi:
        notes.append(Text("“From” (%(start)s) was after “To” (%(end)s): the two were swapped.",
                          start=params.date_from, end=params.date_to))
        first, last = last, first
    if first:
        filters.date_from = dates.bounds(first.edtf).lo
    if last:
        filters.date_to = dates.bounds(last.edtf).hi


def _marking(clean: str, names: list[list[str]]) -> list[list[str]]:
    """The query's words and the names it matched; a word of a matched name is marked only within it
    (`Kim Sokha` marks "Kem Sokha" and "Kim Sokha", not every "Kim")."""
    inside = {w.casefold() for name in names for w in name}
    own = [p for p in highlight.query_phrases(clean) if not (len(p) == 1 and p[0].casefold() in inside)]
    return own + names


def highlight_phrases(db, index: Index, viewer: Viewer, q: str,
                      budget: Budget | None = None) -> list[list[str]]:
    """The words a record page marks for a query (with the other names of a named authority and
    the words a `word*` or `word~` stands for)."""
    clean, _ = querysyntax.sanitize(q)
    _, _, others = expand_names(db, viewer, clean)
    expanded = ([[t] for t in index.expanded_terms(clean, budget, viewer)] if any(c in clean for c in "*~")
                else [])
    return _marking(clean, others) + expanded


def run(db, index: Index, viewer: Viewer, params: Params, facets: bool = True,
        snippets: bool = True, suggest: bool = True, budget: Budget | None = None) -> Page:
    """Answer a search: hits of the page (with snippets), exact total, facets, suggestion.

    Every step looks at the `budget` (2 seconds unless given); when it runs out, the page has what
    was found in time, says so in a note, and is marked `partial`.
    """
    budget = budget or Budget()
    ready = prepare(db, viewer, params)
    with index.taking_turns(ready.query, budget) as turn:  # a costly search's snippets take its turn too
        if not turn:  # its time went in waiting for the costly searches before it
            return Page(params, notes=[*ready.notes, BUSY], active=ready.active, partial=True)
        return _answer(db, index, viewer, params, ready, facets, snippets, suggest, budget)


def _answer(db, index: Index, viewer: Viewer, params: Params, ready: Prepared, facets: bool,
            snippets: bool, suggest: bool, budget: Budget) -> Page:
    page = Page(params, notes=ready.notes, active=ready.active)
    results = index.search(ready.query, viewer, page=params.page, per_page=params.per_page,
                           sort=params.sort, filters=ready.filters, facets=facets, budget=budget)
    if results.hint and not ready.notes:
        page.notes.append(results.hint)
    if results.narrowed:
        page.notes.append(NARROWED)
    page.total = results.total
    page.phrases = ready.phrases + [[t] for t in results.terms]
    rows = store.records_by_ids(db, results.ids, viewer)
    people = store.people_of(db, [row["id"] for row in rows])
    for row in rows:
        page.hits.append(hit(row, people[row["id"]], page.phrases if snippets else [],
                             results.scores.get(row["id"]), budget))
    if facets:
        page.facets = label_facets(db, results.facets, viewer)
        if not viewer.signed_in:  # a visitor sees public records only: one value says nothing
            page.facets.pop("access", None)
    if suggest and params.q.strip() and results.total == 0:
        page.suggestion = didyoumean.suggest(db, index, viewer, querysyntax.sanitize(params.q)[0],
                                             budget, lambda q: _finds(db, index, viewer, params, q, budget))
    if budget.cut:
        page.partial = True
        page.notes.append(PARTIAL)
    return page


def _finds(db, index: Index, viewer: Viewer, params: Params, q: str, budget: Budget) -> bool:
    """Whether the search with another query (same filters) finds records in time (a suggestion)."""
    ready = prepare(db, viewer, replace(params, q=q, page=1, cut=False))
    results = index.search(ready.query, viewer, per_page=1, filters=ready.filters, budget=budget)
    return results.total > 0 and not results.partial


def matching_ids(db, index: Index, viewer: Viewer, params: Params):
    """Every record id a search matches, in its order (for taking a result set away)."""
    ready = prepare(db, viewer, params)
    return index.matching_ids(ready.query, viewer, filters=ready.filters, sort=params.sort)


def hit(row: dict, people: list[dict], phrases: list[list[str]], score: float | None,
        budget: Budget | None = None) -> dict:
    """What a result shows: title, type, date, people, snippet and the passage's anchor (the
    snippet is the text's start, unmarked, when the budget has run out)."""
    text_snippet, number, words = _passage(row, phrases, budget)
    found = {"id": row["id"], "title": row["title"], "type": row["type"], "date": row["date"],
             "period": row["period"], "people": people, "snippet": text_snippet,
             "access": row["access"], "embargo_until": row["embargo_until"],
             "title_marked": highlight.mark_paragraphs([row["title"]], phrases)[0],
             "anchor": f"p{number}" if number else None, "media": None, "time": None,
             "score": round(score, 4) if score is not None else None}
    if phrases and row.get("media") not in (None, "", "[]"):
        found.update(cuehits.best_cue(row, phrases, words, budget) or {})
    return found


def _passage(row: dict, phrases: list[list[str]], budget: Budget | None) -> tuple:
    """The hit's snippet, its paragraph number and the words it matched: the best passage of the
    text, else the summary's start. Kept for the next page of the same search (keyed by the text
    and summary as this viewer reads them), unless cut short by the budget."""
    key = (row["id"], hash(row["text"]), hash(row["summary"]), tuple(map(tuple, phrases)))
    answer = _passages.get(key)
    if answer is MISSING:
        answer = highlight.passage(highlight.paragraphs(row["text"]), phrases, budget=budget)
        if answer[1] is None and row["summary"]:
            answer = (highlight.snippet([row["summary"]], phrases, budget=budget)[0], None, answer[2])
        if budget is None or not budget.cut:
            _passages.put(key, answer)
    return answer


def label_facets(db, counts: dict[str, list[tuple[str, int]]], viewer: Viewer) -> dict[str, list[dict]]:
    """Facet values with counts, and the names of people, events and places (kept as ids) and of
    subjects and collections (kept as slugs)."""
    out = {}
    for name, pairs in counts.items():
        if name == "decade":  # decades read best in time order
            pairs = sorted(pairs, key=lambda vc: int(vc[0].rstrip("s")))
        kind = name if name in ("person", "event", "place") else None
        labelled = kind or name in LABELLED
        labels = (store.entity_labels(db, kind, [v for v, _ in pairs]) if kind
                  else store.label_names(db, name, viewer) if labelled and pairs else {})
        items = []
        for value, count in pairs:
            item = {"value": value, "count": count}
            if labelled:
                item["label"] = labels.get(value, value)
            items.append(item)
        out[name] = items
    return out
