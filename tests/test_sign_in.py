"""The sign-in pause: counted atomically (parallel guesses get no more password checks than the
limit), slowing the guessing address rather than locking the named account (nobody can lock
someone else out by typing their username)."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from conftest import PASSWORD, AuthActions, LiveServer

WRONG = "wrong password!!"


def login_from(app, address: str, username: str, password: str = PASSWORD) -> int:
    """The status of one sign-in through the form, sent from `address`."""
    client = app.test_client()
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_parallel_guesses_get_no_more_checks_than_the_limit(app, auth):
    auth.add_user("ada", "archivist")
    limit = app.config["SIGN_IN_MAX_PER_USER"]

    def guess(_):
        data = urllib.parse.urlencode({"username": "ada", "password": WRONG}).encode()
        try:
            with urllib.request.urlopen(f"{server.url}/login", data=data, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with LiveServer(app) as server, ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(guess, range(40)))
    # 401: the password was checked and wrong; 429: paused before any check
    assert statuses.count(401) == limit and statuses.count(429) == 40 - limit, statuses


def test_nobody_can_lock_someone_else_out(app, auth):
    auth.add_user("ada", "archivist")
    for _ in range(3 * app.config["SIGN_IN_MAX_PER_USER"]):
        login_from(app, "203.0.113.7", "ada", WRONG)
    assert login_from(app, "203.0.113.7", "ada") == 429  # the guessing address waits
    assert login_from(app, "198.51.100.1", "ada") == 302  # ada, elsewhere, does not


def test_an_account_guessed_from_many_addresses_gives_each_address_one_try(app, auth):
    app.config.update(SIGN_IN_MAX_PER_ACCOUNT=12)
    auth.add_user("ada", "archivist")
    for n in range(4):  # four addresses, three guesses each: the account's limit is reached
        for _ in range(3):
            assert login_from(app, f"203.0.113.{n}", "ada", WRONG) == 401
    assert login_from(app, "203.0.113.0", "ada", WRONG) == 429  # one failure there already
    assert login_from(app, "203.0.113.99", "ada", WRONG) == 401  # a new address: one try
    assert login_from(app, "203.0.113.99", "ada", WRONG) == 429
    assert login_from(app, "198.51.100.1", "ada") == 302  # ada, with her password, is let in
    assert login_from(app, "203.0.113.50", "bea", WRONG) == 401  # other accounts are not slowed


def test_the_pause_ends_with_the_window(app, client, auth):
    app.config.update(SIGN_IN_MAX_PER_USER=2)
    auth.add_user("ada", "archivist")
    clock = app.extensions["archive"].clock
    clock.set("2026-11-27T10:00:00Z")
    for _ in range(2):
        assert auth.login("ada", WRONG).status_code == 401
    response = auth.login("ada")
    assert response.status_code == 429 and "Try again in 15 minutes" in response.get_data(as_text=True)
    clock.advance(seconds=app.config["SIGN_IN_WINDOW"])
    assert auth.login("ada").status_code == 302
    # a success clears that address's failures for that name, so the next mistake starts afresh
    AuthActions(client).logout()
    assert auth.login("ada", WRONG).status_code == 401 and auth.login("ada").status_code == 302
