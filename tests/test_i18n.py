"""The interface in Khmer: catalogs complete, every template string marked, every page translated,
the language chosen by ?lang=, cookie and Accept-Language, dates and numbers in Khmer."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import lxml.html
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment

from archive import csvrows, dates, i18n, kinds, validation
from archive.messages import Text

from conftest import SAMPLE, AuthActions, loaded_app
from test_recordings import write_wav

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "archive" / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None,
            "Text": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def read_catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="km" if "km" in path.parts else None)


def extracted() -> dict:
    """Every message the source marks now, as `make messages` extracts it (babel.cfg, same keywords)."""
    found = {}
    for root, method in ((ROOT / "archive", "python"), (ROOT / "templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _context in extract_from_dir(
                root, [(pattern, method)], keywords=KEYWORDS,
                options_map={pattern: {"extensions": "jinja2.ext.i18n"}} if method == "jinja2" else None):
            found[message] = True
    return found


# --- the catalogs ----------------------------------------------------------------------------------

def test_every_marked_message_is_in_the_template_and_translated_in_khmer():
    """Fails when a marked string is new (run `make messages`), or its Khmer entry is missing,
    empty or fuzzy (translate it in archive/translations/km/LC_MESSAGES/messages.po)."""
    pot = {m.id for m in read_catalog(CATALOGS / "messages.pot") if m.id}
    km = {m.id: m for m in read_catalog(CATALOGS / "km" / "LC_MESSAGES" / "messages.po") if m.id}
    marked = set(extracted())
    assert not marked - pot, f"not in messages.pot (run `make messages`): {sorted(map(str, marked - pot))}"
    assert not pot - marked, f"in messages.pot but no longer marked (run `make messages`): {sorted(map(str, pot - marked))}"
    missing = [m for m in pot if m not in km]
    assert not missing, f"no Khmer entry (run `make messages`, then translate): {missing}"
    for msgid in pot:
        entry = km[msgid]
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(strings), f"untranslated in Khmer: {msgid!r}"
        assert not entry.fuzzy, f"fuzzy in Khmer (check and remove the flag): {msgid!r}"
        english = msgid if isinstance(msgid, str) else msgid[-1]
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == sorted(set(PLACEHOLDER.findall(english))) or \
                set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(english)), (msgid, string)


def test_compiled_catalog_is_current():
    """The .mo the app reads (made by `make install`, not committed) is not older than its .po."""
    po = CATALOGS / "km" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, "run `make catalogs`"


# Words a template may show untranslated: names of formats and codes, the same in every language.
ALLOWED_WORDS = {"JSON", "CSV", "BibTeX", "EDTF", "English", "JSON-LD", "OR", "URL", "UTF", "UTF-8", "Lines",
                 "json", "RIS", "Zotero", "EndNote",  # citation formats and the reference managers that read them
                 "PDF", "WebVTT", "vtt", "SRT", "srt", "IIIF"}  # file formats of recordings and transcripts
# Codes a form asks for as they are typed (link roles, language codes) and the examples it gives.
CODES = {"author", "narrator", "interviewer", "recipient", "signatory", "translator", "mentioned",
         "recorded", "written", "at", "origin", "en", "km", "fr", "DL", "circa", "id"}


def template_texts(source: str):
    """The visible text a template writes outside {% trans %} blocks and {{ }} expressions."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    depth, texts, previous = 0, [], None
    for _line, kind, value in env.lex(source):
        if kind == "name" and previous == "block_begin":
            depth += value == "trans"
            depth -= value == "endtrans"
        elif kind == "data" and not depth:
            texts.append(value)
        if kind != "whitespace":
            previous = kind
    html = "".join(texts)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    visible = re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"{]*)"', html)
    html = re.sub(r"<[^>]*>", " ", html)
    return [*html.split(), *" ".join(visible).split()]


@pytest.mark.parametrize("template", sorted(p.relative_to(ROOT / "templates").as_posix()
                                            for p in (ROOT / "templates").rglob("*.html")))
def test_template_marks_every_string_for_translation(template):
    """Fails when a template writes words to people outside _() or {% trans %}."""
    source = (ROOT / "templates" / template).read_text(encoding="utf-8")
    words = [w for w in template_texts(source) if re.search("[A-Za-z]{2,}", w)
             and w.strip(".,:;()·…") not in ALLOWED_WORDS]
    assert not words, f"{template}: not marked for translation: {words}"


# --- the choice of language ------------------------------------------------------------------------

def test_lang_argument_chooses_and_a_cookie_keeps_it(client):
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    response = client.get("/?lang=km")
    assert '<html lang="km">' in response.get_data(as_text=True)
    assert "lang=km" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert '<html lang="km">' in client.get("/timeline").get_data(as_text=True)  # the cookie keeps it
    assert '<html lang="en">' in client.get("/timeline?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/?lang=xx").get_data(as_text=True)  # unknown: ignored


def test_accept_language_picks_khmer(client):
    page = client.get("/", headers={"Accept-Language": "km-KH,km;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="km">' in page and "ស្វែងរក" in page
    page = client.get("/", headers={"Accept-Language": "fr,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    response = client.get("/?lang=en", headers={"Accept-Language": "km"})  # the address wins
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_the_switch_keeps_the_page_and_its_query(client):
    page = lxml.html.fromstring(client.get("/search?q=Kem+Sokha&type=testimony&type=interview&page=1")
                                .get_data(as_text=True))
    links = {a.get("lang"): a for a in page.xpath("//nav[@class='languages']/a")}
    assert set(links) == {"en", "km"} and links["en"].get("aria-current") == "true"
    target = links["km"].get("href")
    assert target == "/search?q=Kem+Sokha&type=testimony&type=interview&page=1&lang=km"
    khmer = lxml.html.fromstring(client.get(target).get_data(as_text=True))
    assert khmer.get("lang") == "km" and khmer.get_element_by_id("q").get("value") == "Kem Sokha"
    back = {a.get("lang"): a.get("href") for a in khmer.xpath("//nav[@class='languages']/a")}
    assert back["en"] == "/search?q=Kem+Sokha&type=testimony&type=interview&page=1&lang=en"


def test_json_errors_speak_the_readers_language(client):
    english = client.get("/records/nope.json").get_json()
    khmer = client.get("/records/nope.json?lang=km").get_json()
    assert english == {"ok": False, "error": "Record nope doesn't exist.", "status": 404}
    assert khmer == {"ok": False, "error": "គ្មានកំណត់ត្រា nope ទេ។", "status": 404}


# --- dates and numbers -----------------------------------------------------------------------------

@pytest.mark.parametrize("value, khmer", [
    ("1977", "ឆ្នាំ១៩៧៧"),
    ("1977~", "ប្រហែលឆ្នាំ១៩៧៧"),
    ("1975-04-17", "ថ្ងៃទី១៧ ខែមេសា ឆ្នាំ១៩៧៥"),
    ("2018-07", "ខែកក្កដា ឆ្នាំ២០១៨"),
    ("1975/1979", "ពីឆ្នាំ១៩៧៥ ដល់ឆ្នាំ១៩៧៩"),
    ("1978-12-25/1979-01-07", "ពីថ្ងៃទី២៥ ខែធ្នូ ឆ្នាំ១៩៧៨ ដល់ថ្ងៃទី៧ ខែមករា ឆ្នាំ១៩៧៩"),
    ("1950/..", "ចាប់ពីឆ្នាំ១៩៥០ តទៅ"),
    ("../1950", "រហូតដល់ឆ្នាំ១៩៥០"),
    ("197X", "ទសវត្សរ៍ឆ្នាំ១៩៧០"),
    ("1981?", "ឆ្នាំ១៩៨១ (មិនប្រាកដ)"),
    ("១៩៧៧~", "ប្រហែលឆ្នាំ១៩៧៧"),  # typed in Khmer digits
    ("2004-06-11T00:00", "២០០៤-០៦-១១T០០:០០"),  # not worded: shown as it is, in Khmer digits
])
def test_dates_are_worded_in_khmer(app, value, khmer):
    with app.test_request_context("/?lang=km"):
        assert i18n.date_words(value) == khmer
    with app.test_request_context("/"):  # English words them as dates.in_words does (one place)
        assert i18n.date_words(value) == dates.in_words(value)


def test_edtf_is_accepted_in_either_digit_set_and_kept_in_ascii(app, save):
    assert dates.bounds("១៩៧៥/១៩៧៩") == dates.bounds("1975/1979")
    assert dates.check(" ១៩៨១~ ") == "1981~"
    assert dates.in_words("១៩៧៥") == dates.in_words("1975") == "1975"
    assert save(title="t", date="១៩៧៥-០៤-១៧", period="១៩៧៥/១៩៧៩")["date"] == "1975-04-17"


def test_counts_and_numbers_in_khmer_digits(app):
    with app.test_request_context("/?lang=km"):
        assert i18n.number(1979) == "១៩៧៩"
        assert i18n.translate(Text("The query was too long: only its first %(count)s characters were "
                                   "searched.", count=1000)) == "សំណួរស្វែងរកវែងពេក៖ បានស្វែងរកតែ ១០០០ តួអក្សរដំបូងប៉ុណ្ណោះ។"
    with app.test_request_context("/"):
        assert i18n.number(1979) == "1979"


def test_text_is_english_where_no_page_translates_it():
    note = Text("No person called “%(name)s”.", name="Ana")
    assert note == "No person called “Ana”." and json.dumps(note, ensure_ascii=False) == '"No person called “Ana”."'


# --- every page, in Khmer --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def khmer_app(tmp_path_factory):
    app = loaded_app(tmp_path_factory.mktemp("km") / "home", WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["archive"].close()


def content_strings() -> str:
    """Every string of the sample collection (titles, names, texts, citations…), one per line."""
    out = []

    def walk(value):
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            walk(json.loads(line))
    return "\n".join(out)


CONTENT = content_strings()
ENGLISH = {m.id for m in read_catalog(CATALOGS / "messages.pot") if isinstance(m.id, str) and m.id}
# Elements that show record content (text, snippets, citations, what a form holds, a diff), and code.
# The Chicago citation is not among them: its words ("accessed", the type) are the interface's.
CONTENT_CLASSES = ("text", "snippet", "excerpt", "bibtex", "diff", "old", "new", "permalink")
CONTENT_ELEMENTS = " | ".join(["//textarea", "//code", "//script", "//style", "//head"] + [
    f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]" for name in CONTENT_CLASSES])
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def is_content(text: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(text) + r"(?![\w])", CONTENT) is not None


def _message_pattern(msgid: str) -> re.Pattern | None:
    """A catalog message as a pattern its English text matches, whatever its arguments."""
    literal = re.sub(r"%\(\w+\)[sd]", " ", msgid)
    if len(re.findall(r"[A-Za-z]{2,}", literal)) < 2:  # "%(names)s and %(last)s" could be anyone's words
        return None
    parts = [re.escape(re.sub(r"\s+", " ", part)) for part in re.split(r"%\(\w+\)[sd]", msgid)]
    return re.compile("(?:.*?)".join(parts), re.S)


# English messages with arguments ("line 2: a name is needed before the |"), to recognise them whole.
ENGLISH_PATTERNS = [p for p in map(_message_pattern, sorted(m for m in ENGLISH if "%(" in m)) if p]


def english_message(text: str) -> str | None:
    """The catalog's English message this text is, if any (with or without its arguments)."""
    if text in ENGLISH and text not in ALLOWED_WORDS:
        return text
    if is_content(text):
        return None
    return next((p.pattern for p in ENGLISH_PATTERNS if p.fullmatch(text)), None)


def interface_words(html: str, allowed: set[str], strict: bool = False) -> list[str]:
    """Latin words of the page's interface: visible text and the attributes people read, less
    record content (the sample's strings), format names and what the page was asked for.

    `strict`: no word is excused as record content (pages of messages about what was typed,
    where only `allowed` and the codes in `<code>` may stay Latin)."""
    page = lxml.html.fromstring(html)
    for element in page.xpath(CONTENT_ELEMENTS):
        if element.getparent() is not None:
            element.drop_tree()
    texts = [t for t in page.xpath("//text()")]
    texts += page.xpath("//@title|//@aria-label|//@placeholder|//@alt|//input[@type='submit']/@value")
    found = []
    for raw in texts:
        text = " ".join(str(raw).split())
        if not text:
            continue
        assert not english_message(text), f"untranslated interface text: {text!r} ({english_message(text)})"
        if not strict and is_content(text):
            continue
        for token in text.split():
            word = token.strip(".,:;!?()[]“”\"'«»…·។៖")
            if (not LATIN_WORD.search(word) or word in ALLOWED_WORDS or word in allowed
                    or (not strict and is_content(word)) or word.startswith("http") or word.endswith(".json")):
                continue
            found.append(f"{word} (in {text!r})")
    return found


PUBLIC_PAGES = [
    "/", "/search", "/search?q=slavery", "/search?q=ទាសភាព", "/search?q=slaverry",
    "/search?q=%22unclosed+(", "/search?type=testimony&from=1970&to=1980&q=Cambodia",
    "/search?from=not-a-date", "/search?q=a&per_page=2&page=2", "/records/udhr-km-04?q=ទាសភាព",
    "/records/r-seed-letter", "/people", "/people?initial=K", "/people/p-kem-sokha", "/events",
    "/events/e-cambodian-genocide", "/events/e-khmer-rouge-regime", "/places", "/places/l-phnom-penh",
    "/timeline", "/login", "/no-such-page", "/records/nope", "/people/nope",
]
ARCHIVIST_PAGES = [
    "/records/new", "/records/r-seed-letter/edit", "/records/r-seed-letter/history",
    "/records/r-seed-letter/delete", "/people/new", "/events/new", "/places/new",
    "/people/p-kem-sokha/edit", "/events/e-cambodian-genocide/edit", "/places/l-phnom-penh/edit",
    "/people/p-kem-sokha/merge", "/people/p-kem-sokha/history", "/import", "/users",
]


def check_khmer_page(client, url: str, allowed: set[str]):
    response = client.get(url + ("&" if "?" in url else "?") + "lang=km")
    html = response.get_data(as_text=True)
    assert '<html lang="km">' in html, url
    words = interface_words(html, allowed)
    assert not words, f"{url}: untranslated interface words: {words}"


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_speaks_khmer(khmer_app, url):
    check_khmer_page(khmer_app.test_client(), url, {"slavery", "slaverry", "unclosed", "Cambodia", "nope",
                                                    "not-a-date", "no-such-page", "circa"})


@pytest.mark.parametrize("url", ARCHIVIST_PAGES + ["/", "/records/udhr-km-04", "/search?q=Kem",
                                 "/search/access?q=Kem&type=letter&access=public&from=1975&set_access=restricted"])
def test_every_archivist_page_speaks_khmer(khmer_app, url):
    client = khmer_app.test_client()
    client.get("/?lang=km")  # a Khmer reader signs in in Khmer (the cookie keeps the choice)
    AuthActions(client).sign_in_as("admin", "u-admin")
    check_khmer_page(client, url, {"u-admin", "Kem", "test"} | CODES)


def test_form_errors_and_flashes_speak_khmer(khmer_app):
    client = khmer_app.test_client()
    client.get("/?lang=km")
    AuthActions(client).sign_in_as("archivist", "u-arch")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      client.get("/records/new?lang=km").get_data(as_text=True)).group(1)
    response = client.post("/records/new", data={
        "csrf_token": token, "title": "", "type": "testimony", "access": "public", "date": "circa 1975",
        "embargo_until": "soon", "language": "k m!", "people": "| narrator\nSok | boss", "save": "Save"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "ត្រូវតែបំពេញវាលនេះ។" in html  # This field is required.
    assert "មិនមែនជាកាលបរិច្ឆេទ EDTF ទេ" in html and "បន្ទាត់ទី ១៖" in html
    words = interface_words(html, {"u-arch", "soon", "Sok", "boss"} | CODES)
    assert not words, words
    response = client.post("/records/new", data={
        "csrf_token": token, "title": "សាកល្បង", "type": "testimony", "access": "public",
        "date": "១៩៧៥~", "save": "Save"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "បានរក្សាទុកកំណែទី ១។" in html and 'value="1975~"' in html
    assert not interface_words(html, {"u-arch"} | CODES)


# --- messages about what was typed or uploaded, in Khmer ---------------------------------------------

TYPES = {t.code for t in kinds.RECORD_TYPES}
# What the bad file below holds and the messages quote back: values typed, and codes.
TYPED = {"auther", "testimonee", "colour", "hero", "p-nobody", "l-nowhere", "x-dup", "p-kem-sokha",
         "javascript", "bad", "DOI", "Handle", "ARK", "YYYY-MM-DD", "record", "person", "event", "place",
         "public", "restricted", "private", "wrong", "wrong-column", "surrogate", "\\ud800",
         *csvrows.COLUMNS}
BAD_IMPORT = "\n".join([
    '{"title": "t", "type": "testimony", "people": [{"name": "A", "role": "auther"}]}',
    '{"type": "testimonee", "title": ""}',
    '{"title": "t", "type": "testimony", "colour": "red"}',
    '{"title": "t", "type": "testimony", "date": "circa 1975"}',
    '{"title": "t", "type": "testimony", "source": {"url": "javascript:x"}}',
    '{"title": "t", "type": "testimony", "embargo_until": "2020-02-30"}',
    '{"id": "bad id!", "title": 5, "type": "testimony"}',
    '{oops',
    '{"kind": "hero"}',
    '{"title": "t", "type": "testimony", "people": [{"id": "p-nobody"}]}',
    '{"title": "t", "type": "testimony", "language": ["k m"]}',
    '{"title": "t", "type": "testimony", "people": [{"role": "author"}]}',
    '{"kind": "person"}',
    '{"kind": "place", "name": "x", "lat": 200}',
    '[1]',
    '{"id": "p-kem-sokha", "title": "t", "type": "testimony"}',
    '{"id": "x-dup", "title": "t", "type": "testimony"}',
    '{"id": "x-dup", "title": "t", "type": "testimony"}',
    '{"kind": "place", "name": "y", "part_of": "l-nowhere"}',
    '{"title": "\\ud800", "type": "testimony"}',
    '{"title": "' + "x" * 1001 + '", "type": "testimony", "access": "wrong"}',
])


def signed_in_khmer(app, role: str = "archivist"):
    client = app.test_client()
    client.get("/?lang=km")
    AuthActions(client).sign_in_as(role, f"u-{role}")
    return client


def csrf_token(client, url: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def upload(client, name: str, content: bytes):
    return client.post("/import?lang=km", data={"csrf_token": csrf_token(client, "/import"),
                                                "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("name, content", [
    ("bad.jsonl", BAD_IMPORT.encode("utf-8")),
    ("bad.csv", b"title,type,wrong-column\nt,testimony,x\n"),
    ("bad2.csv", b"title,type\nt,testimonee\nt,testimony,extra\n"),
    ("bad.json", b'{"title": "t",\n "type": }'),
    ("latin1.jsonl", '{"title": "café", "type": "testimony"}'.encode("latin-1")),
    ("deep.json", b"[" * 40 + b"]" * 40),
])
def test_the_import_check_speaks_khmer(khmer_app, name, content):
    """The report of a file with problems: every message worded by us and in Khmer; only the field
    paths (in <code>), the codes and the values quoted stay as they are."""
    client = signed_in_khmer(khmer_app)
    response = upload(client, name, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="problems"' in html, html
    words = interface_words(html, TYPED | TYPES | CODES | {"u-archivist", "x", "t", "extra", "oops", "circa",
                                                          "red", "m", "k", name},
                            strict=True)
    assert not words, f"{name}: untranslated: {words}"


def test_the_import_names_the_line_field_and_problem_in_khmer(khmer_app):
    client = signed_in_khmer(khmer_app)
    page = lxml.html.fromstring(upload(client, "bad.jsonl", BAD_IMPORT.encode("utf-8")).get_data(as_text=True))
    first = " ".join(page.xpath("//ul[@class='problems']/li")[0].text_content().split())
    assert first.startswith("បន្ទាត់ទី ១, people 1, role:") and "'auther'" in first, first
    assert "(តើអ្នកចង់សរសេរ author មែនទេ?)" in first, first  # did you mean author?


def test_every_write_path_message_is_ours_and_in_the_catalog():
    """Whatever jsonschema finds, the message is worded by us (a `Text` of the catalog), never its own."""
    pot = {m.id for m in read_catalog(CATALOGS / "messages.pot") if m.id}
    found = []
    for line in BAD_IMPORT.splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        kind = obj.get("kind", "record") if isinstance(obj, dict) else "record"
        found += validation.validate(kind if kind in ("record", "person", "event", "place") else "record", obj)
    assert len(found) > 10
    for field, message in found:
        assert isinstance(message, Text) and message.msgid in pot, (field, message)


# What the record form's messages may quote: what was typed, the identifier systems a web address may
# resolve, the example of the accession number's help.
FORM_WORDS = {"u-archivist", "javascript", "alert", "DOI", "Handle", "ARK", "DL-2017-004"} | CODES


def test_record_form_errors_of_the_write_path_speak_khmer(khmer_app):
    client = signed_in_khmer(khmer_app)
    response = client.post("/records/new", data={
        "csrf_token": csrf_token(client, "/records/new"), "title": "t" * 1001, "type": "testimony",
        "access": "public", "source_url": "javascript:alert(1)", "save": "Save"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'class="error"' in html
    assert not interface_words(html, FORM_WORDS)
    response = client.post("/records/new", data={
        "csrf_token": csrf_token(client, "/records/new"), "title": "t", "type": "testimony",
        "access": "public", "source_url": "javascript:alert(1)", "save": "Save"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "https://" in html
    assert not interface_words(html, FORM_WORDS, strict=True)


def post_recording(client, media: tuple[bytes, str], transcript: tuple[bytes, str] | None = None):
    data = {"csrf_token": csrf_token(client, "/records/new"), "title": "t", "type": "interview",
            "access": "public", "save": "Save", "media_upload": (io.BytesIO(media[0]), media[1])}
    if transcript:
        data["transcript_upload"] = (io.BytesIO(transcript[0]), transcript[1])
    return client.post("/records/new", data=data, content_type="multipart/form-data")


def test_recording_upload_messages_speak_khmer(khmer_app, tmp_path):
    """What media.py and transcripts.py say of a file they cannot read, or have repaired, reaches a
    Khmer reader in Khmer, with cue and line numbers in Khmer digits."""
    client = signed_in_khmer(khmer_app)
    html = post_recording(client, (b"just some text", "talk.mp3")).get_data(as_text=True)
    assert "ឯកសារមិនត្រូវបានរក្សាទុកទេ៖ មិនអាចអានឯកសារនេះបានទេ៖" in html, html
    formats = {"PNG", "JPEG", "GIF", "WebP", "TIFF", "PDF", "tty"}
    assert not interface_words(html, FORM_WORDS | formats)

    wav = write_wav(tmp_path / "interview.wav").read_bytes()
    broken = b"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nfirst\n\n00:00:xx --> 00:00:02.000\nsecond\n"
    html = post_recording(client, (wav, "interview.wav"), (broken, "interview.vtt")).get_data(as_text=True)
    assert "មិនអាចអានប្រតិចារិកបានទេ៖ ឃ្លាទី ២ (បន្ទាត់ទី ៦)៖ មិនអាចអានពេលវេលារបស់វា" in html, html
    assert not interface_words(html, FORM_WORDS | {"00:00:xx"})

    unordered = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\ncafé\n\n00:00:00.000 --> 00:00:01.000\nfirst\n"
    answer = post_recording(client, (wav, "interview.wav"), (unordered.encode("cp1252"), "interview.vtt"))
    assert answer.status_code == 302
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "ប្រតិចារិក៖ ឯកសារនេះមិនមែន UTF-8 ទេ៖ វាត្រូវបានអានជា Windows-1252" in html, html
    assert "ប្រតិចារិក៖ ឃ្លាមិនតាមលំដាប់ទេ (ឃ្លាទី ១ មុនគេ)" in html
    assert not interface_words(html, FORM_WORDS | {"Windows-1252", "interview.wav"})


# The module's accounts, and the examples zxcvbn's advice quotes ("Repeats like "aaa" …").
USERS = {"u-admin", "u-arch", "u-archivist", "newcomer", "aaa", "abc", "abcabcabc"}


@pytest.mark.parametrize("password", ["qwertyuiop", "password123", "Cambodia1975", "aaaaaaaaaaaa",
                                      "abcdefghijkl", "2019-01-01x", "P@ssw0rd1234"])
def test_weak_password_advice_speaks_khmer(khmer_app, password):
    client = signed_in_khmer(khmer_app, "admin")
    response = client.post("/users?lang=km", data={
        "csrf_token": csrf_token(client, "/users"), "add-username": "newcomer",
        "add-password": password, "add-role": "researcher", "add-add": "Add user"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'class="error"' in html
    assert not interface_words(html, USERS | CODES, strict=True)
    response = client.post("/users/u-admin/password?lang=km", data={
        "csrf_token": csrf_token(client, "/users"), "pw-u-admin-password": password, "pw-u-admin-reset": "Reset"},
        follow_redirects=True)
    html = response.get_data(as_text=True)
    assert 'class="flash error"' in html
    assert not interface_words(html, USERS | CODES, strict=True)


def test_every_advice_of_zxcvbn_has_khmer():
    """zxcvbn words its advice in English (stdlib gettext, no catalog): each message it can give is
    in our catalog, translated, so a newer zxcvbn with new advice fails here first."""
    import zxcvbn.feedback
    km = {m.id: m.string for m in read_catalog(CATALOGS / "km" / "LC_MESSAGES" / "messages.po") if m.id}
    source = Path(zxcvbn.feedback.__file__)
    advice = [message for _l, _f, message, _c, _x in extract_from_dir(
        source.parent, [(source.name, "python")], keywords={"_": None})]
    assert len(advice) > 20
    missing = [m for m in advice if not km.get(m)]
    assert not missing, missing


def test_the_citation_speaks_the_readers_language_and_keeps_the_records_words(khmer_app):
    client = khmer_app.test_client()
    chicago = lxml.html.fromstring(client.get("/records/r-seed-letter?lang=km").get_data(as_text=True)) \
        .get_element_by_id("chicago").text_content()
    assert "Justin C. Sok" in chicago and "The Cambodian people should no longer be left behind" in chicago
    assert "Diaspora letters" in chicago  # the record's own words, as they are
    assert "accessed" not in chicago and "Open letter" not in chicago and "October" not in chicago, chicago
    assert "លិខិតចំហ" in chicago and "ខែតុលា ឆ្នាំ២០១៧" in chicago, chicago
    english = lxml.html.fromstring(client.get("/records/r-seed-letter?lang=en").get_data(as_text=True)) \
        .get_element_by_id("chicago").text_content()
    assert "Open letter, 4 October 2017." in english and "(accessed " in english


def test_undated_and_many_authors_cited_in_khmer(app, save):
    record = save(title="Undated", type="petition", people=[{"name": "A", "role": "author"},
                                                           {"name": "B", "role": "signatory"}])
    client = app.test_client()
    english = lxml.html.fromstring(client.get(f"/records/{record['id']}?lang=en").get_data(as_text=True)) \
        .get_element_by_id("chicago").text_content()
    assert english.startswith("A and B. “Undated.” Petition, n.d."), english
    khmer = lxml.html.fromstring(client.get(f"/records/{record['id']}?lang=km").get_data(as_text=True)) \
        .get_element_by_id("chicago").text_content()
    assert " and " not in khmer and "n.d." not in khmer and "Petition" not in khmer, khmer
