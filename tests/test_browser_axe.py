"""axe-core (tests/data/axe.min.js, see tests/data/SOURCES.md) on every page type, signed in and not,
at desktop and phone width, in Debian's chromium: any serious or critical violation fails.

One browser for the session (conftest), one context per width and viewer, one load per page type.
axe is added as an init script, which the page's Content-Security-Policy does not govern, so the
pages are checked under the policy they are served with.

The sample is prepared as a reader finds it after `make run` and some work: the sample recording is
on the seed letter (player, segments, transcript), one record is deleted, and the archivist's pass
ends with a merge (its preview, then the person's page with the Undo flash) and the Khmer interface,
which the `?lang=km` cookie keeps for the pages after it, so those come last.
"""
import hashlib
from pathlib import Path

import pytest

from archive import accounts, cli_media, records, store

from conftest import ARTIFACTS

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "data" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # 4.14.1, SOURCES.md
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SERIOUS = ("serious", "critical")

DELETED = "pet-0010"  # deleted by the `prepared` fixture


def merge_preview(page, url: str) -> None:
    """Kim Sok's merge page, with Kem Sokha chosen: the preview of what would move."""
    page.get_by_label("Merge into").fill("p-kem-sokha")
    page.get_by_role("button", name="Preview the merge").click()
    page.wait_for_selector("section.merge-preview")


def merged(page, url: str) -> None:
    """The merge confirmed: Kem Sokha's page with the flash offering to undo it."""
    page.get_by_role("button", name="Merge into Kem Sokha").click()
    page.wait_for_url(url + "/people/p-kem-sokha")
    page.get_by_role("button", name="Undo this merge").wait_for()


# page type -> path, or a function acting on the page left by the one before it;
# "first:<list>" visits the first item linked from that list page
PUBLIC = {
    "home": "/",
    "search with results": "/search?q=human&per_page=5",
    "search without results": "/search?q=zzzqqq",
    "search of a spoken word": "/search?q=Guterres",
    "record with a recording": "/records/r-seed-letter",
    "record in Khmer": "/records/udhr-km-01",
    "people": "/people", "person": "/people/p-kem-sokha",
    "events": "/events", "event": "/events/e-khmer-rouge-regime",
    "places": "/places", "place": "/places/l-phnom-penh",
    "timeline": "/timeline",
    "subjects": "/subjects", "subject": "first:/subjects/",
    "collections": "/collections", "collection": "first:/collections/",
    "error 404": "/records/no-such-record",
}
KHMER = {"home in Khmer": "/?lang=km", "search in Khmer": "/search?q=សិទ្ធិ&per_page=5",
          "record with a recording in Khmer": "/records/r-seed-letter"}
ANONYMOUS = {**PUBLIC, "login": "/login", **KHMER}
ARCHIVIST = {**PUBLIC, "new record form": "/records/new", "record form": "/records/r-seed-letter/edit",
             "history": "/records/r-seed-letter/history", "person form": "/people/p-kem-sokha/edit",
             "import": "/import", "bulk access": "/search/access?q=human&set_access=private",
             "new redaction form": "/records/r-seed-letter/redactions",  # the record page's forms and a
             "access report": "/reports/access",  # time range's: tests/test_browser_redaction.py "deleted records": "/records/deleted",
             "deleted record": f"/records/{DELETED}", "deleted record's history": f"/records/{DELETED}/history",
             "merge form": "/people/p-kim-sok/merge", "merge preview": merge_preview, "after a merge": merged,
             **KHMER}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(0, 2).join(' '))}));
}"""


def check_pages(browser, url: str, width: str, pages: dict, sign_in: bool = False) -> list[str]:
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256, "tests/data/axe.min.js changed"
    context = browser.new_context(viewport=WIDTHS[width])
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    problems = []
    try:
        if sign_in:
            page.goto(url + "/login")
            page.get_by_label("Username").fill("ada")
            page.get_by_label("Password").fill("a long enough password")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(url + "/")
        first_links = {}
        for name, path in pages.items():
            if callable(path):
                path(page, url)
                path = page.url.removeprefix(url)
            else:
                if path.startswith("first:"):
                    path = first_links[path[6:]]
                page.goto(url + path)
            for prefix in ("/subjects/", "/collections/"):
                if path == prefix.rstrip("/"):
                    first_links[prefix] = page.locator(f"main a[href^='{prefix}']").first.get_attribute("href")
            for v in page.evaluate(RUN_AXE):
                problems.append(f"{name} ({path}, {width}): {v['impact']} {v['id']} — {v['help']}\n    "
                                + "\n    ".join(v["nodes"]))
    finally:
        if problems:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"axe-{width}-{'archivist' if sign_in else 'anonymous'}.png"),
                            full_page=True)
        context.close()
    return problems


@pytest.fixture
def prepared(sample_app):
    """The sample with its recording on the seed letter, one record deleted, and an archivist."""
    db = store.connect(sample_app.config["DATABASE"])
    index = sample_app.extensions["archive"].index
    assert cli_media.load_sample_recording(db, index)
    records.delete_record(db, index, DELETED, "test")
    accounts.add_user(db, "ada", "a long enough password", "archivist")
    db.close()
    return sample_app


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_violation_for_a_visitor(browser, prepared, live, width):
    problems = check_pages(browser, live.url, width, ANONYMOUS)
    assert not problems, "axe-core found:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_violation_for_an_archivist(browser, prepared, live, width):
    problems = check_pages(browser, live.url, width, ARCHIVIST, sign_in=True)
    assert not problems, "axe-core found:\n" + "\n".join(problems)
