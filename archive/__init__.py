"""The testimony archive: a Flask application over a SQLite store and a Whoosh index.

`create_app(test_config)` reads the settings (`settings.py`), builds the one `Archive` of the process
(`home.py`: settings, store, index, clock) or takes the one the command line built, starts it
(creating, upgrading or repairing the store and the index), keeps it in `app.extensions["archive"]`,
and registers the views (`views/`) and the commands (`cli.py`).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from . import settings, views
from .home import Archive

PACKAGE = Path(__file__).resolve().parent

__all__ = ["Archive", "create_app"]


def _templates() -> str:
    """The top-level templates/ in a checkout; the copy inside the package in an installed wheel."""
    checkout = PACKAGE.parent / "templates"
    return str(checkout if checkout.is_dir() else PACKAGE / "templates")


def private_files() -> None:
    """Make every file this process creates from now on readable by its owner only (umask 077).

    The archive's files (database, secret key, index, uploads, backups, exports) hold testimonies
    that may put people at risk, so the archive does not leave this to the operator's umask. It only
    ever narrows the umask it finds. Called when the app is created and when a command starts.
    """
    os.umask(os.umask(0o077) | 0o077)


def secret_key(home: str | Path) -> str:
    """The archive home's own secret key, generated on first use and never committed."""
    path = Path(home) / "records" / ".secret_key"
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(test_config: dict | None = None, archive: Archive | None = None) -> Flask:
    """The web application of an archive: of the one `test_config` (over the defaults and the
    environment) describes, or of `archive` when the command line has built it already."""
    private_files()
    app = Flask(__name__, template_folder=_templates(), static_folder="static")
    app.config.from_mapping(archive.settings if archive else settings.load(test_config))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(Path(app.config["DATABASE"]).parent.parent)
    app.extensions["archive"] = (archive or Archive(app.config)).start()
    views.init_app(app)
    # Imported here rather than above: `python -m archive.cli` runs cli.py as __main__, and importing
    # it with the package would load it a second time (runpy warns of exactly that).
    from . import cli
    cli.register(app)
    return app
