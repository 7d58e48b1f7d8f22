"""Reference managers capture records (issue 15, item 11): `/records/<id>.ris` read by a real RIS
parser (rispy, from PyPI), and Highwire `citation_*` meta tags on record pages."""
import re
from html.parser import HTMLParser

import pytest
import rispy

from conftest import SAMPLE, read_jsonl

SAMPLE_RECORDS = [o for o in read_jsonl(SAMPLE.read_text(encoding="utf-8")) if o["kind"] == "record"]
AUTHOR_ROLES = ("author", "narrator", "signatory")


class Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "meta" and (found.get("name") or "").startswith("citation_"):
            self.tags.append((found["name"], found.get("content")))


def citation_meta(html: str) -> list[tuple[str, str]]:
    parser = Meta()
    parser.feed(html)
    return parser.tags


def parse_ris(response) -> dict:
    assert response.status_code == 200
    assert response.mimetype == "application/x-research-info-systems"
    entries = rispy.loads(response.get_data(as_text=True))
    assert len(entries) == 1
    return entries[0]


@pytest.mark.parametrize("expected", SAMPLE_RECORDS, ids=lambda r: r["id"])
def test_rispy_reads_every_sample_record(sample_app, expected):
    client = sample_app.test_client()
    response = client.get(f"/records/{expected['id']}.ris")
    entry = parse_ris(response)
    assert f'filename="{expected["id"]}.ris"' in response.headers["Content-Disposition"]
    assert "unknown_tag" not in entry  # every tag is one RIS knows
    assert entry["title"] == " ".join(expected["title"].split())
    assert entry["type_of_reference"] in ("MANSCPT", "PCOMM")
    assert entry["urls"] == [f"http://localhost/records/{expected['id']}"]
    authors = [p["name"] for p in expected["people"] if p["role"] in AUTHOR_ROLES]
    assert entry.get("authors", []) == list(dict.fromkeys(authors))
    if expected.get("date"):
        assert entry["year"] == re.match(r"\d{4}", expected["date"])[0]
    if expected.get("subjects"):
        assert entry["keywords"] == expected["subjects"]
    assert entry["id"] == expected["id"]


def test_the_seed_letters_ris_carries_what_a_letter_needs(sample_app):
    entry = parse_ris(sample_app.test_client().get("/records/r-seed-letter.ris"))
    assert entry["type_of_reference"] == "PCOMM"
    assert entry["authors"] == ["Justin C. Sok"]
    assert entry["secondary_authors"] == ["António Guterres"]  # the letter's recipient
    assert entry["date"] == "2017/10/04/"
    assert entry["year"] == "2017"
    assert entry["language"] == "en"
    assert entry["name_of_database"] == "Diaspora letters"
    assert entry["accession_number"] == "DL-2017-004"
    assert entry["abstract"].startswith("Open letter and online petition from Justin C. Sok")
    assert entry["type_of_work"] == "Open letter"
    assert entry["place_published"] == "Long Beach, California"


def test_record_pages_carry_highwire_meta_tags(sample_app):
    client = sample_app.test_client()
    tags = citation_meta(client.get("/records/r-seed-letter").get_data(as_text=True))
    found = dict(tags)
    assert found["citation_title"] == "The Cambodian people should no longer be left behind"
    assert [v for k, v in tags if k == "citation_author"] == ["Justin C. Sok"]
    assert found["citation_publication_date"] == "2017/10/04"
    assert found["citation_date"] == "2017/10/04"
    assert found["citation_public_url"] == "http://localhost/records/r-seed-letter"
    assert found["citation_fulltext_html_url"] == "http://localhost/records/r-seed-letter"
    assert found["citation_language"] == "en"
    assert "political prisoners" in found["citation_keywords"]


def test_several_authors_each_get_a_tag_and_a_year_stays_a_year(client, save):
    record = save(title="Joint statement", type="statement", date="1977~",
                  people=[{"name": "Ann Lee", "role": "author"}, {"name": "Bo Chan", "role": "signatory"},
                          {"name": "Cy Dee", "role": "mentioned"}])
    tags = citation_meta(client.get(f"/records/{record['id']}").get_data(as_text=True))
    assert [v for k, v in tags if k == "citation_author"] == ["Ann Lee", "Bo Chan"]
    assert dict(tags)["citation_publication_date"] == "1977"
    entry = parse_ris(client.get(f"/records/{record['id']}.ris"))
    assert entry["authors"] == ["Ann Lee", "Bo Chan"] and entry["year"] == "1977"
    assert entry["type_of_reference"] == "MANSCPT"


def test_meta_values_are_escaped(client, save):
    record = save(title='Quote " and <tag> & more', text="x\n\ny")
    html = client.get(f"/records/{record['id']}").get_data(as_text=True)
    assert dict(citation_meta(html))["citation_title"] == 'Quote " and <tag> & more'
    assert "<tag>" not in html
    entry = parse_ris(client.get(f"/records/{record['id']}.ris"))
    assert entry["title"] == 'Quote " and <tag> & more'


def test_a_hidden_record_has_no_ris(client, auth, canaries):
    for level in ("restricted", "private", "embargoed"):
        assert client.get(f"/records/{canaries[level]['id']}.ris").status_code == 404
    assert client.get("/records/r-nothing.ris").status_code == 404
    assert client.get(f"/records/{canaries['public']['id']}.ris").status_code == 200
    auth.sign_in_as("researcher")
    assert client.get(f"/records/{canaries['restricted']['id']}.ris").status_code == 200
    assert client.get(f"/records/{canaries['private']['id']}.ris").status_code == 404


def test_a_line_break_in_a_value_never_starts_a_tag(client, save):
    record = save(title="Title", summary="First line\nER  - \nTY  - BOOK", subjects=["a\nb"])
    text = client.get(f"/records/{record['id']}.ris").get_data(as_text=True)
    assert text.count("TY  - ") == 1 and text.count("ER  - ") == 1
    entry = rispy.loads(text)[0]
    assert entry["abstract"] == "First line ER - TY - BOOK"


def test_the_record_page_links_its_ris(client, save):
    record = save(title="Linked")
    html = client.get(f"/records/{record['id']}").get_data(as_text=True)
    assert f'href="/records/{record["id"]}.ris"' in html
