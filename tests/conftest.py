"""Fixtures: a real archive (SQLite file and Whoosh index) in tmp_path, the real app, a real server."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from archive import clock, create_app, records, store

SAMPLE = Path(__file__).resolve().parent.parent / "archive" / "sample" / "sample.jsonl"


def config(home: Path, **extra) -> dict:
    return {"TESTING": True, "WTF_CSRF_ENABLED": False, "ARCHIVE_HOME": str(home),
            "DATABASE": str(home / "records" / "archive.db"),
            "SEARCH_INDEX": str(home / "search_index"), "SECRET_KEY": "test", **extra}


@pytest.fixture(autouse=True)
def running_clock():
    """Every test starts with the clock running; a test that sets it leaves it for no other."""
    yield clock.CLOCK
    clock.CLOCK.reset()


@pytest.fixture
def app(tmp_path):
    app = create_app(config(tmp_path / "home"))
    yield app
    app.extensions["archive"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def home(app):
    """The app's Archive: `home.db` is its own connection (as the command line's), `home.index`."""
    return app.extensions["archive"]


@pytest.fixture
def save(home):
    """Save a record through the one write path: save(title=..., **fields) -> record."""
    def _save(**fields):
        data = {"type": "testimony", "access": "public", "title": "Untitled", **fields}
        return records.save_record(home.db, home.index, data, user="test")
    return _save


@pytest.fixture
def canaries(save):
    """One record per access level, plus an embargoed one, each with its own person, collection
    and year, so that every output can be checked for what a viewer must not see."""
    made = {}
    years = {"public": 1950, "restricted": 1960, "private": 1970, "embargoed": 1980}
    for level in ("public", "restricted", "private", "embargoed"):
        made[level] = save(title=f"Canary {level}", text=f"canary canary{level} words",
                           access="public" if level == "embargoed" else level,
                           embargo_until="2999-12-31" if level == "embargoed" else None,
                           date=f"{years[level]}-01-01", collection=f"Coll {level}",
                           people=[{"name": f"Witness {level}", "role": "narrator"}])
    return made


def read_jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def without_timestamps(objects: list[dict]) -> list[dict]:
    return [{k: v for k, v in o.items() if k not in ("created_at", "updated_at", "revision")}
            for o in objects]


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()


def loaded_app(home: Path, source: Path = SAMPLE, **extra):
    """A real app whose archive (under `home`) holds the collection in `source`."""
    from archive import importer
    cfg = config(home, **extra)
    app = create_app(cfg)
    db = store.connect(cfg["DATABASE"])
    importer.run(db, app.extensions["archive"].index, source, user="test")
    db.close()
    return app


@pytest.fixture
def sample_app(tmp_path):
    """An app whose archive holds the bundled sample collection (CSRF left on)."""
    app = loaded_app(tmp_path / "sample", WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["archive"].close()


# --- browser tests ---------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make test` as root, or "
                    "`apt-get update && apt-get install -y chromium fonts-khmeros`")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; a screenshot is kept in test-artifacts/ when the test fails."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def live(sample_app):
    with LiveServer(sample_app) as server:
        yield server
