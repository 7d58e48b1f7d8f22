"""Khmer and mixed-script search: normalisation, clusters, exact spans, names across scripts; Khmer
drawn with the bundled font on a machine without Khmer fonts."""
import os
import re
import subprocess
from pathlib import Path

import pytest

from archive import textnorm
from archive.index import analysis
from archive.names import name_key
from archive.views.filters import lang_attr, script_lang


def terms(text, mode="index"):
    return [term for _, term, _, _ in analysis.tokens(text, mode=mode)]


def marked(text, *phrases):
    return [text[a:b] for a, b in analysis.spans(text, [p.split() for p in phrases])]


# --- normalisation ---------------------------------------------------------------------------------

def test_normalisation_folds_khmer_variants_and_maps_back_to_the_original():
    text = "ក\u200bខ\u200c ១២\u17d2\u178a"
    norm, offsets = textnorm.normalize(text)
    assert norm == "ក ខ 12\u17d2\u178f"  # ZWSP a space, ZWNJ gone, digits ASCII, ្ដ -> ្ត
    assert [offsets[i] for i in range(len(norm))] == [(0, 1), (1, 2), (2, 3), (4, 5), (5, 6),
                                                      (6, 7), (7, 8), (8, 9)]
    assert textnorm.normalize("plain ascii") == ("plain ascii", None)


def test_marks_typed_in_another_order_give_the_same_terms():
    usual = "ប៊ុន"  # BA, TRIISAP, U, NO
    typed = "ប\u17bb\u17ca\u1793"  # the vowel typed before the register shifter
    assert terms(usual) == terms(typed)
    assert textnorm.normalize_text("ក\u17b6\u17d2\u179a") == "ក\u17d2\u179a\u17b6"  # subscript first
    assert terms("សេចក្ដី") == terms("សេចក្តី")


def test_nfc_and_latin_accents():
    assert terms("Anto\u0301nio GUTERRES") == ["antonio", "guterres"]
    assert terms("Café") == terms("Cafe\u0301") == ["cafe"]


def test_normalize_query_turns_khmer_digits_to_ascii_and_keeps_syntax():
    assert analysis.normalize_query("ឆ្នាំ ២០១៧ OR Hun") == "ឆ្នាំ 2017 OR Hun"


# --- clusters and pairs ----------------------------------------------------------------------------

def test_khmer_is_cut_into_clusters_with_pairs_at_the_same_position():
    assert analysis.tokens("ហ៊ុនសែន") == [
        (0, "ហ៊ុ", 0, 3), (0, "ហ៊ុន", 0, 4), (1, "ន", 3, 4), (1, "នសែ", 3, 6),
        (2, "សែ", 4, 6), (2, "សែន", 4, 7), (3, "ន", 6, 7)]
    assert terms("ស្ត្រី") == ["ស្ត្រី"]  # subscripts stay in their cluster


def test_spaced_and_unspaced_khmer_give_the_same_terms():
    assert terms("ហ៊ុនសែន") == terms("ហ៊ុន សែន") == terms("ហ៊ុន\u200bសែន")
    assert terms("ហ៊ុនសែន", "query") == terms("ហ៊ុន សែន", "query") == ["ហ៊ុន", "នសែ", "សែន"]


def test_a_query_word_becomes_pairs_and_a_one_cluster_word_stays_a_cluster():
    assert terms("ទាសភាព", "query") == ["ទាស", "សភា", "ភាព"]
    assert terms("ឆ្នាំ", "query") == ["ឆ្នាំ"]
    # followed by more tokens, the last cluster keeps the positions aligned with the index
    assert terms("ការ2017", "query") == ["ការ", "រ", "2017"]


def test_khmer_digits_and_ascii_digits_are_one_term():
    assert terms("ឆ្នាំ២០១៧") == terms("ឆ្នាំ2017") == ["ឆ្នាំ", "2017"]
    assert terms("២០១៧", "query") == ["2017"]


def test_mixed_text_keeps_latin_words_and_khmer_clusters_apart():
    assert terms("Hun Sen (ហ៊ុន) said") == ["hun", "sen", "ហ៊ុ", "ហ៊ុន", "ន", "said"]


# --- exact spans -----------------------------------------------------------------------------------

def test_spans_of_a_khmer_word_inside_unspaced_text_are_exact():
    text = "គ្មានជនណាម្នាក់ ត្រូវស្ថិតក្នុងទាសភាព ឬស្ថិតក្នុងភាពជាអ្នកបម្រើ។ ទាសភាព និងទាសពាណិជ្ជកម្ម"
    assert marked(text, "ទាសភាព") == ["ទាសភាព", "ទាសភាព"]
    assert marked(text, "ក្នុង") == ["ក្នុង", "ក្នុង"]
    start, end = analysis.spans(text, [["ទាសភាព"]])[0]
    assert (start, end) == (text.index("ទាសភាព"), text.index("ទាសភាព") + len("ទាសភាព"))


def test_spans_across_spaces_and_in_mixed_text():
    text = "Mr. Hun Sen, លោក ហ៊ុន សែន, and ហ៊ុនសែន again"
    assert marked(text, "ហ៊ុនសែន") == ["ហ៊ុន សែន", "ហ៊ុនសែន"]
    assert marked(text, "ហ៊ុន សែន") == ["ហ៊ុន សែន", "ហ៊ុនសែន"]
    assert marked(text, "hun sen") == ["Hun Sen"]


def test_spans_are_offsets_of_the_original_text():
    # zero-width characters, ្ដ and marks typed out of order are normalised, marks stay on the original
    text = "ស\u200cេចក្ដី ប\u17bb\u17ca\u1793 ២០១៧"
    assert marked(text, "សេចក្តី") == ["ស\u200cេចក្ដី"]
    assert marked(text, "ប៊ុន") == ["ប\u17bb\u17ca\u1793"]
    assert marked(text, "2017") == ["២០១៧"]


def test_no_span_across_khmer_punctuation():
    assert marked("ហ៊ុន។សែន", "ហ៊ុនសែន") == []
    assert marked("ហ៊ុន។សែន", "ហ៊ុន") == ["ហ៊ុន"]


# --- names -----------------------------------------------------------------------------------------

def test_name_keys_ignore_spaces_and_khmer_spelling_variants():
    assert name_key("ហ៊ុនសែន") == name_key("ហ៊ុន សែន") == name_key("ហ៊ុន\u200bសែន")
    assert name_key("សេចក្ដី") == name_key("សេចក្តី")
    assert name_key("ប\u17bb\u17ca\u1793") == name_key("ប៊ុន")
    assert name_key("Kem-Sokha") == name_key("kem sokha")
    assert name_key("កឹម សុខា") != name_key("Kem Sokha")


# --- through the real app --------------------------------------------------------------------------

def found(client, q):
    response = client.get("/search.json", query_string={"q": q, "per_page": 100})
    assert response.status_code == 200
    return [h["id"] for h in response.get_json()["hits"]]


@pytest.mark.parametrize("q", ["ទាសភាព", "ទាសពាណិជ្ជកម្ម", '"មាត្រា ៤"', '"មាត្រា 4"'])
def test_a_khmer_query_finds_the_khmer_udhr_article(sample_app, q):
    with sample_app.test_client() as client:
        hits = found(client, q)
    assert hits[0] == "udhr-km-04"
    assert all(h.startswith("udhr-km-") for h in hits)


def test_a_one_cluster_khmer_query_and_a_khmer_year(sample_app):
    with sample_app.test_client() as client:
        assert "udhr-km-01" in found(client, "មនុស្ស")
        assert found(client, "២០១៧") == found(client, "2017")
        assert "r-seed-letter" in found(client, "២០១៧")


@pytest.mark.parametrize("q", ["កឹម សុខា", "កឹមសុខា", '"កឹម សុខា"', "Kim Sokha", "Kem Sokha",
                               "KEM SOKHA", "ហ៊ុន សែន", "ហ៊ុនសែន", "ដូណាល់ត្រាំ",
                               "ដូណាល់ ត្រាំ"])
def test_a_name_in_khmer_or_any_romanisation_finds_the_letter(sample_app, q):
    with sample_app.test_client() as client:
        assert "r-seed-letter" in found(client, q)


def test_english_search_still_works(sample_app):
    with sample_app.test_client() as client:
        assert "r-seed-letter" in found(client, "arrested")
        assert "r-seed-letter" in found(client, '"Kem Sokha, President"')
        assert "udhr-en-04" in found(client, "slavery")
        assert not any(h.startswith("udhr-km-") for h in found(client, "slavery servitude"))


# --- lang attributes -------------------------------------------------------------------------------

def test_lang_attr_marks_khmer_text():
    assert lang_attr("ហ៊ុន សែន") == ' lang="km"'
    assert lang_attr("Hun Sen") == ""
    assert script_lang("Universal Declaration (Khmer) - Article 4 / សេចក្ដីប្រកាស - មាត្រា ៤") is None


# --- in the browser ---------------------------------------------------------------------------------

BUNDLED = "Noto Sans Khmer"  # archive/static/fonts/, first in the Khmer font stack of archive.css


def latin_font_dir() -> str:
    """A folder of Latin fonts with no Khmer in it (the machine profile of a reader without Khmer)."""
    listed = subprocess.run(["fc-list", "--format", "%{file}\\n", ":lang=en"], capture_output=True,
                            text=True, check=True).stdout.split()
    khmer = set(subprocess.run(["fc-list", "--format", "%{file}\\n", ":lang=km"], capture_output=True,
                               text=True, check=True).stdout.split())
    folders = sorted({str(Path(f).parent) for f in listed} - {str(Path(f).parent) for f in khmer})
    if not folders:
        pytest.fail("No Latin font folder without Khmer fonts: `apt-get install -y fonts-dejavu-core`")
    return next((f for f in folders if "dejavu" in f), folders[0])


@pytest.fixture(scope="module")
def fontless_browser(playwright, tmp_path_factory):
    """Debian's chromium whose fontconfig sees one Latin font folder and no Khmer font at all
    (FONTCONFIG_FILE), as on a reader's computer without fonts-khmeros or any other Khmer font."""
    from conftest import CHROMIUM, CHROMIUM_ARGS
    folder = tmp_path_factory.mktemp("fontconfig")
    conf = folder / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><include ignore_missing="yes">/etc/fonts/conf.d</include>
  <dir>{latin_font_dir()}</dir><cachedir>{folder / "cache"}</cachedir></fontconfig>
""", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    seen = subprocess.run(["fc-list", ":lang=km"], capture_output=True, text=True, env=env, check=True)
    assert seen.stdout.strip() == "", f"this profile still has Khmer fonts: {seen.stdout}"
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
    yield browser
    browser.close()


def platform_fonts(page, selector):
    """The fonts chromium really used to draw the text of an element (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {f["familyName"]: f["glyphCount"] for f in fonts}


KHMER_CHARS = re.compile("[\u1780-\u17ff\u19e0-\u19ff\u200b-\u200d]")


def drawn_with_the_bundled_font(page, selector) -> dict:
    """Every Khmer glyph of the element's text drawn with the bundled font: it drew some, and any
    other font drew no more glyphs than the text has other characters (spaces, digits, Latin), so
    no Khmer fell back to another font's empty boxes."""
    fonts = platform_fonts(page, selector)
    text = page.locator(selector).first.text_content()
    others = sum(count for family, count in fonts.items() if family != BUNDLED)
    assert fonts.get(BUNDLED, 0) > 0, f"{selector}: drawn with {fonts}, not {BUNDLED}"
    assert others <= len(KHMER_CHARS.sub("", text)), f"{selector}: Khmer drawn with {fonts}"
    return fonts


def font_requests(page) -> list[str]:
    fonts = []
    page.on("request", lambda request: fonts.append(request.url) if "/static/fonts/" in request.url else None)
    return fonts


@pytest.mark.browser
def test_khmer_is_drawn_with_the_bundled_font_on_a_machine_without_khmer_fonts(fontless_browser, live):
    context = fontless_browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    try:
        fetched = font_requests(page)
        page.goto(f"{live.url}/records/udhr-km-04")
        page.evaluate("document.fonts.ready")
        assert page.locator("section.text p[lang=km]").count() >= 1
        assert drawn_with_the_bundled_font(page, "section.text p[lang=km]")[BUNDLED] > 20
        assert any(url.endswith("noto-sans-khmer-khmer-400-normal.woff2") for url in fetched), fetched
        page.goto(f"{live.url}/people/p-kem-sokha")
        page.evaluate("document.fonts.ready")
        assert page.locator('ul.variants li[lang="km"]').inner_text() == "កឹម សុខា"
        drawn_with_the_bundled_font(page, 'ul.variants li[lang="km"]')
        page.goto(f"{live.url}/search?lang=km&q=ទាសភាព")  # the Khmer interface: its labels too
        page.evaluate("document.fonts.ready")
        assert page.locator("h1").inner_text() == "ស្វែងរក"
        assert set(platform_fonts(page, "main h1")) == {BUNDLED}  # Khmer only: nothing else drew it
    finally:
        context.close()


@pytest.mark.browser
def test_a_latin_page_does_not_fetch_the_khmer_font(fontless_browser, live):
    context = fontless_browser.new_context()
    page = context.new_page()
    try:
        fetched = font_requests(page)
        page.goto(f"{live.url}/login?lang=en")
        page.evaluate("document.fonts.ready")
        assert not any("khmer-400" in url or "khmer-700" in url for url in fetched), fetched
        # only the switch's five glyphs (ខ្មែរ), from their 1.5 KB subset
        assert [url.rsplit("/", 1)[1] for url in fetched] == ["noto-sans-khmer-switch.woff2"]
        drawn_with_the_bundled_font(page, 'nav.languages a[lang="km"]')
    finally:
        context.close()


def test_the_bundled_font_and_its_licence_are_served(client):
    for name in ("noto-sans-khmer-khmer-400-normal.woff2", "noto-sans-khmer-khmer-700-normal.woff2",
                 "noto-sans-khmer-switch.woff2"):
        with client.get(f"/static/fonts/{name}") as response:
            assert response.status_code == 200 and response.data[:4] == b"wOF2", name
    with client.get("/static/fonts/OFL.txt") as response:
        assert "SIL OPEN FONT LICENSE" in response.get_data(as_text=True)
    with client.get("/static/archive.css") as response:
        css = response.get_data(as_text=True)
    assert css.count("font-display: swap") == 3 and css.count("unicode-range: U+1780-17FF") == 3
    assert '--khmer: "Noto Sans Khmer",' in css


def test_english_is_analyzed_exactly_as_before():
    """The old analyzer (`\\w+` words, lower-cased, accents folded) and the new one agree on English."""
    from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer
    from whoosh.support.charset import accent_map
    old = RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(accent_map)
    text = ("“It was the worse time to be human.” Mr. Kem Sokha, President of CNRP; NGO’s; "
            "Lieutenant/three-star General; António Guterres — 3 decades, 100, 200; naïve café_au_lait")
    assert [(t.text, t.startchar, t.endchar) for t in old(text, chars=True)] == [
        (t.text, t.startchar, t.endchar) for t in analysis.ANALYZER(text, chars=True)]


def test_lang_runs_wraps_khmer_inside_other_text():
    from markupsafe import Markup
    from archive.views.filters import lang_runs
    assert lang_runs("Article 4 / មាត្រា ៤ <b>") == (
        'Article 4 / <span lang="km">មាត្រា ៤</span> &lt;b&gt;')
    assert lang_runs(Markup("Hun Sen, <mark>ហ៊ុន</mark> សែន")) == (
        'Hun Sen, <mark><span lang="km">ហ៊ុន</span></mark> <span lang="km">សែន</span>')
    assert lang_runs("ហ៊ុន សែន") == "ហ៊ុន សែន"  # the element carries lang="km" itself


def test_a_link_by_khmer_name_finds_the_person_with_or_without_spaces(app, home, save, client):
    from archive import records, store
    from archive.access import SYSTEM
    index = app.extensions["archive"].index
    records.save_entity(home.db, index, "person",
                        {"id": "p-hun-sen", "name": "Hun Sen", "variants": ["ហ៊ុន សែន"]}, user="test")
    for typed in ("ហ៊ុនសែន", "ហ៊ុន\u200bសែន", "hun-sen"):
        assert store.find_by_name(home.db, "person", typed, SYSTEM) == "p-hun-sen"
    saved = save(title="ការសម្ភាសន៍", text="គាត់និយាយអំពីលោកហ៊ុនសែន។",
                 people=[{"name": "ហ៊ុនសែន", "role": "mentioned"}])
    assert [p["id"] for p in saved["people"]] == ["p-hun-sen"]
    assert saved["id"] in found(client, "Hun Sen")
    assert saved["id"] in found(client, "ហ៊ុន")
