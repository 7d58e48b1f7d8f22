"""Take the README's screenshots of this round: docs/record.png (a record page, signed in as an
archivist), docs/phone-search.png (search at a phone's 390×844: the Filters disclosure above the results) and
docs/import-check.png (the check of a CSV before anything is imported), from the sample collection
in Debian's chromium.

    .venv/bin/python scripts/screenshots.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, loaded_app  # noqa: E402

from archive import accounts, store  # noqa: E402

DOCS = ROOT / "docs"
CSV = ("title,type,date,people,places,summary\n"
       "Memories of the evacuation,testimony,1975-04,Sokunthea Vann | narrator,Phnom Penh | mentioned,"
       "Leaving Phnom Penh on foot.\n"
       "Letter from the border camps,Open letter,1980~,Sok Chan | author,Thai–Cambodian border refugee camps,\n")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        app = loaded_app(folder / "home")
        db = store.connect(app.config["DATABASE"])
        accounts.add_user(db, "ada", "a long enough password", "archivist")
        db.close()
        upload = folder / "new-testimonies.csv"
        upload.write_text(CSV, encoding="utf-8")
        try:
            with LiveServer(app) as live, sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
                phone.goto(live.url + "/search?q=human+rights")
                phone.evaluate("document.fonts.ready")
                phone.screenshot(path=str(DOCS / "phone-search.png"))
                page = browser.new_page(viewport={"width": 1200, "height": 1100})
                page.goto(live.url + "/login?next=/records/r-seed-letter")
                page.get_by_label("Username").fill("ada")
                page.get_by_label("Password").fill("a long enough password")
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url("**/records/r-seed-letter")
                page.evaluate("document.fonts.ready")
                page.screenshot(path=str(DOCS / "record.png"))
                page.goto(live.url + "/import")
                page.set_input_files("input[type=file]", str(upload))
                page.locator("form").filter(has=page.locator("input[type=file]")).locator(
                    "button, input[type=submit]").first.click()
                page.wait_for_load_state()
                page.screenshot(path=str(DOCS / "import-check.png"))
                browser.close()
        finally:
            app.extensions["archive"].close()


if __name__ == "__main__":
    main()
