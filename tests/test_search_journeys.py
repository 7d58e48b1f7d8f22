"""Researcher journeys in Debian's chromium: search, narrow, read the passage, follow a name, timeline."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_search_narrow_open_and_land_on_the_passage(page, live):
    page.goto(live.url + "/")
    page.get_by_label("Search").fill("human rights")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search\?q=human\+rights"))
    expect(page.locator(".hit mark").first).to_be_visible()
    total = page.locator("p.total").inner_text()
    facets = page.get_by_role("complementary", name="Narrow the results")
    facets.locator(".facet", has_text="Language").get_by_role("link", name="Khmer").click()
    expect(page).to_have_url(re.compile(r"language=km"))
    expect(page.locator(".active-filters")).to_contain_text("Khmer")  # the language named, not its code
    assert page.locator("p.total").inner_text() != total
    assert page.locator(".hit").count() > 0
    page.locator(".hit h3 a").first.click()
    expect(page).to_have_url(re.compile(r"/records/udhr-km-[^?]+\?q=human\+rights(#p\d+)?$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("(Khmer)")


def test_a_result_opens_at_the_highlighted_passage_then_a_person(page, live):
    page.goto(live.url + "/search?q=Kim+Sokha")
    link = page.get_by_role("link", name="The Cambodian people should no longer be left behind")
    href = link.get_attribute("href")
    assert re.search(r"\?q=Kim\+Sokha#p\d+$", href)
    link.click()
    anchor = href.split("#")[1]
    target = page.locator(f"#{anchor}")
    expect(target).to_be_in_viewport()
    expect(target.locator("mark").first).to_be_visible()
    expect(target.locator("mark").first).to_have_text(re.compile("K[ei]m Sokha"))
    assert set(page.locator(".text mark").all_inner_texts()) <= {"Kem Sokha", "Kim Sokha", "កឹម សុខា"}
    expect(page.locator("#chicago")).to_contain_text("accessed")
    page.locator("dl.fields").get_by_role("link", name="Kem Sokha", exact=True).click()
    expect(page.get_by_role("heading", name="Kem Sokha")).to_be_visible()
    expect(page.locator(".variants").get_by_text("Kim Sokha", exact=True)).to_be_visible()


def test_the_timeline_opens_a_year(page, live):
    page.goto(live.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("figure.timeline svg")).to_be_visible()
    bar = page.locator('svg a.year[aria-label^="1948"]')
    count = bar.get_attribute("aria-label").split(": ")[1]  # "16 records"
    bar.click()
    expect(page).to_have_url(re.compile(r"/search\?from=1948&to=1948"))
    expect(page.locator("p.total")).to_have_text(count)
