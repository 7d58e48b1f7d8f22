"""In a real browser (Debian's chromium): a word spoken in the sample recording is searched, the hit
opened, and the player is at that moment with the cue marked; a click on another cue seeks there."""
import pytest
from playwright.sync_api import expect

from archive import cli_media, store
from conftest import LiveServer, loaded_app

pytestmark = pytest.mark.browser


@pytest.fixture
def live_recording(tmp_path):
    app = loaded_app(tmp_path / "sample", WTF_CSRF_ENABLED=True)
    archive = app.extensions["archive"]
    db = store.connect(app.config["DATABASE"])
    assert cli_media.load_sample_recording(db, archive.index)
    db.close()
    with LiveServer(app) as server:
        yield server
    archive.close()


def current_time(page) -> float:
    return page.evaluate("document.querySelector('audio.player').currentTime")


def test_a_spoken_word_is_found_and_the_player_opens_at_its_moment(page, live_recording):
    page.goto(f"{live_recording.url}/search?q=Guterres")
    hit = page.locator("article.hit").first
    expect(hit.locator(".snippet mark")).to_have_text("Guterres")
    hit.locator("h3 a").click()
    page.wait_for_url("**/records/r-seed-letter?t=3.623*")
    page.wait_for_function("document.querySelector('audio.player').readyState >= 1")
    assert current_time(page) == pytest.approx(3.623, abs=0.3)
    marked = page.locator("ol.cues li[aria-current='true']")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("Antonio Guterres")
    # with JavaScript, a click on a cue's time seeks there and marks that cue
    cue = page.locator("ol.cues li").nth(4)
    cue.locator("a.time").click()
    page.wait_for_function("Math.abs(document.querySelector('audio.player').currentTime - 13.927) < 0.3")
    expect(cue).to_have_attribute("aria-current", "true")
    expect(page.locator("ol.cues li[aria-current='true']")).to_have_count(1)


def test_the_record_page_with_a_recording_is_usable_at_phone_width(browser, live_recording):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(f"{live_recording.url}/records/r-seed-letter?t=20")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    expect(page.locator("audio.player")).to_be_visible()
    context.close()


def test_on_a_wide_screen_the_recording_stays_beside_the_text_as_it_scrolls(browser, live_recording):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_recording.url}/records/r-seed-letter#p10")
    text, side = page.locator("#record-text").bounding_box(), page.locator(".record-side").bounding_box()
    assert side["x"] >= text["x"] + text["width"]  # beside the text, not above it
    expect(page.locator("audio.player")).to_be_in_viewport()  # read down to ¶10, the player is still there
    expect(page.locator("ol.cues")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.set_viewport_size({"width": 390, "height": 844})  # narrower: one column, the recording first
    text, side = page.locator("#record-text").bounding_box(), page.locator(".record-side").bounding_box()
    assert side["y"] + side["height"] <= text["y"]
    context.close()
