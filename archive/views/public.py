"""Blueprint `public`: the pages and JSON anyone may read (within what their role allows).

Home, search, records, people, events and places, the timeline, the JSON Schemas and the full export.
Views reach the store and the index only through `common.get_db()` / `common.get_index()` and never
write. Templates: `templates/public/`.
"""
from __future__ import annotations

import unicodedata
from itertools import groupby

from flask import Blueprint, jsonify, render_template, request

from .. import cite, export, finder, highlight, kinds, redaction, store, timeline, validation
from ..i18n import translate
from ..messages import N_
from ..redaction_form import RedactionForm, recording_choices
from . import recordings
from .common import (download, entity_or_404, export_name, external_url, get_archive, get_db, get_index,
                     get_viewer, record_or_404, search_budget, search_params)

bp = Blueprint("public", __name__)


# --- helpers ---------------------------------------------------------------------------------------

paragraphs = highlight.paragraphs  # blank lines separate paragraphs


def cards(rows: list[dict], db) -> list[dict]:
    """What a list of records shows of each one."""
    people = store.people_of(db, [row["id"] for row in rows])

    def excerpt(row: dict) -> str:
        text = row["summary"] or row["text"] or ""
        return text[:280] + ("…" if len(text) > 280 else "")
    return [{"id": row["id"], "title": row["title"], "type": row["type"], "date": row["date"],
             "people": people[row["id"]], "excerpt": excerpt(row)} for row in rows]


# --- pages -----------------------------------------------------------------------------------------

@bp.get("/")
def home():
    db, viewer = get_db(), get_viewer()
    counts = {"records": store.count_records(db, viewer),
              **{kind.plural: store.count_entities(db, kind.name, viewer) for kind in kinds.AUTHORITIES}}
    newest = cards(store.newest_records(db, viewer, 10), db)
    picture = timeline.picture(store.records_per_year(db, viewer), store.dated_events(db, viewer))
    return render_template("public/index.html", counts=counts, newest=newest, timeline=picture)


@bp.get("/search")
def search_page():
    budget, params = search_budget(), search_params()
    result = finder.run(get_db(), get_index(), get_viewer(), params, budget=budget)
    return render_template("public/search.html", q=params.q, params=params, result=result,
                           facet_names=FACET_TITLES)


# Facet titles, translated on the page (`tr`); the kinds' plural labels are marked in kinds.py.
FACET_TITLES = {"type": N_("Type"), "language": N_("Language"),
                **{kind.name: kind.plural_label for kind in kinds.AUTHORITIES},
                "decade": N_("Decade"), "collection": N_("Collection"), "subject": N_("Subject"),
                "access": N_("Access")}


@bp.get("/search.json")
def search_json():
    budget, params = search_budget(), search_params()
    result = finder.run(get_db(), get_index(), get_viewer(), params, budget=budget)
    hits = [{"id": h["id"], "title": h["title"], "type": h["type"], "date": h["date"],
             "snippet": str(h["snippet"]), "score": h["score"],
             **({"media": h["media"], "time": h["time"]} if h["media"] else {})} for h in result.hits]
    answer = {"total": result.total, "page": params.page, "per_page": params.per_page, "hits": hits,
              "facets": {k: result.facets.get(k, []) for k in finder.JSON_FACETS
                         if k in result.facets or k != "access"},  # access: for those who see more
              "suggestion": result.suggestion}
    if result.partial:  # only when the time ran out
        answer["partial"] = True
    return jsonify(answer)


@bp.get("/records/<record_id>")
def record_page(record_id: str):
    if get_viewer().can_edit and store.deleted_record_row(get_db(), record_id):
        return deleted_page(record_id)
    record = record_or_404(record_id, "page")
    q, budget = request.args.get("q", "")[:finder.MAX_QUERY], search_budget()
    phrases = finder.highlight_phrases(get_db(), get_index(), get_viewer(), q, budget) if q.strip() else []
    # the passages this viewer reads that others may not, marked in place (redaction_marks)
    shown = [r for r in record["redactions"] if redaction.is_span(r) and redaction.active(r, get_archive().clock.today())]
    pairs = redaction.marked_paragraphs(record["text"], shown)
    starts = [start for start, _ in pairs]
    paras = highlight.mark_paragraphs([para for _, para in pairs], phrases, budget)
    permalink = external_url("public.record_page", record_id=record["id"])
    accessed = get_archive().clock.date()
    form = time_form = None
    if get_viewer().can_edit:
        form, time_form = RedactionForm(formdata=None), RedactionForm(formdata=None)
        form.base_revision.data = time_form.base_revision.data = str(record["revision"])
        time_form.media.choices = recording_choices(record)
    media = recordings.page_media(record)
    ranges = [r for r in record["redactions"] if "media" in r and redaction.active(r, get_archive().clock.today())]
    for m in media:
        m["marked"] = highlight.mark_paragraphs([c["text"] for c in m["transcript"]], phrases, budget)
        m["redacted"] = redaction.cues_in_ranges(m, ranges)  # those who may hear them see them marked
    return render_template("public/record.html", record=record, paragraphs=paras, q=q, starts=starts,
                           shown_redactions=shown, form=form, time_form=time_form,
                           recordings=media, start_at=start_moment(media),
                           marked=sum(p.count("<mark>") for p in paras), permalink=permalink,
                           marks_cut=finder.MARKS_CUT if budget.cut else None,
                           chicago=cite.chicago(record, permalink, accessed, translate),
                           bibtex=cite.bibtex(record, permalink, accessed),
                           citation_meta=cite.highwire(record, permalink))


def deleted_page(record_id: str):
    """What archivists see at a deleted record's address: who deleted it and when, its history and
    an Undo (others get the plain 404: a deleted record is no record to them)."""
    tombstone = store.deleted_record_row(get_db(), record_id)
    last = store.revisions(get_db(), "record", record_id)[-1]
    return render_template("editor/deleted.html", tombstone=tombstone, deleted_by=last["saved_by"]), 410


def start_moment(shown: list[dict]) -> dict | None:
    """The moment `?t=SECONDS` (of the file `?media=`, else the first recording) starts a player at."""
    try:
        t = float(request.args.get("t", ""))
    except ValueError:
        return None
    if not (0 <= t < 1e7):
        return None
    wanted = request.args.get("media")
    playable = [m["id"] for m in shown if m["kind"] in ("audio", "video")]
    mid = wanted if wanted in playable else (playable[0] if playable else None)
    return {"media": mid, "t": t} if mid else None


@bp.get("/records/<record_id>.json")
def record_json(record_id: str):
    record = record_or_404(record_id, "json")
    return jsonify(record)


def initial(name: str) -> str:
    """The letter a name is filed under: its first letter, Latin accents dropped (Khmer kept)."""
    for ch in name.strip():
        if ch.isalnum():
            base = unicodedata.normalize("NFKD", ch)[0]
            return base.upper() if base.isascii() else ch
    return "#"


@bp.get("/<any(people, events, places):plural>")
def entity_list(plural: str):
    kind = kinds.by_plural(plural).name
    everyone = sorted(store.entities_with_counts(get_db(), kind, get_viewer()),
                      key=lambda e: (e["name"].casefold(), e["id"]))
    for e in everyone:
        e["initial"] = initial(e["name"])
    initials = sorted({e["initial"] for e in everyone}, key=lambda c: (not c.isascii(), c))
    chosen = request.args.get("initial", "").strip()[:4]
    shown = [e for e in everyone if e["initial"] == chosen] if chosen else everyone
    return render_template("public/entities.html", plural=plural, kind=kind, entities=shown,
                           initials=initials, chosen=chosen, total=len(everyone))


@bp.get("/timeline")
def timeline_page():
    db, viewer = get_db(), get_viewer()
    return render_template("public/timeline.html", timeline=timeline.picture(
        store.records_per_year(db, viewer), store.dated_events(db, viewer)))


@bp.get("/<any(people, events, places):plural>/<entity_id>")
def entity_page(plural: str, entity_id: str):
    kind = kinds.by_plural(plural).name
    entity = entity_or_404(kind, entity_id)
    db = get_db()
    linked = store.entity_records(db, kind, entity_id, get_viewer())
    by_role = [(role, list(rows)) for role, rows in
               groupby(sorted(linked, key=lambda r: r["role"] or ""), key=lambda r: r["role"])]
    parent = store.get_entity(db, kind, entity["part_of"], get_viewer()) if entity.get("part_of") else None
    parts = store.sub_events(db, entity_id, get_viewer()) if kind == "event" else []
    return render_template("public/entity.html", kind=kind, plural=plural, entity=entity, by_role=by_role,
                           count=len(linked), parent=parent, parts=parts)


@bp.get("/<any(people, events, places):plural>/<entity_id>.json")
def entity_json(plural: str, entity_id: str):
    kind = kinds.by_plural(plural).name
    entity = entity_or_404(kind, entity_id)
    linked = store.entity_records(get_db(), kind, entity_id, get_viewer())
    return jsonify({**entity, "records": [{"id": r["id"], "title": r["title"], "role": r["role"]}
                                          for r in linked]})


@bp.get("/schema/<any(record, person, event, place):kind>.json")
def schema(kind: str):
    return jsonify(validation.SCHEMAS[kind])


@bp.get("/export.jsonl")
def export_jsonl():
    viewer = get_viewer()
    return download(lambda db: export.iter_objects(db, viewer), export.jsonl_chunks,
                    "application/x-ndjson", export_name(None, "jsonl"))
