"""The testimony archive: a Flask application over a SQLite store and a Whoosh index.

`create_app` reads the configuration (the archive home and the paths under it), prepares the store
and the index (creating, upgrading or repairing them), and registers the blueprints and commands.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from flask import Flask

PACKAGE = Path(__file__).resolve().parent


def _templates() -> str:
    """The top-level templates/ in a checkout; the copy inside the package in an installed wheel."""
    checkout = PACKAGE.parent / "templates"
    return str(checkout if checkout.is_dir() else PACKAGE / "templates")


def default_config(home: str | Path) -> dict:
    home = Path(home).resolve()
    return {
        "ARCHIVE_HOME": str(home),
        "DATABASE": str(home / "records" / "archive.db"),
        "SEARCH_INDEX": str(home / "search_index"),
        "RECORDS_PER_PAGE": 20,
        "MAX_PER_PAGE": 100,
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,  # an upload of a whole collection fits
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=8),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WRITE_TIMEOUT": 10.0,  # seconds a save waits for another writer before answering 503
    }


def secret_key(home: str | Path) -> str:
    """The archive home's own secret key, generated on first use and never committed."""
    path = Path(home) / "records" / ".secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=_templates(), static_folder="static")
    home = (test_config or {}).get("ARCHIVE_HOME") or os.environ.get("ARCHIVE_HOME") or "."
    app.config.from_mapping(default_config(home))
    app.config.from_prefixed_env("ARCHIVE")  # e.g. ARCHIVE_SECRET_KEY, ARCHIVE_RECORDS_PER_PAGE
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(Path(app.config["DATABASE"]).parent.parent)

    from .views import common as web
    web.init_app(app)

    from . import cli
    from .views import auth, editor, formats, imports, oai, public
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(formats.bp)
    app.register_blueprint(oai.bp)
    app.register_blueprint(imports.bp)
    cli.register(app)
    return app
