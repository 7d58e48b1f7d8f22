"""The web side: one blueprint module per audience, and what they share.

| module | blueprint: what it serves |
|---|---|
| `public.py` | home, search, records, authorities, the timeline, the JSON Schemas, `/export.jsonl` |
| `auth.py` | signing in and out, the admin's page of users |
| `editor.py` | the archivists' forms, history, delete and undo, `/suggest` (and `merging.py`: merging and its undo, on this blueprint) |
| `formats.py` | JSON-LD and the streamed exports (`/export.json`, `.csv`, `.jsonld`) |
| `oai.py` | the OAI-PMH data provider |
| `imports.py` | uploading a file to import |
| `browse.py` | subjects and collections, with counts, and their records |
| `bulk.py` | changing the access of a search's records at once (archivists) |
| `recordings.py` | a record's media files (with ranges), transcripts and chapters as WebVTT, IIIF manifests |
| `redactions.py` | archivists: hiding passages of a record, the access report |

`common.py` holds the request helpers every view uses (the archive, connection, index and viewer,
the guards, fetch-or-404, downloads), `editing.py` the editor's form and history helpers,
`errors.py` the one error handler, `../i18n.py` the language of each response, `security.py` CSRF, headers and session cookies, `filters.py`
the template filters. Templates live in `templates/<blueprint>/`;
the layout, the error page and the `_` partials are shared at the top of `templates/`.
"""
from __future__ import annotations

from flask import Flask

from .. import i18n
from . import (auth, browse, bulk, common, editor, errors, filters, formats, imports, merging, oai,  # noqa: F401
               public, recordings, redactions, security)

BLUEPRINTS = (public.bp, auth.bp, editor.bp, formats.bp, oai.bp, imports.bp, browse.bp, bulk.bp, recordings.bp,
              redactions.bp)


def init_app(app: Flask) -> None:
    security.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    app.before_request(common.begin_request)  # (costly searches give way to requests under way)
    app.before_request(common.load_viewer)
    app.teardown_request(common.end_request)
    app.teardown_appcontext(common.close_db)
    app.context_processor(lambda: {"viewer": common.get_viewer()})
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
