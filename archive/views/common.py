"""What every view shares: the request's archive, connection, index and viewer, the guards, and
the helpers that fetch or fail (flaskr's `get_post`), stream a download and word a conflict.

Views reach the store and the index only through `get_db()` and `get_index()`. A helper that fails
raises an `ArchiveError` (errors.py) carrying its status; `views/errors.py` renders it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from functools import wraps
from urllib.parse import quote, urlsplit

from flask import Response, abort, current_app, g, redirect, request, session, url_for

from .. import accounts, finder, redaction, store
from ..access import ANONYMOUS, Viewer
from ..budget import Budget
from ..errors import BadRequest, Forbidden, NotFound, Unauthorized
from ..home import Archive
from ..messages import N_, Text
from ..names import slug
from .errors import wants_json



# --- the request's archive -------------------------------------------------------------------------

def get_archive() -> Archive:
    """The app's one Archive (settings, store, index, clock)."""
    return current_app.extensions["archive"]


def get_db():
    """The request's connection to the archive database."""
    if "db" not in g:
        g.db = get_archive().request_db()
    return g.db


def close_db(exc=None) -> None:
    database = g.pop("db", None)
    if database is not None:
        get_archive().request_done(database, failed=exc is not None)


def get_index():
    """The process's search index, shared by all threads (each search borrows its own searcher)."""
    return get_archive().index


def session_lifetime() -> float:
    """Seconds a sign-in lasts at most (setting SESSION_ABSOLUTE_LIFETIME)."""
    lifetime = current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    return lifetime.total_seconds() if isinstance(lifetime, timedelta) else float(lifetime)


def begin_request() -> None:
    """Count the request as plain work under way (`Archive.request_under_way`)."""
    g.under_way = get_archive().request_under_way()
    g.under_way.__enter__()


def end_request(exc=None) -> None:
    under_way = g.pop("under_way", None)
    if under_way is not None:
        under_way.__exit__(None, None, None)


def load_viewer() -> None:
    """The request's viewer, from the session the cookie names. A session that has ended (signed
    out, a new password, the account removed) or outlived SESSION_ABSOLUTE_LIFETIME is anonymous,
    and so is a cookie of an older version that named its user without a session key."""
    g.viewer = ANONYMOUS
    if not session.get("key") and "user" not in session:
        return
    key = session.get("key")
    viewer = accounts.session_viewer(get_db(), key, session_lifetime()) if isinstance(key, str) else None
    if viewer is None:
        session.clear()
    else:
        g.viewer = viewer


def get_viewer() -> Viewer:
    return g.get("viewer", ANONYMOUS)


# --- guards ----------------------------------------------------------------------------------------

def role_required(allowed, sign_in: str, only: str):
    """A view for some viewers only (`allowed(viewer)`): others are sent to sign in, or refused
    when signed in, with the messages `sign_in` and `only` (catalog ids)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            viewer = get_viewer()
            if not viewer.signed_in:
                if not wants_json():
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                raise Unauthorized(Text(sign_in))
            if not allowed(viewer):
                raise Forbidden(Text(only))
            return view(*args, **kwargs)
        return wrapped
    return decorator


# Archivists and admins: the archive's editors.
editor_required = role_required(lambda viewer: viewer.can_edit,
                                Text("Sign in as one of the archivists to do this."),
                                Text("Only archivists may do this."))
admin_required = role_required(lambda viewer: viewer.role == "admin",
                               Text("Sign in as one of the admins to do this."), Text("Only admins may do this."))


# --- fetch or fail ---------------------------------------------------------------------------------

def record_or_404(record_id: str, via: str | None = None) -> dict:
    """The record as this viewer may see it. Given `via` (how it is read: "page", "json", …), a
    view of a record that is not public is logged.

    :raise 404: when missing, deleted or not for this viewer (alike, so nothing is revealed).
    """
    db, viewer = get_db(), get_viewer()
    record = store.get_record(db, record_id, viewer)
    if record is None:
        raise NotFound(Text("Record %(id)s doesn't exist.", id=record_id))
    if via and not ANONYMOUS.may_see(record["access"], record["embargo_until"], record.get("consent")):
        store.log_view(db, record_id, viewer.username, viewer.role, request.remote_addr, via,
                       record["access"], get_archive().clock.now())
    elif via and redaction.seen_passages(record, viewer, get_archive().clock.today()):
        # a public record, but passages hidden from the public were read: logged alike
        store.log_view(db, record_id, viewer.username, viewer.role, request.remote_addr,
                       f"{via}+redacted", record["access"], get_archive().clock.now())
    return record


def entity_or_404(kind: str, entity_id: str) -> dict:
    """The person, event or place as this viewer may see it. An id merged into another leads a GET
    to the same address of the one kept (301), whatever the view: page, .json, .jsonld, edit.

    :raise 404: when missing or not for this viewer, for a merged id whose kept one this viewer may
        not see (alike, so the redirect reveals nothing), and for a merged id on any other method.
    """
    db, viewer = get_db(), get_viewer()
    entity = store.get_entity(db, kind, entity_id, viewer)
    if entity is not None:
        return entity
    target = store.redirect_target(db, kind, entity_id)
    if (target and request.method in ("GET", "HEAD")
            and store.get_entity(db, kind, target, viewer) is not None):
        abort(redirect(url_for(request.endpoint, **{**request.view_args, "entity_id": target}), 301))
    raise NotFound({"person": Text("No person %(id)s.", id=entity_id), "event": Text("No event %(id)s.", id=entity_id),
                    "place": Text("No place %(id)s.", id=entity_id)}.get(kind, Text("Not found.")))


# --- absolute addresses ----------------------------------------------------------------------------

def base_url() -> str:
    """The archive's public address, ending in `/` (setting BASE_URL): the one base of every
    absolute link. The request's Host header is never used, since anyone can set it."""
    return current_app.config["BASE_URL"].rstrip("/") + "/"


def external_url(endpoint: str, **values) -> str:
    """The absolute address of a view (`endpoint` in full: "public.record_page") at BASE_URL, for
    permalinks, citations, JSON-LD and OAI-PMH."""
    base = urlsplit(base_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path, url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def find_authority(kind: str, typed: str) -> str | None:
    """The id of the person, event or place the viewer typed, by id or by one of its names."""
    return finder.resolve(get_db(), kind, typed.strip(), get_viewer())


def search_budget() -> Budget:
    """The time this request's search, snippets and marks may take (setting SEARCH_SECONDS)."""
    return Budget(current_app.config["SEARCH_SECONDS"])


def search_params() -> finder.Params:
    """The search parameters of the request (`q`, filters, dates, sort, paging), read once.

    :raise 400: on a page or page size that is not a whole number.
    """
    config = current_app.config
    try:
        return finder.Params.from_args(request.args, config["RECORDS_PER_PAGE"], config["MAX_PER_PAGE"])
    except ValueError as exc:
        raise BadRequest(exc.args[0]) from None


# --- responses -------------------------------------------------------------------------------------

def download(objects_of: Callable[..., Iterable], chunks_of: Callable[[Iterable], Iterator[str]],
             mimetype: str, filename: str) -> Response:
    """A file streamed to the viewer: `objects_of(db)` read from a connection of the download's
    own (the request's closes before the stream ends), written out by `chunks_of(objects)`."""
    archive = get_archive()

    def generate():
        db = archive.connect()
        try:
            yield from chunks_of(objects_of(db))
        finally:
            db.close()

    # content_type, not mimetype: Werkzeug adds a charset to a text/ mimetype, even a second one
    return Response(generate(), content_type=mimetype,
                    headers={"Content-Disposition": attachment(filename)})


def attachment(filename: str) -> str:
    """A Content-Disposition for a download; a name beyond ASCII (a Khmer search) goes in
    `filename*` (RFC 6266), with an ASCII name for browsers that read only `filename`."""
    if filename.isascii():
        return f'attachment; filename="{filename}"'
    stem, _, ext = filename.rpartition(".")
    day = re.search(r"\d{4}-\d\d-\d\d$", stem)
    fallback = f"archive-search-{day[0]}.{ext}" if day else f"archive.{ext}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def export_name(params: finder.Params | None, ext: str) -> str:
    """A download's file name after its search and the day: `archive-kem-sokha-2026-03-05.csv`
    (`archive-2026-03-05.jsonl` for everything)."""
    words = []
    if params is not None:
        words = [params.q, *(v for values in params.filters.values() for v in values),
                 *(f"{name} {value}" for name, value in (("from", params.date_from), ("to", params.date_to))
                   if value)]
    about = slug(" ".join(words))[:60].strip("-")
    day = get_archive().clock.date().isoformat()
    return f"archive-{about}-{day}.{ext}" if about else f"archive-{day}.{ext}"


def saved_meanwhile(what: str, revision: int) -> Text:
    """The message of a form sent after someone else saved the same thing (409)."""
    return Text(SAVED_MEANWHILE[what], revision=revision)


SAVED_MEANWHILE = {
    "record": N_("Someone saved this record while you were editing it (now revision %(revision)s; see its "
                 "history). Your changes are kept here: check them and save again to replace that revision."),
    "person": N_("Someone saved this person while you were editing it (now revision %(revision)s; see its "
                 "history). Your changes are kept here: check them and save again to replace that revision."),
    "event": N_("Someone saved this event while you were editing it (now revision %(revision)s; see its "
                "history). Your changes are kept here: check them and save again to replace that revision."),
    "place": N_("Someone saved this place while you were editing it (now revision %(revision)s; see its "
                "history). Your changes are kept here: check them and save again to replace that revision."),
}

# The message of an edit form that did not say which revision it was made on (400).
NO_REVISION = {
    "record": N_("This form did not say which revision of the record it was editing, so nothing was saved. "
                 "Your changes are kept here: check them against revision %(revision)s and save again."),
    "person": N_("This form did not say which revision of the person it was editing, so nothing was saved. "
                 "Your changes are kept here: check them against revision %(revision)s and save again."),
    "event": N_("This form did not say which revision of the event it was editing, so nothing was saved. "
                "Your changes are kept here: check them against revision %(revision)s and save again."),
    "place": N_("This form did not say which revision of the place it was editing, so nothing was saved. "
                "Your changes are kept here: check them against revision %(revision)s and save again."),
}


def edit_refused(form, what: str, revision: int) -> int | None:
    """Whether an edit may replace `revision` (the last saved): None when the form says it was made
    on top of it; otherwise the form gets the message and that revision, and the status is returned.

    Every edit form sends the revision it was filled from (`base_revision`). One that does not say
    (left out, empty, not a number) is refused too (400), since it would skip the check and silently
    replace whatever was saved meanwhile; one made on an older revision is a conflict (409).
    """
    sent = (form.base_revision.data or "").strip()
    if sent == str(revision):
        return None
    form.base_revision.data = str(revision)
    if not sent.isdigit():
        form.form_errors.append(Text(NO_REVISION[what], revision=revision))
        return 400
    form.form_errors.append(saved_meanwhile(what, revision))
    return 409
