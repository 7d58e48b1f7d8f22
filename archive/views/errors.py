"""The one error handler of the web side: every error a request meets, as JSON or as a page.

An `ArchiveError` (errors.py) carries its status; a werkzeug `HTTPException` (a 405, a CSRF failure,
`abort()`) has its code; a write that waited too long for another writer (SQLite "database is locked",
the index's lock) is a 503 with nothing changed. JSON has one shape, `{"ok": false, "error": msg,
"status": code}`, for a `.json`/`.jsonl`/`.jsonld` address or a client that asks for JSON; anyone
else gets `error.html`. After Datasette's `handle_exception`.
"""
from __future__ import annotations

import sqlite3

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError
from werkzeug.http import HTTP_STATUS_CODES

from ..errors import ArchiveError, Busy
from ..i18n import translate
from ..index import IndexBusy
from ..messages import N_

UNTRUSTED_HOST = N_("This archive does not answer to that host name (see the setting TRUSTED_HOSTS).")


def init_app(app: Flask) -> None:
    for kind in (HTTPException, ArchiveError, sqlite3.OperationalError, IndexBusy):
        app.register_error_handler(kind, handle_exception)


def wants_json() -> bool:
    return request.path.endswith((".json", ".jsonl", ".jsonld")) or (
        request.accept_mimetypes.best == "application/json")


def json_error(message: str, status: int):
    """The one shape of every JSON error."""
    response = jsonify({"ok": False, "error": message, "status": status})
    response.status_code = status
    return response


def status_and_message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, HTTPException):
        return exc.code or 500, exc.description or exc.name
    if isinstance(exc, ArchiveError):
        return exc.status, exc.message
    if isinstance(exc, IndexBusy) or "locked" in str(exc) or "busy" in str(exc):
        return Busy.status, Busy.default_message
    current_app.logger.error("database error", exc_info=exc)  # not contention: a real fault
    return 500, InternalServerError.description


def handle_exception(exc: Exception):
    """The response for an error: JSON or the error page, with its status, in the reader's language."""
    status, message = status_and_message(exc)
    message = translate(message)
    if isinstance(exc, SecurityError):  # a Host outside TRUSTED_HOSTS: not echoed, and no page, since
        message = translate(UNTRUSTED_HOST)  # no link can be built for a request to an unknown host
    if wants_json():
        response = json_error(message, status)
    elif isinstance(exc, SecurityError):
        response = current_app.response_class(message, status, mimetype="text/plain")
    else:
        page = render_template("error.html", code=status, name=HTTP_STATUS_CODES.get(status, "Error"),
                               message=message)
        response = current_app.make_response((page, status))
    if status == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response
