"""Blueprint `formats`: records in the formats others speak, over HTTP.

The JSON-LD context, one record (or person, event, place) as JSON-LD, and the streamed exports (`/export.json`, `/export.csv`,
`/export.jsonld`, each optionally limited to the records of a search with `?q=`). Everything is limited
to what the viewer may see; the writers live in `export.py` and the vocabulary in `crosswalk.py`.
"""
from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for

from . import crosswalk, db as store, export
from .access import Viewer
from .web import get_db, get_index, get_viewer, visible_record_or_404

bp = Blueprint("formats", __name__)

SEARCH_PAGE = 100  # ids fetched from the index per step of a `?q=` export


@bp.get("/schema/context.jsonld")
def context():
    response = jsonify(crosswalk.context())
    response.mimetype = "application/ld+json"
    return response


@bp.get("/records/<record_id>.jsonld")
def record_jsonld(record_id: str):
    record = visible_record_or_404(record_id, "jsonld")
    document = {"@context": url_for(".context", _external=True), **crosswalk.record_jsonld(record, base())}
    response = jsonify(document)
    response.mimetype = "application/ld+json"
    return response


@bp.get("/<any(people, events, places):plural>/<entity_id>.jsonld")
def entity_jsonld(plural: str, entity_id: str):
    kind = {"people": "person", "events": "event", "places": "place"}[plural]
    entity = store.get_entity(get_db(), kind, entity_id, get_viewer())
    if entity is None:
        abort(404, f"No {kind} {entity_id}.")
    document = {"@context": url_for(".context", _external=True), **crosswalk.entity_jsonld(entity, base())}
    response = jsonify(document)
    response.mimetype = "application/ld+json"
    return response


def base() -> str:
    """The archive's own address, for the @id of every node."""
    return request.url_root


def search_ids(index, q: str, viewer: Viewer) -> Iterator[str]:
    """Every record id matching a search, best first, a page at a time."""
    page = 1
    while True:
        results = index.search(q, viewer, page=page, per_page=SEARCH_PAGE)
        yield from results.ids
        if page * SEARCH_PAGE >= results.total or not results.ids:
            return
        page += 1


def streamed_export(fmt: str) -> Response:
    """Everything the viewer may see, or the records of the search `q`, streamed in `fmt`.

    The generator opens its own connection, which outlives the request's.
    """
    viewer, path, index = get_viewer(), current_app.config["DATABASE"], get_index()
    q = request.args.get("q", "")[:1000].strip()
    jsonld = {"base": base(), "context": url_for(".context", _external=True)} if fmt == "jsonld" else {}

    def objects(db):
        if q:
            return export.records_by_ids(db, search_ids(index, q, viewer), viewer)
        if fmt == "csv":
            return export.iter_records(db, viewer)
        return export.iter_objects(db, viewer)

    def generate():
        db = store.connect(path)
        try:
            yield from export.chunks(fmt, objects(db), **jsonld)
        finally:
            db.close()

    name = "archive-search" if q else "archive"
    return Response(generate(), mimetype=export.MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@bp.get("/export.<any(json, csv, jsonld):fmt>")
def export_file(fmt: str):
    return streamed_export(fmt)
