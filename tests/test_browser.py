"""Journeys in Debian's chromium against a real server holding the sample collection."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_then_a_record(page, live):
    page.goto(live.url + "/")
    expect(page.get_by_role("heading", name="Testimony archive")).to_be_visible()
    expect(page.get_by_label("Search")).to_be_visible()
    page.get_by_role("link", name="The Cambodian people should no longer be left behind").first.click()
    expect(page).to_have_url(re.compile(r"/records/r-seed-letter$"))
    expect(page.locator("#p1")).to_be_visible()
    expect(page.get_by_role("link", name="Kem Sokha", exact=True)).to_be_visible()
    page.get_by_role("link", name="Kem Sokha", exact=True).click()
    expect(page.get_by_role("heading", name="Kem Sokha")).to_be_visible()
    expect(page.locator(".variants").get_by_text("Kim Sokha", exact=True)).to_be_visible()
    expect(page.locator(".variants [lang=km]")).to_have_text("កឹម សុខា")


def test_search_from_the_home_page(page, live):
    page.goto(live.url + "/")
    page.get_by_label("Search").fill("Guterres")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/search\?q=Guterres"))
    expect(page.get_by_role("link", name="The Cambodian people should no longer be left behind")).to_be_visible()


def test_phone_width_has_no_sideways_scroll(browser, live):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    pg = context.new_page()
    pg.goto(live.url + "/records/r-seed-letter")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
