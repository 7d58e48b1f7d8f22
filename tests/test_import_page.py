"""The upload page: archivists check a spreadsheet, see what it would do, then confirm (CSRF on)."""
import io
import re

import pytest

from archive import store
from archive.access import SYSTEM
from conftest import SAMPLE_RECORDS, AuthActions

GOOD = ("title,type,people,language,access\n"
        "Letter from Long Beach,open_letter,Kem Sokha; Justin C. Sok|author,en,public\n"
        "សំបុត្រ,statement,,km,public\n").encode("utf-8")


@pytest.fixture
def archivist(sample_app):
    client = sample_app.test_client()
    auth = AuthActions(client)
    auth.add_user("rita", "researcher")
    auth.sign_in_as("archivist", "ana")
    return client


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def uploads(app):
    from pathlib import Path
    folder = Path(app.config["DATABASE"]).parent / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def count(app) -> int:
    db = store.connect(app.config["DATABASE"])
    try:
        return store.count_records(db, SYSTEM)
    finally:
        db.close()


def upload(client, token, content=GOOD, name="records.csv"):
    return client.post("/import", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_check_then_confirm(sample_app, archivist):
    page = archivist.get("/import").get_data(as_text=True)
    assert '<label for="file">File to import (CSV, JSON or JSON Lines)</label>' in page
    token = csrf_token(page)
    report = upload(archivist, token)
    assert report.status_code == 200
    text = report.get_data(as_text=True)
    assert "This import would create or replace" in text
    assert re.search(r"<th scope=\"row\">Records</th><td>2</td><td>0</td>", text)
    assert count(sample_app) == SAMPLE_RECORDS  # nothing imported yet
    waiting = uploads(sample_app)
    assert len(waiting) == 1 and waiting[0].endswith(".csv")
    upload_token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', text).group(1)
    assert waiting[0] == f"{upload_token}.csv"
    done = archivist.post("/import/confirm", data={"csrf_token": csrf_token(text), "token": upload_token},
                          follow_redirects=True)
    assert "Imported records: 2 new, 0 replaced" in done.get_data(as_text=True)
    assert count(sample_app) == SAMPLE_RECORDS + 2 and uploads(sample_app) == []
    # the same token cannot import twice
    again = archivist.post("/import/confirm", data={"csrf_token": token, "token": upload_token},
                           follow_redirects=True)
    assert "no longer waiting" in again.get_data(as_text=True) and count(sample_app) == SAMPLE_RECORDS + 2


def test_problems_are_shown_and_nothing_waits(sample_app, archivist):
    token = csrf_token(archivist.get("/import").get_data(as_text=True))
    bad = "title,type\nFine,testimony\nBad <b>row</b>,memo\n".encode("utf-8")
    text = upload(archivist, token, bad).get_data(as_text=True)
    assert "Nothing can be imported" in text
    assert "<strong>line 3</strong>, <code>type</code>: <span>&#39;memo&#39; is not one of" in text
    assert 'name="token"' not in text and uploads(sample_app) == [] and count(sample_app) == SAMPLE_RECORDS
    wrong = upload(archivist, token, b"x", "records.xlsx").get_data(as_text=True)
    assert "must end in .csv, .json or .jsonl" in wrong


def test_tokens_are_never_paths(sample_app, archivist):
    token = csrf_token(archivist.get("/import").get_data(as_text=True))
    for forged in ("../archive.db", "/etc/passwd", "0" * 31, "g" * 32, ""):
        response = archivist.post("/import/confirm", data={"csrf_token": token, "token": forged},
                                  follow_redirects=True)
        assert "no longer waiting" in response.get_data(as_text=True)
    assert count(sample_app) == SAMPLE_RECORDS


def test_csrf_and_roles_guard_the_page(sample_app, archivist):
    assert upload(archivist, "forged").status_code == 400
    assert archivist.post("/import/confirm", data={"token": "0" * 32}).status_code == 400
    anonymous = sample_app.test_client()
    assert anonymous.get("/import").status_code in (302, 401)
    assert AuthActions(archivist).login("rita").status_code == 302
    assert archivist.get("/import").status_code == 403
    assert count(sample_app) == SAMPLE_RECORDS


@pytest.mark.browser
def test_an_archivist_imports_a_spreadsheet_in_the_browser(sample_app, archivist, page, tmp_path):
    from conftest import LiveServer
    sheet = tmp_path / "collection.csv"
    sheet.write_bytes(b"\xef\xbb\xbf" + GOOD)
    cookie = archivist.get_cookie("session")
    with LiveServer(sample_app) as server:
        page.context.add_cookies([{"name": "session", "value": cookie.value, "url": server.url}])
        page.goto(f"{server.url}/import")
        page.get_by_label("File to import (CSV, JSON or JSON Lines)").set_input_files(str(sheet))
        page.get_by_role("button", name="Check the file").click()
        assert page.get_by_role("row", name="Records 2 0").is_visible()
        assert count(sample_app) == SAMPLE_RECORDS
        page.get_by_role("button", name="Import", exact=True).click()
        assert page.get_by_text("Imported records: 2 new, 0 replaced").is_visible()
    assert count(sample_app) == SAMPLE_RECORDS + 2
