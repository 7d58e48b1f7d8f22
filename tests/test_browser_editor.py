"""An archivist's journey in Debian's chromium: sign in, create a record linked to a new person and a
known place (typing help included), find it in search at once, edit it, restore the first revision."""
import re

import pytest
from playwright.sync_api import expect

from archive import accounts, store

pytestmark = pytest.mark.browser


@pytest.fixture
def archivist_live(sample_app, live):
    db = store.connect(sample_app.config["DATABASE"])
    accounts.add_user(db, "ada", "a long enough password", "archivist")
    db.close()
    return live


def sign_in(page, url, next_path="/"):
    page.goto(url + next_path)
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("ada (archivist)")).to_be_visible()


def test_archivist_creates_finds_edits_and_restores(page, archivist_live):
    url = archivist_live.url
    sign_in(page, url)
    page.get_by_role("link", name="New record").click()
    expect(page.get_by_role("heading", name="New record")).to_be_visible()
    page.get_by_label("Title", exact=True).fill("Testimony of Sokunthea Vann")
    page.get_by_label("Type").select_option("testimony")
    page.get_by_label("Date", exact=True).fill("circa 1975")
    page.get_by_label("Text", exact=True).fill("We walked out of Phnom Penh in April 1975.")
    page.get_by_label("People").fill("Sokunthea Vann | narrator")
    # typing help offers the known place
    places = page.get_by_label("Places")
    places.click()
    places.press_sequentially("Long Bea")
    page.locator("ul.suggestions").get_by_role("button", name="Long Beach, California").click()
    places.press("End")
    places.press_sequentially(" | recorded at")
    expect(places).to_have_value("Long Beach, California | recorded at")
    page.get_by_label("Access", exact=True).select_option("public")
    page.get_by_role("button", name="Save").click()
    # the date is offered in EDTF, nothing was saved, everything typed is kept
    expect(page.get_by_text("Did you mean 1975~?")).to_be_visible()
    expect(page.get_by_label("Title", exact=True)).to_have_value("Testimony of Sokunthea Vann")
    page.get_by_role("button", name="Use 1975~").click()
    expect(page.get_by_label("Date", exact=True)).to_have_value("1975~")
    # the text mentions a known place: offered as a suggested link
    expect(page.locator("fieldset.suggested")).to_contain_text("Phnom Penh")
    page.get_by_role("button", name="Save").click()
    # the new person is created only once confirmed
    expect(page.get_by_text("New to the archive:")).to_be_visible()
    page.get_by_label("Create these").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved revision 1.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/records/r\w+/edit$"))
    record_id = page.url.split("/")[-2]

    # in search at once
    page.goto(url + "/search?q=Sokunthea")
    expect(page.get_by_role("link", name="Testimony of Sokunthea Vann")).to_be_visible()
    page.goto(url + f"/records/{record_id}")
    expect(page.get_by_role("link", name="Sokunthea Vann", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Long Beach, California")).to_be_visible()

    # edit it
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Title", exact=True).fill("Testimony of Sokunthea Vann (1975)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved revision 2.")).to_be_visible()
    page.goto(url + "/search?q=Sokunthea")
    expect(page.get_by_role("link", name="Testimony of Sokunthea Vann (1975)")).to_be_visible()

    # restore the first revision
    page.goto(url + f"/records/{record_id}/history")
    expect(page.locator("#rev2")).to_contain_text("Testimony of Sokunthea Vann (1975)")
    page.get_by_role("button", name="Restore revision 1").click()
    expect(page.get_by_text("Revision 1 restored as revision 3.")).to_be_visible()
    page.goto(url + f"/records/{record_id}")
    expect(page.get_by_role("heading", name="Testimony of Sokunthea Vann", exact=True)).to_be_visible()


def test_sign_out_and_delete_with_undo(page, archivist_live):
    url = archivist_live.url
    sign_in(page, url, "/records/r-seed-letter")
    expect(page).to_have_url(re.compile(r"/records/r-seed-letter$"))
    page.goto(url + "/records/r-seed-letter/delete")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("button", name="Undo delete")).to_be_visible()
    page.get_by_role("button", name="Undo delete").click()
    expect(page.get_by_role("heading", name="The Cambodian people should no longer be left behind")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(url + "/records/new")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_the_record_form_fits_a_phone(browser, archivist_live):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    pg = context.new_page()
    sign_in(pg, archivist_live.url)
    for path in ("/records/r-seed-letter/edit", "/records/r-seed-letter/history", "/people/p-kem-sokha/edit"):
        pg.goto(archivist_live.url + path)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 375, path
    context.close()
