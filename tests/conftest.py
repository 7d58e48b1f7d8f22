"""Fixtures: a real archive (SQLite file and Whoosh index) in tmp_path, the real app, a real server."""
from __future__ import annotations

import json
import re
import threading
from collections import Counter
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from archive import accounts, clock, create_app, records, store
from archive.views.common import get_db

SAMPLE = Path(__file__).resolve().parent.parent / "archive" / "sample" / "sample.jsonl"

# Counts read from the sample itself, so that a sample with one more record needs no test edited.
_SAMPLE = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
SAMPLE_KINDS = Counter(o["kind"] for o in _SAMPLE)  # record, person, event, place
SAMPLE_RECORDS = SAMPLE_KINDS["record"]
SAMPLE_OBJECTS = len(_SAMPLE)
SAMPLE_PUBLIC = sum(1 for o in _SAMPLE  # the records an anonymous visitor or harvester sees
                    if o["kind"] == "record" and o["access"] == "public" and not o.get("embargo_until"))


def config(home: Path, **extra) -> dict:
    return {"TESTING": True, "WTF_CSRF_ENABLED": False, "ARCHIVE_HOME": str(home),
            "DATABASE": str(home / "records" / "archive.db"),
            "SEARCH_INDEX": str(home / "search_index"), "SECRET_KEY": "test",
            "BASE_URL": "http://localhost/", **extra}  # the test client's own address


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


PASSWORD = "a long enough password"
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class AuthActions:
    """Sign in and out through the real /login and /logout forms, as a person does (flaskr's
    tests/conftest.py `AuthActions`). Users are made by the real accounts code, and only the app ever
    writes the session cookie, so the tests hold whatever a session is (signed cookie, or a key to
    a session kept and revoked on the server)."""

    def __init__(self, client):
        self.client = client
        self.app = client.application

    def add_user(self, username: str, role: str, password: str = PASSWORD) -> str:
        """Create (or reset) an account of `role`: researcher, archivist or admin."""
        with self.app.app_context():
            accounts.add_user(get_db(), username, password, role)
        return username

    def _token(self, path: str) -> dict:
        # with CSRF off (the `app` fixture) a token is harmless; with it on (`sample_app`) it is needed
        found = CSRF_TOKEN.search(self.client.get(path).get_data(as_text=True))
        return {"csrf_token": found.group(1)} if found else {}

    def login(self, username: str, password: str = PASSWORD, next: str | None = None):
        """Post the sign-in form; the response is returned unchecked (a 302 when it worked)."""
        data = {"username": username, "password": password, **self._token("/login")}
        if next is not None:
            data["next"] = next
        return self.client.post("/login", data=data)

    def logout(self):
        """Press "Sign out" (the form every page shows to a signed-in user)."""
        return self.client.post("/logout", data=self._token("/"))

    def sign_in_as(self, role: str, username: str | None = None) -> str:
        """Create a user of `role` (named u-<role> unless given), sign in through the form, and
        return the username; fails at once if signing in did not work."""
        username = self.add_user(username or f"u-{role}", role)
        response = self.login(username)
        assert response.status_code == 302, f"signing in as {username} answered {response.status_code}"
        return username


@pytest.fixture
def auth(client):
    """AuthActions for the `client` fixture; other clients get theirs with AuthActions(other)."""
    return AuthActions(client)


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
def canaries(app, home, save):
    """One record per access level, plus an embargoed one, each with its own person, collection
    and year, so that every output can be checked for what a viewer must not see.

    Each record also brings authorities that no other record names, reached from it only through
    `part_of` chains and event places (`CHAIN`), and authorities no record reaches at all
    (`UNLINKED`). Besides: "Hall shared", a place linked only to the private record but also one of
    the public event's places, and "p-namesake", a second person called "Witness public" linked
    only to the private record.
    """
    index = app.extensions["archive"].index

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


# A public letter with passages hidden at each level, one whose `until` has passed, and a word
# ("bellword") that stands both in a hidden passage and in the open text.
REDACTED_TEXT = ("Opening line read by everyone.\n\n"
                 "The witness said hushrestricted quietly to the court.\n\n"
                 "Later the letter named hushprivate bellword at the gate.\n\n"
                 "Once sealed hushlapsed now open.\n\n"
                 "A bellword rang in the open.")
# Which canary word each role may read in REDACTED_TEXT.
REDACTED_WORDS = {"hushrestricted": {"researcher", "archivist"}, "hushprivate": {"archivist"},
                  "hushlapsed": {None, "researcher", "archivist"}}


def _span(text: str, passage: str) -> dict:
    start = text.index(passage)
    return {"start": start, "end": start + len(passage)}


@pytest.fixture
def redacted(save):
    """A public record with a restricted, a private and a lapsed redaction (REDACTED_WORDS), and a
    public record whose narrator withdrew consent (its canary word: `hushwithdrawn`)."""
    text = REDACTED_TEXT
    letter = save(id="r-redacted", title="Redacted letter", text=text, date="1990-01-01",
                  redactions=[{"id": "x1", **_span(text, "hushrestricted quietly"), "reason": "names a neighbour",
                               "access": "restricted"},
                              {"id": "x2", **_span(text, "hushprivate bellword"), "reason": "a living witness",
                               "access": "private", "until": "2999-01-01"},
                              {"id": "x3", **_span(text, "hushlapsed"), "reason": "sealed until 2000",
                               "access": "private", "until": "2000-01-01"}])
    withdrawn = save(id="r-withdrawn", title="Withdrawn testimony", text="hushwithdrawn story",
                     consent={"status": "withdrawn", "date": "2020-01-01", "note": "asked by phone"})
    return {"letter": letter, "withdrawn": withdrawn}


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
def playwright():
    """The one Playwright of the test session (a second one cannot run beside it)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make test` as root, or "
                    "`apt-get update && apt-get install -y chromium fonts-dejavu-core`")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
