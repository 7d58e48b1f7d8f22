"""Search and the timeline at a phone's width (390×844) and by keyboard, in Debian's chromium: the
filters within reach at the top, tap targets of at least 24 px (WCAG 2.2), a skip link to the
filters, visible focus on disclosures, a timeline that reads."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SEARCH = "/search?q=human&per_page=5"

# Visible links of the header, the results, the facets and the pager, each with its height.
LINK_HEIGHTS = """() => [...document.querySelectorAll(
    'header.site a, .hit a, .facet a, nav.pages a, .active-filters a')]
  .filter(a => a.offsetParent !== null)
  .map(a => [a.textContent.trim() || a.getAttribute('href'), a.getBoundingClientRect().height])"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def test_phone_search_has_filters_at_the_top_and_big_enough_links(phone, live):
    phone.goto(live.url + SEARCH + "&language=en")
    toggle = phone.locator("details.filters > summary")
    expect(toggle).to_have_text("Filters")
    first_hit = phone.locator("article.hit").first
    assert toggle.bounding_box()["y"] + toggle.bounding_box()["height"] <= PHONE["height"]
    assert toggle.bounding_box()["y"] < first_hit.bounding_box()["y"]
    facets = phone.locator(".facets")
    expect(facets).to_be_hidden()  # closed at first: the results stay on the first screen
    toggle.click()
    expect(facets.get_by_role("heading", name="Type")).to_be_visible()
    small = [(name, round(h, 1)) for name, h in phone.evaluate(LINK_HEIGHTS) if h < 24]
    assert not small, f"links under 24 px tall: {small}"
    assert phone.locator("nav.pages a").count() >= 1  # the pager was measured too
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_wide_search_shows_the_filters_beside_the_results(page, live):
    page.goto(live.url + SEARCH)
    expect(page.locator("details.filters > summary")).to_be_hidden()
    expect(page.locator(".facets").get_by_role("heading", name="Type")).to_be_visible()
    facets, results = page.locator(".facets").bounding_box(), page.locator(".results").bounding_box()
    assert facets["x"] + facets["width"] <= results["x"]  # a column of its own


def test_keyboard_skips_to_the_filters_and_sees_focus_on_disclosures(page, live):
    page.goto(live.url + SEARCH)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to filters")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert focused.evaluate("el => !!el.closest('.facets')"), focused.evaluate("el => el.outerHTML")
    # both kinds of disclosure show a focus ring as thick as the links'
    page.locator("details.more > summary").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    width = page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY" and width >= 2


def test_search_headings_do_not_skip_a_level(page, live):
    page.goto(live.url + SEARCH)
    levels = page.evaluate("[...document.querySelectorAll('main h1, main h2, main h3, main h4')]"
                           ".map(h => +h.tagName[1])")
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels


def test_phone_timeline_reads(phone, live):
    phone.goto(live.url + "/timeline")
    tick = phone.locator(".timeline text.tick").first
    assert tick.bounding_box()["height"] >= 10  # not a 4 px scale model of the desktop picture
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    frame = phone.locator(".timeline .frame")
    assert frame.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls inside its frame
    expect(frame).to_have_attribute("tabindex", "0")


def test_history_column_headers_keep_their_words_whole(phone, sample_app, live):
    from archive import accounts, records, store
    from archive.access import SYSTEM
    home = sample_app.extensions["archive"]
    accounts.add_user(home.db, "ada", "a long enough password", "archivist")
    record = store.get_record(home.db, "r-seed-letter", SYSTEM)
    data = {k: record[k] for k in records.RECORD_INPUT_KEYS if record.get(k) is not None}
    records.save_record(home.db, home.index, {**data, "title": "A new title", "date": "2018"})
    phone.goto(live.url + "/login?next=/records/r-seed-letter/history")
    phone.get_by_label("Username").fill("ada")
    phone.get_by_label("Password").fill("a long enough password")
    phone.get_by_role("button", name="Sign in").click()
    headers = phone.locator("table.changes th[scope=col]")
    expect(headers.first).to_be_visible()
    lines = headers.evaluate_all("ths => ths.map(th => [th.textContent, th.getBoundingClientRect().height"
                                 " / parseFloat(getComputedStyle(th).lineHeight)])")
    assert all(n < 1.9 for _, n in lines), lines
    expect(phone.locator("ol.history p.meta").first).to_contain_text(" UTC")
