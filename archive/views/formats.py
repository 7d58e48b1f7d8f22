"""Blueprint `formats`: records in the formats others speak, over HTTP.

The JSON-LD context, one record (or person, event, place) as JSON-LD, a record as RIS, and the
streamed exports (`/export.json`, `/export.csv`, `/export.jsonld`, each optionally limited to the
records of a search, given with the parameters of `/search`). Everything is limited to what the viewer may see; the
writers live in `export.py` and the vocabulary in `crosswalk.py`.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .. import cite, crosswalk, export, finder, kinds
from .common import (base_url, download, entity_or_404, export_name, external_url, get_archive, get_db,
                     get_index, get_viewer, record_or_404, search_params)

bp = Blueprint("formats", __name__)


@bp.get("/schema/context.jsonld")
def context():
    response = jsonify(crosswalk.context())
    response.mimetype = "application/ld+json"
    return response


@bp.get("/records/<record_id>.jsonld")
def record_jsonld(record_id: str):
    record = record_or_404(record_id, "jsonld")
    document = {"@context": external_url("formats.context"), **crosswalk.record_jsonld(record, base())}
    response = jsonify(document)
    response.mimetype = "application/ld+json"
    return response


@bp.get("/records/<record_id>.ris")
def record_ris(record_id: str):
    """The record as a RIS citation, for Zotero, EndNote and Mendeley. :raise 404: when hidden"""
    record = record_or_404(record_id, "ris")
    permalink = external_url("public.record_page", record_id=record["id"])
    return Response(cite.ris(record, permalink, get_archive().clock.date()),
                    content_type="application/x-research-info-systems; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{record["id"]}.ris"'})


@bp.get("/<any(people, events, places):plural>/<entity_id>.jsonld")
def entity_jsonld(plural: str, entity_id: str):
    entity = entity_or_404(kinds.by_plural(plural).name, entity_id)
    document = {"@context": external_url("formats.context"), **crosswalk.entity_jsonld(entity, base())}
    response = jsonify(document)
    response.mimetype = "application/ld+json"
    return response


def base() -> str:
    """The archive's own address (BASE_URL), for the @id of every node."""
    return base_url()


def streamed_export(fmt: str) -> Response:
    """Everything the viewer may see, or the records of a search (`q` and the filters of
    `/search`, every page, in the search's order), streamed in `fmt`."""
    viewer = get_viewer()
    params = search_params()
    selecting = bool(params.q.strip() or params.filters or params.date_from or params.date_to)
    ids = finder.matching_ids(get_db(), get_index(), viewer, params) if selecting else None
    jsonld = {"base": base(), "context": external_url("formats.context")} if fmt == "jsonld" else {}

    def objects(db):
        if selecting:
            return export.records_by_ids(db, ids, viewer)
        if fmt == "csv":
            return export.iter_records(db, viewer)
        return export.iter_objects(db, viewer)

    return download(objects, lambda objs: export.chunks(fmt, objs, **jsonld), export.MIMETYPES[fmt],
                    export_name(params if selecting else None, fmt))


@bp.get("/export.<any(json, csv, jsonld):fmt>")
def export_file(fmt: str):
    return streamed_export(fmt)
