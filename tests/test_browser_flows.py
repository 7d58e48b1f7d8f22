"""An archivist's way back from a deletion and through a merge, in Debian's chromium (issue 15,
item 5): a deleted record's address says who deleted it and when, with its history and an Undo; a
list of deleted records; a merge reached from the person's page, previewed before it happens."""
import re

import pytest
from playwright.sync_api import expect

from archive import records
from test_browser_editor import archivist_live, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_a_deleted_record_leads_to_its_history_and_undo(page, browser, archivist_live):
    url = archivist_live.url
    sign_in(page, url)
    page.goto(url + "/records/r-seed-letter/delete")
    page.get_by_role("button", name="Delete").click()
    response = page.goto(url + "/records/r-seed-letter")
    assert response.status == 410
    expect(page.get_by_role("heading", name=re.compile("was deleted$"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Record r-seed-letter was deleted on .* by ada\."))).to_be_visible()
    expect(page.get_by_role("link", name="History")).to_have_attribute("href", "/records/r-seed-letter/history")
    page.get_by_role("link", name="Deleted records").first.click()
    row = page.get_by_role("row").filter(has_text="r-seed-letter")
    expect(row).to_contain_text("ada")
    # a visitor still gets the plain 404
    visitor = browser.new_context()
    assert visitor.new_page().goto(url + "/records/r-seed-letter").status == 404
    visitor.close()
    row.get_by_role("button", name=re.compile("^Undo delete")).click()
    expect(page.get_by_role("heading", name="The Cambodian people should no longer be left behind")).to_be_visible()
    page.goto(url + "/records/deleted")
    expect(page.get_by_text("No record has been deleted.")).to_be_visible()


def test_a_merge_from_the_persons_page_is_previewed_first(page, sample_app, archivist_live):
    home = sample_app.extensions["archive"]
    records.save_record(home.db, home.index, {"type": "testimony", "access": "public", "title": "Letter B",
                                              "people": [{"name": "Kem Sokhaa"}]}, user="test")
    url = archivist_live.url
    sign_in(page, url)
    page.goto(url + "/people")
    page.get_by_role("link", name="Kem Sokhaa").click()
    page.get_by_role("link", name="Merge this person").click()
    alike = page.locator("ul.look-alikes li")
    expect(alike.first).to_contain_text("Kem Sokha")
    expect(alike.first).to_contain_text("p-kem-sokha")
    expect(alike.first).to_contain_text(re.compile(r"\d+ records?"))
    expect(page.locator("ul.look-alikes")).not_to_contain_text("Kem Sokhaa")  # never itself
    alike.first.get_by_role("button", name="Preview merging into Kem Sokha").click()
    expect(page.get_by_role("heading", name=re.compile("Merging into Kem Sokha"))).to_be_visible()
    expect(page.locator(".merge-preview")).to_contain_text("Letter B")
    expect(page.locator(".merge-preview")).to_contain_text("Kem Sokhaa")  # the variant it gains
    page.get_by_role("button", name="Merge into Kem Sokha").click()
    expect(page).to_have_url(url + "/people/p-kem-sokha")
    expect(page.get_by_text("was merged into Kem Sokha")).to_be_visible()
    # and undone from the flash, with CSRF on (sample_app): Kem Sokhaa is back at its own address
    old_url = page.evaluate("() => document.querySelector('.flash form').action")
    old_id = old_url.rstrip("/").split("/")[-2]
    page.get_by_role("button", name="Undo this merge").click()
    expect(page).to_have_url(url + f"/people/{old_id}")
    expect(page.get_by_text("The merge was undone")).to_be_visible()
    expect(page.get_by_role("heading", name="Kem Sokhaa")).to_be_visible()
    expect(page.get_by_role("link", name="Letter B")).to_be_visible()


def test_a_new_record_reports_every_problem_in_one_pass(page, archivist_live):
    """Item 8: a wrong date and a new name are reported together, languages typed as names."""
    url = archivist_live.url
    sign_in(page, url)
    page.goto(url + "/records/new")
    page.get_by_label("Title", exact=True).fill("Testimony of Sokunthea Vann")
    page.get_by_label("Type").select_option("testimony")
    page.get_by_label("Date", exact=True).fill("circa 1975")
    page.get_by_label("Languages").fill("Khmer, English")
    page.get_by_label("People").fill("Sokunthea Vann | narrator")
    page.get_by_label("Access", exact=True).select_option("public")
    page.get_by_role("button", name="Save").click()
    # one answer: the date's fix and the new name's confirmation together
    expect(page.get_by_text("Did you mean 1975~?")).to_be_visible()
    expect(page.get_by_text("New to the archive:")).to_be_visible()
    expect(page.get_by_label("Create these")).to_be_visible()
    page.get_by_label("Date", exact=True).fill("1975~")
    page.get_by_label("Create these").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved revision 1.")).to_be_visible()
    record_id = page.url.split("/")[-2]
    assert page.request.get(url + f"/records/{record_id}.json").json()["language"] == ["km", "en"]
