"""Take the README's screenshots from the sample collection, with the sample recording on the seed
letter, in Debian's chromium:

- docs/search.png: a search on a desktop (filters at the left, the best passage of each hit marked);
- docs/record.png: the seed letter as an archivist opens it from a search for Khmer Rouge, scrolled to
  its text with the words marked, the recording's player, segments and transcript beside it;
- docs/phone-search.png: search at a phone's 390×844, the Filters disclosure above the results;
- docs/import-check.png: the check of a CSV before anything is imported;
- docs/khmer-search.png: the search page in Khmer.

Chromium is shown only the DejaVu fonts (a fontconfig file of its own), so every Khmer letter on them
is drawn with the archive's bundled Noto Sans Khmer, as on a machine with no Khmer font installed.
Each PNG is reduced to 256 colours with Pillow, which keeps text sharp at a fraction of the size.

    .venv/bin/python scripts/screenshots.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from urllib.parse import quote
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, loaded_app  # noqa: E402

from archive import accounts, cli_media, store  # noqa: E402

DOCS = ROOT / "docs"
DESKTOP = {"width": 1280, "height": 1000}
RECORD = "/records/r-seed-letter?q=Khmer+Rouge"  # as opened from a search hit
SEARCH = "/search?q=Kem+Sokha+OR+human+rights&per_page=5"
KHMER_SEARCH = "/search?lang=km&q=ទាសភាព OR Kem Sokha"
CSV = ("title,type,date,people,places,summary\n"
       "Memories of the evacuation,testimony,1975-04,Sokunthea Vann | narrator,Phnom Penh | mentioned,"
       "Leaving Phnom Penh on foot.\n"
       "Letter from the border camps,Open letter,1980~,Kem Sokhaa | author,Thai–Cambodian border refugee camps,\n")


def only_dejavu(folder: Path) -> Path:
    """A fontconfig file that shows chromium the DejaVu fonts and nothing else."""
    latin = subprocess.run(["fc-match", "--format", "%{file}", "DejaVu Sans"], capture_output=True,
                           text=True, check=True).stdout
    conf = folder / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><include ignore_missing="yes">/etc/fonts/conf.d</include>'
                    f'<dir>{Path(latin).parent}</dir>'
                    f'<cachedir>{folder / "cache"}</cachedir></fontconfig>\n', encoding="utf-8")
    return conf


def shoot(page, name: str, **options) -> None:
    """Screenshot `page` into docs/<name>.png, once its fonts are in, in 256 colours."""
    page.evaluate("document.fonts.ready")
    path = DOCS / f"{name}.png"
    page.screenshot(path=str(path), **options)
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        app = loaded_app(folder / "home")
        db = store.connect(app.config["DATABASE"])
        assert cli_media.load_sample_recording(db, app.extensions["archive"].index)
        accounts.add_user(db, "ada", "a long enough password", "archivist")
        db.close()
        upload = folder / "new-testimonies.csv"
        upload.write_text(CSV, encoding="utf-8")
        fonts = {**os.environ, "FONTCONFIG_FILE": str(only_dejavu(folder))}
        try:
            with LiveServer(app) as live, sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=fonts)
                visitor = browser.new_page(viewport=DESKTOP)
                visitor.goto(live.url + SEARCH)
                shoot(visitor, "search")
                visitor.goto(live.url + KHMER_SEARCH)
                shoot(visitor, "khmer-search")
                phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
                phone.goto(live.url + "/search?q=human+rights")
                shoot(phone, "phone-search")
                page = browser.new_page(viewport={"width": 1280, "height": 1400})
                page.goto(live.url + "/login?next=" + quote(RECORD, safe=""))
                page.get_by_label("Username").fill("ada")
                page.get_by_label("Password").fill("a long enough password")
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url("**/records/r-seed-letter*")
                # from the words marked onwards: the letter's text, the recording kept beside it
                page.evaluate("window.scrollTo(0, document.querySelector('.record-head .hint').getBoundingClientRect().top"
                              " + window.scrollY - 16)")
                shoot(page, "record")
                page.set_viewport_size(DESKTOP)
                page.goto(live.url + "/import")
                page.set_input_files("input[type=file]", str(upload))
                page.locator("form").filter(has=page.locator("input[type=file]")).locator(
                    "button, input[type=submit]").first.click()
                page.wait_for_load_state()
                shoot(page, "import-check")
                browser.close()
        finally:
            app.extensions["archive"].close()


if __name__ == "__main__":
    main()
