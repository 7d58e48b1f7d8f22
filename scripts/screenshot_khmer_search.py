"""Take docs/khmer-search.png: the Khmer search page of the sample collection, as Debian's chromium
draws it on a machine with no Khmer font installed (only the archive's bundled Noto Sans Khmer).

    .venv/bin/python scripts/screenshot_khmer_search.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, loaded_app  # noqa: E402

QUERY = "/search?lang=km&q=ទាសភាព OR Kem Sokha"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        latin = subprocess.run(["fc-match", "--format", "%{file}", "DejaVu Sans"], capture_output=True,
                               text=True, check=True).stdout
        conf = folder / "fonts.conf"
        conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><include ignore_missing="yes">/etc/fonts/conf.d</include>'
                        f'<dir>{Path(latin).parent}</dir>'
                        f'<cachedir>{folder / "cache"}</cachedir></fontconfig>\n', encoding="utf-8")
        app = loaded_app(folder / "home")
        try:
            with LiveServer(app) as live, sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                            env={**os.environ, "FONTCONFIG_FILE": str(conf)})
                page = browser.new_page(viewport={"width": 1200, "height": 1000})
                page.goto(live.url + QUERY)
                page.evaluate("document.fonts.ready")
                page.screenshot(path=str(ROOT / "docs" / "khmer-search.png"))
                browser.close()
        finally:
            app.extensions["archive"].close()


if __name__ == "__main__":
    main()
