"""Security headers on every response, cookie flags, and the secret key kept per archive home."""
import pytest

from archive import create_app
from conftest import AuthActions, config


@pytest.mark.parametrize("url", ["/", "/search?q=x", "/search.json?q=x", "/records/missing",
                                 "/records/missing.json", "/export.jsonl", "/static/archive.css",
                                 "/schema/record.json", "/people"])
def test_headers_on_every_response(client, url):
    with client.get(url) as response:
        headers = response.headers
    check_headers(headers)


def check_headers(headers):
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(app):
    @app.get("/probe-session")
    def probe():
        from flask import session
        session["x"] = 1
        return "ok"
    plain = app.test_client().get("/probe-session").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    secure = app.test_client().get("/probe-session", base_url="https://archive.example").headers["Set-Cookie"]
    assert "Secure" in secure


def test_secret_key_is_generated_once_per_home(tmp_path):
    cfg = config(tmp_path / "h")
    del cfg["SECRET_KEY"]
    first = create_app(cfg)
    second = create_app(cfg)
    key_file = tmp_path / "h" / "records" / ".secret_key"
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) >= 64 and oct(key_file.stat().st_mode)[-3:] == "600"
    other = create_app(config(tmp_path / "other") | {"SECRET_KEY": None})
    assert other.secret_key != first.secret_key
    for app in (first, second, other):
        app.extensions["archive"].close()


def test_oversized_requests_are_refused(tmp_path):
    app = create_app(config(tmp_path / "h", MAX_CONTENT_LENGTH=1000))

    @app.post("/probe-upload")
    def probe():
        from flask import request
        return str(len(request.get_data()))
    response = app.test_client().post("/probe-upload", data=b"x" * 5000)
    assert response.status_code == 413
    app.extensions["archive"].close()


def test_a_save_that_waits_too_long_for_another_writer_is_a_clear_503(tmp_path):
    import sqlite3

    from archive import store
    cfg = config(tmp_path / "h", WRITE_TIMEOUT=0.2)
    app = create_app(cfg)
    client = app.test_client()
    AuthActions(client).sign_in_as("archivist", "ana")
    blocker = sqlite3.connect(cfg["DATABASE"], isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # an import holding the write lock
    form = {"title": "Waiting", "type": "testimony", "access": "public", "save": "Save"}
    busy = client.post("/records/new", data=form)
    assert busy.status_code == 503 and "Nothing was saved" in busy.get_data(as_text=True)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert client.post("/records/new", data=form).status_code == 302
    db = store.connect(cfg["DATABASE"])
    assert [r["title"] for r in db.query("SELECT title FROM records")] == ["Waiting"]
    db.close()
    app.extensions["archive"].close()
