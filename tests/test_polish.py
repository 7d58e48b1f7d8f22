"""Polish that readers noticed (issue 15, item 14): one site name in each page title, one charset
on CSV, and exports named after their search and the day."""
import re

import pytest


@pytest.fixture
def day(running_clock):
    running_clock.set("2026-03-05T10:00:00Z")
    return "2026-03-05"


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S)[1].strip()


@pytest.mark.parametrize("path", ["/", "/search", "/search?q=x", "/people", "/timeline", "/subjects", "/login"])
def test_each_title_names_the_archive_once(client, path):
    shown = title(client.get(path).get_data(as_text=True))
    assert shown.count("Testimony archive") == 1, shown
    assert shown.endswith("Testimony archive")


def test_the_home_page_title_says_what_it_is(client):
    assert title(client.get("/").get_data(as_text=True)) != "Testimony archive · Testimony archive"


def test_csv_has_one_charset(client, save):
    save(title="A")
    for path in ("/export.csv", "/export.csv?q=A"):
        assert client.get(path).headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("query, name", [
    ({}, "archive-2026-03-05.csv"),
    ({"q": "Kem Sokha"}, "archive-kem-sokha-2026-03-05.csv"),
    ({"q": "rice", "type": "open_letter", "from": "1975"}, "archive-rice-open-letter-from-1975-2026-03-05.csv"),
    ({"q": '"a phrase" OR -word*'}, "archive-a-phrase-or-word-2026-03-05.csv"),
    ({"q": "x" * 200}, "archive-" + "x" * 60 + "-2026-03-05.csv"),
])
def test_exports_are_named_after_their_search_and_day(client, save, day, query, name):
    save(title="Rice harvest")
    response = client.get("/export.csv", query_string=query)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'


def test_other_formats_and_the_full_export_are_named_too(client, save, day):
    save(title="Rice harvest")
    disposition = client.get("/export.json?q=rice").headers["Content-Disposition"]
    assert disposition == 'attachment; filename="archive-rice-2026-03-05.json"'
    disposition = client.get("/export.jsonl").headers["Content-Disposition"]
    assert disposition == 'attachment; filename="archive-2026-03-05.jsonl"'


def test_a_khmer_search_gets_a_name_browsers_read(client, save, day):
    save(title="ខ្មែរក្រហម")
    disposition = client.get("/export.csv", query_string={"q": "ខ្មែរក្រហម"}).headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="archive-search-2026-03-05.csv"; filename*=UTF-8\'\'')
    assert "archive-%E1%9E%81" in disposition  # ខ is U+1781


# --- plural forms: "all 1 records" and "3 problem(s)" were read as careless ------------------------

def take_away(html: str) -> str:
    return re.search(r'<p class="take-away">(.*?)</p>', html, re.S)[1]


def test_the_export_link_counts_in_words(client, save):
    save(title="Alone in the archive")
    one = take_away(client.get("/search?q=alone").get_data(as_text=True))
    assert "the 1 record (JSON)" in one and "records" not in one
    save(title="Alone again")
    assert "all 2 records (JSON)" in take_away(client.get("/search?q=alone").get_data(as_text=True))
    khmer = take_away(client.get("/search?q=alone&lang=km").get_data(as_text=True))
    assert "record" not in khmer and "(JSON)" in khmer


def import_page(client, auth, content: str, name: str, lang: str = "en") -> str:
    auth.sign_in_as("archivist")
    return client.post(f"/import?lang={lang}", data={"file": (__import__("io").BytesIO(content.encode()), name)},
                       content_type="multipart/form-data").get_data(as_text=True)


def test_import_problems_are_counted_in_words(client, auth):
    page = import_page(client, auth, "title,type\nA,memo\n", "one.csv")
    assert "Nothing can be imported: 1 problem." in page and "problem(s)" not in page
    page = import_page(client, auth, "title,type\nA,memo\nB,memo\nC,memo\n", "three.csv")
    assert "Nothing can be imported: 3 problems." in page
    khmer = import_page(client, auth, "title,type\nA,memo\n", "one.csv", lang="km")
    assert "មិនអាចនាំចូលអ្វីបានទេ៖ មានបញ្ហា ១។" in khmer and "problem." not in khmer
