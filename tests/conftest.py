"""Fixtures: a real archive (SQLite file and Whoosh index) in tmp_path, the real app, a real server."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from archive import create_app, records, store
from archive.cli import Home

SAMPLE = Path(__file__).resolve().parent.parent / "archive" / "sample" / "sample.jsonl"


def config(home: Path, **extra) -> dict:
    return {"TESTING": True, "WTF_CSRF_ENABLED": False, "ARCHIVE_HOME": str(home),
            "DATABASE": str(home / "records" / "archive.db"),
            "SEARCH_INDEX": str(home / "search_index"), "SECRET_KEY": "test", **extra}


@pytest.fixture
def app(tmp_path):
    app = create_app(config(tmp_path / "home"))
    yield app
    app.extensions["archive.index"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def home(app):
    """The store and index of the app's archive, as the command line opens them."""
    h = Home(app.config)
    yield h
    h.close()


@pytest.fixture
def save(app, home):
    """Save a record through the one write path: save(title=..., **fields) -> record."""
    index = app.extensions["archive.index"]

    def _save(**fields):
        data = {"type": "testimony", "access": "public", "title": "Untitled", **fields}
        return records.save_record(home.db, index, data, user="test")
    return _save


@pytest.fixture
def canaries(app, home, save):
    """One record per access level, plus an embargoed one, each with its own person, collection
    and year, so that every output can be checked for what a viewer must not see.

    Each record also brings authorities that no other record names, reached from it only through
    `part_of` chains and event places (`CHAIN`), and authorities no record reaches at all
    (`UNLINKED`). Besides: "Hall shared", a place linked only to the private record but also one of
    the public event's places, and "p-namesake", a second person called "Witness public" linked
    only to the private record.
    """
    index = app.extensions["archive.index"]

    def entity(kind: str, **data) -> str:
        return records.save_entity(home.db, index, kind, data, user="test")["id"]
    hall = entity("place", name="Hall shared")
    made = {}
    years = {"public": 1950, "restricted": 1960, "private": 1970, "embargoed": 1980}
    for level in ("public", "restricted", "private", "embargoed"):
        year = years[level]
        region = entity("place", name=f"Region {level}")  # only the part_of parent of the record's place
        village = entity("place", name=f"Village {level}", part_of=region)
        entity("place", name=f"Hamlet {level}", part_of=village)  # in no record at all
        land = entity("place", name=f"Land {level}")  # only the place of the larger event
        era = entity("event", name=f"Era {level}", date=f"{year - 5}/{year + 5}", places=[{"id": land}])
        venue = entity("place", name=f"Venue {level}")  # only the place of the record's event
        event = entity("event", name=f"Event {level}", date=f"{year}-01-01", part_of=era,
                       places=[{"id": venue}, *([{"id": hall}] if level == "public" else [])])
        entity("event", name=f"Episode {level}", date=f"{year}-02-01", part_of=event)  # in no record
        people = [{"name": f"Witness {level}", "role": "narrator"}]
        places = [{"id": village, "role": "recorded_at"}]
        if level == "private":
            people.append({"id": "p-namesake", "name": "Witness public", "role": "mentioned"})
            places.append({"id": hall, "role": "mentioned"})
        made[level] = save(title=f"Canary {level}", text=f"canary canary{level} words",
                           access="public" if level == "embargoed" else level,
                           embargo_until="2999-12-31" if level == "embargoed" else None,
                           date=f"{year}-01-01", collection=f"Coll {level}",
                           people=people, places=places, events=[{"id": event}])
    return made


# Authorities each canary record reaches only through its place's part_of chain and its event
# (the event's places, the larger event and its places): visible with the record, hidden with it.
CHAIN = {"Region": "place", "Village": "place", "Land": "place", "Venue": "place",
         "Era": "event", "Event": "event"}
# Authorities beside each canary that no record reaches at all: only archivists see them.
UNLINKED = {"Hamlet": "place", "Episode": "event"}


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
    importer.run(db, app.extensions["archive.index"], source, user="test")
    db.close()
    return app


@pytest.fixture
def sample_app(tmp_path):
    """An app whose archive holds the bundled sample collection (CSRF left on)."""
    app = loaded_app(tmp_path / "sample", WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["archive.index"].close()


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
