"""An archivist hides a sentence of the seed letter in Debian's chromium: selects it in the text
(redact.js fills the form), redacts it as private, signs out; the sentence is gone from the page and
from search, while the rest of the letter reads and searches as before."""
import pytest
from playwright.sync_api import expect

from archive import accounts, store

pytestmark = pytest.mark.browser

SENTENCE = "I am a Cambodian American, residing in Long Beach, California."

SELECT = """(sentence) => {
  const text = document.getElementById("record-text");
  const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.replace(/\\u00a0/g, " ").indexOf(sentence);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + sentence.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      text.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
      return true;
    }
  }
  return false;
}"""


@pytest.fixture
def archivist_live(sample_app, live):
    db = store.connect(sample_app.config["DATABASE"])
    accounts.add_user(db, "ada", "a long enough password", "archivist")
    db.close()
    return live


def test_archivist_selects_a_sentence_redacts_it_and_it_is_gone_once_signed_out(page, archivist_live):
    url = archivist_live.url
    page.goto(url + "/login?next=/records/r-seed-letter")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(url + "/records/r-seed-letter")
    assert page.evaluate(SELECT, SENTENCE)
    expect(page.get_by_label("Passage to hide")).to_have_value(SENTENCE)
    page.get_by_label("Reason", exact=True).fill("names where a living person lives")
    page.get_by_label("Who may read it").select_option("private")
    page.get_by_role("button", name="Redact", exact=True).click()
    expect(page.get_by_text("The passage is hidden from those below its level.")).to_be_visible()
    expect(page.locator("mark.redacted")).to_contain_text("residing in Long Beach")
    page.get_by_role("button", name="Sign out").click()

    page.goto(url + "/records/r-seed-letter")
    body = page.locator("body")
    expect(body).not_to_contain_text("residing")
    expect(body).to_contain_text("[redacted]")
    expect(body).to_contain_text("names where a living person lives")
    expect(body).to_contain_text("Justin C. Sok")  # the rest of the letter reads as before
    found = page.request.get(url + "/search.json?q=residing").json()
    assert "r-seed-letter" not in [h["id"] for h in found["hits"]]
    assert "r-seed-letter" in [h["id"] for h in page.request.get(url + "/search.json?q=Guterres").json()["hits"]]
    assert "residing" not in page.request.get(url + "/export.jsonl").text()
    assert "residing" not in page.request.get(url + "/oai?verb=GetRecord&metadataPrefix=oai_dc"
                                                   "&identifier=oai:localhost:r-seed-letter").text()
