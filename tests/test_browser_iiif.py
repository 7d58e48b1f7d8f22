"""A real IIIF consumer in a real browser: Mirador (tests/data/iiif-viewer/, see tests/data/SOURCES.md)
opens the sample recording's Presentation 3 manifest in Debian's chromium and shows its label, its
audio Canvas in a player that loads the file, and its segment Ranges in the table of contents; a
restricted record's manifest answers 404 to the same anonymous fetch (docs/architecture.md,
"Recordings").

The viewer is served by a server of the test's own, on another port than the archive's, so the
viewer reads the manifest, and plays the file, across origins as a viewer elsewhere would. One page
load: one Mirador with two windows, the public recording's and the restricted record's.
"""
import hashlib
import json
import urllib.request
from pathlib import Path

import pytest
from flask import Flask, Response, send_file
from playwright.sync_api import expect

from archive import cli_media, records, store
from archive.access import SYSTEM
from conftest import LiveServer, loaded_app

pytestmark = pytest.mark.browser

MIRADOR = Path(__file__).resolve().parent / "data" / "iiif-viewer" / "mirador.min.js"
MIRADOR_SHA256 = "86109137e947117095f44b800c69b27c0e0ac5ef41e0a354839f33e761cec0e3"  # 4.0.0, SOURCES.md
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mirador</title>
<script src="mirador.min.js"></script></head>
<body><div id="viewer" style="position:absolute;inset:0"></div>
<script>Mirador.viewer(%s);</script></body></html>"""


def viewer_app(config: dict) -> Flask:
    """The viewer's own site: a page that starts Mirador with `config`, and the vendored bundle."""
    if hashlib.sha256(MIRADOR.read_bytes()).hexdigest() != MIRADOR_SHA256:
        pytest.fail(f"{MIRADOR} is not the Mirador 4.0.0 bundle that tests/data/SOURCES.md describes")
    site = Flask("iiif-viewer")
    site.add_url_rule("/", "page", lambda: Response(PAGE % json.dumps(config), mimetype="text/html"))
    site.add_url_rule("/mirador.min.js", "bundle", lambda: send_file(MIRADOR, mimetype="text/javascript"))
    return site


@pytest.fixture
def archive_with_recordings(tmp_path):
    """The sample with its recording on r-seed-letter, plus a restricted record holding the same
    recording; served with BASE_URL at the live server, so the manifest's links lead to it."""
    app = loaded_app(tmp_path / "sample", WTF_CSRF_ENABLED=True)
    archive = app.extensions["archive"]
    db = store.connect(app.config["DATABASE"])
    assert cli_media.load_sample_recording(db, archive.index)
    letter = store.get_record(db, "r-seed-letter", SYSTEM)
    records.save_record(db, archive.index, {**records.record_input(letter), "id": "r-restricted-reading",
                                            "title": "A restricted reading", "access": "restricted"},
                        user="test")
    db.close()
    with LiveServer(app) as server:
        app.config["BASE_URL"] = server.url + "/"
        yield server
    archive.close()


def test_mirador_shows_the_label_the_audio_canvas_and_the_segment_ranges(page, archive_with_recordings):
    live = archive_with_recordings
    public = f"{live.url}/records/r-seed-letter/manifest.json"
    restricted = f"{live.url}/records/r-restricted-reading/manifest.json"
    with urllib.request.urlopen(public) as answer:
        manifest = json.load(answer)
    label = manifest["label"]["en"][0]
    canvas = manifest["items"][0]
    audio_url = canvas["items"][0]["items"][0]["body"]["id"]
    titles = [r["label"]["en"][0] for r in manifest["structures"][0]["items"]]
    assert len(titles) >= 3 and audio_url.startswith(live.url)

    statuses = {}  # what the viewer's anonymous fetches of the two manifests were answered
    page.on("response", lambda r: statuses.update({r.url: r.status}) if r.url in (public, restricted) else None)
    config = {"id": "viewer", "windows": [{"manifestId": public, "sideBarOpen": True, "sideBarPanel": "canvas"},
                                          {"manifestId": restricted}]}
    with LiveServer(viewer_app(config)) as site:
        assert site.url != live.url  # another origin: the manifest and the file are read across origins
        page.goto(site.url + "/")
        window = page.locator(".mirador-window").filter(has_text=label)
        expect(window).to_have_count(1)
        expect(window.locator(".mirador-window-top-bar")).to_contain_text(label)
        # the audio Canvas: a player whose file loads (the archive allows the anonymous cross-origin read)
        player = window.locator("audio")
        expect(player).to_have_count(1)
        page.wait_for_function("audio => audio.readyState >= 1", arg=player.element_handle(),
                               timeout=10_000)
        source, duration = player.evaluate("audio => [audio.currentSrc, audio.duration]")
        assert source == audio_url and duration == pytest.approx(canvas["duration"], abs=0.5)
        # the Ranges: every segment's title in the table of contents, under the manifest's "Contents"
        contents = window.get_by_role("tree")
        top = manifest["structures"][0]["label"]["en"][0]
        expect(contents.get_by_role("treeitem", name=top)).to_be_visible()
        for title in titles:
            expect(contents.get_by_text(title, exact=True)).to_be_visible()
        # the restricted record: its manifest is not found, and the viewer says it could not load it
        other = page.locator(".mirador-window").filter(has_not_text=label)
        expect(other).to_have_count(1)
        expect(other).to_contain_text("NOT FOUND")  # the 404's reason, readable across origins
        expect(page.locator("body")).not_to_contain_text("A restricted reading")
    assert statuses == {public: 200, restricted: 404}
