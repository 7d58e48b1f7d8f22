"""An archivist hides a sentence of the seed letter in Debian's chromium: selects it in the text
(redact.js fills the form), redacts it as private, signs out; the sentence is gone from the page and
from search, while the rest of the letter reads and searches as before."""
import pytest
from playwright.sync_api import expect

from archive import store
from test_browser_editor import archivist_live, sign_in  # noqa: F401 (a fixture)

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


def test_archivist_selects_a_sentence_redacts_it_and_it_is_gone_once_signed_out(page, archivist_live):
    url = archivist_live.url
    sign_in(page, url, "/records/r-seed-letter")
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


def _samples(data: bytes, rate: int = 8000):
    import array
    import subprocess
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", "pipe:0", "-f", "s16le", "-ac", "1", "-ar", str(rate), "-"],
                         input=data, capture_output=True, check=True).stdout
    return array.array("h", raw)


def test_archivist_ticks_cues_of_the_sample_recording_and_once_signed_out_it_plays_silent_there(
        page, sample_app, archivist_live):
    from archive import cli_media
    db = store.connect(sample_app.config["DATABASE"])
    assert cli_media.load_sample_recording(db, sample_app.extensions["archive"].index)  # as `init --sample`
    db.close()
    url = archivist_live.url
    sign_in(page, url, "/records/r-seed-letter")
    page.goto(url + "/records/r-seed-letter")
    page.locator("#pick-m1-5").check()  # "My name is Justin C. Sok."
    page.locator("#pick-m1-6").check()  # "I am a Cambodian American, residing in Long Beach, California."
    form = page.locator("#redact-time-form")
    expect(form.get_by_label("From")).to_have_value("13.927")  # redact.js: the span of the cues ticked
    expect(form.get_by_label("To")).to_have_value("20.808")
    form.get_by_label("Reason", exact=True).fill("names where a living person lives")
    form.get_by_label("Who may read it").select_option("private")
    form.get_by_role("button", name="Redact", exact=True).click()
    expect(page.get_by_text("The time range is silent and its cues hidden for those below its level.")).to_be_visible()
    expect(page.locator("#redactions")).to_contain_text("recording m1, 0:13–0:20")
    expect(page.locator("#cue-m1-6 mark.redacted")).to_contain_text("residing")
    page.get_by_role("button", name="Sign out").click()

    page.goto(url + "/records/r-seed-letter")
    expect(page.locator("#cue-m1-6")).to_contain_text("[redacted]")
    expect(page.locator("#cue-m1-6")).not_to_contain_text("residing")
    expect(page.locator("#cue-m1-4")).to_contain_text("Dear Honorable Secretary-General Guterres")
    assert "residing" not in page.request.get(url + "/records/r-seed-letter/media/m1.vtt").text()
    # chromium reads the silenced copy as a recording of the same length
    for _ in range(600):  # the first listener may wait while ffmpeg makes the copy
        if page.evaluate("() => document.querySelector('audio.player').readyState") >= 1:
            break
        page.wait_for_timeout(100)
    assert abs(page.evaluate("document.querySelector('audio.player').duration") - 422.2) < 1
    heard = _samples(page.request.get(url + "/records/r-seed-letter/media/m1", timeout=120000).body())
    assert max(abs(s) for s in heard[int(14.3 * 8000):int(20.5 * 8000)]) < 50  # silent there
    assert max(abs(s) for s in heard[int(3.7 * 8000):int(6.4 * 8000)]) > 1000  # the rest plays


def test_the_transcript_with_cue_checkboxes_and_the_time_range_form_pass_axe(browser, sample_app, archivist_live):
    from archive import cli_media, records
    from archive.access import SYSTEM
    from test_browser_axe import WIDTHS, check_pages
    db = store.connect(sample_app.config["DATABASE"])
    index = sample_app.extensions["archive"].index
    assert cli_media.load_sample_recording(db, index)
    letter = store.get_record(db, "r-seed-letter", SYSTEM)
    records.save_record(db, index, {**letter, "redactions": [
        {"id": "x1", "media": "m1", "from": 13.9, "to": 20.8, "reason": "a name", "access": "private", "until": None}]})
    db.close()
    pages = {"record with a transcript": "/records/r-seed-letter", "time range form": "/records/r-seed-letter/redactions/x1"}
    problems = [p for width in WIDTHS for p in check_pages(browser, archivist_live.url, width, pages, sign_in=True)]
    assert not problems, "axe-core found:\n" + "\n".join(problems)
