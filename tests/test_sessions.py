"""Sessions end when they must: signing out, a new password and removing the account end every
session of that account at once (a copied cookie stops working), and a session ends a fixed time
after it started, visits or not. Everyone signs in through the real /login form; a "stolen" cookie is
the session cookie copied from one test client into another, as an attacker would replay it."""
from __future__ import annotations

import pytest

from archive import accounts, store
from conftest import AuthActions

NEW_PASSWORD = "another long enough secret"


def signed_in(client) -> bool:
    """Whether the client's cookie still opens an archivist's page."""
    return client.get("/records/new").status_code == 200


def copy_of(app, client):
    """Another client holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


@pytest.fixture
def ada(app, client, auth):
    """The `client`, signed in as the archivist ada, and a copy of its cookie held by someone else."""
    auth.sign_in_as("archivist", "ada")
    thief = copy_of(app, client)
    assert signed_in(client) and signed_in(thief)
    return client, thief


def test_signing_out_ends_the_session_and_every_copy_of_its_cookie(app, ada, auth):
    client, thief = ada
    other_device = app.test_client()
    AuthActions(other_device).login("ada")
    assert signed_in(other_device)
    assert auth.logout().status_code == 302
    assert not signed_in(thief) and not signed_in(client)
    assert not signed_in(other_device)  # signing out ends every session of the account


def test_a_password_reset_ends_the_sessions_of_that_account(app, ada):
    client, thief = ada
    admin = app.test_client()
    AuthActions(admin).sign_in_as("admin", "root")
    response = admin.post("/users/ada/password", data={"pw-ada-password": NEW_PASSWORD})
    assert response.status_code == 302
    assert not signed_in(thief) and not signed_in(client)
    assert admin.get("/users").status_code == 200  # the admin's own session goes on
    assert AuthActions(client).login("ada", NEW_PASSWORD).status_code == 302 and signed_in(client)


def test_an_admin_changing_their_own_password_keeps_only_the_session_that_did_it(app, client, auth):
    auth.sign_in_as("admin", "root")
    thief = copy_of(app, client)
    elsewhere = app.test_client()
    AuthActions(elsewhere).login("root")
    assert client.post("/users/root/password", data={"pw-root-password": NEW_PASSWORD}).status_code == 302
    assert client.get("/users").status_code == 200
    assert elsewhere.get("/users").status_code == 302  # sent to sign in
    # a copy of the cookie that changed the password is that same session: it goes on too, until
    # signing out, which ends it everywhere
    assert thief.get("/users").status_code == 200
    auth.logout()
    assert thief.get("/users").status_code == 302


def test_the_command_line_password_reset_ends_the_sessions_too(app, ada, runner):
    client, thief = ada
    result = runner.invoke(args=["user", "add", "ada", "--role", "archivist", "--password-stdin"],
                           input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert not signed_in(thief) and not signed_in(client)


def test_removing_an_account_ends_its_sessions_even_if_the_name_comes_back(app, ada, home):
    client, thief = ada
    admin = app.test_client()
    AuthActions(admin).sign_in_as("admin", "root")
    assert "Remove account" in admin.get("/users").get_data(as_text=True)
    assert admin.post("/users/ada/remove").status_code == 302
    assert store.get_user(home.db, "ada") is None
    assert not signed_in(thief) and not signed_in(client)
    accounts.add_user(home.db, "ada", NEW_PASSWORD, "archivist")  # a new account of the same name
    assert not signed_in(thief)
    # the last admin stays
    admin.post("/users/root/remove")
    assert store.get_user(home.db, "root")["role"] == "admin" and admin.get("/users").status_code == 200


def test_the_command_line_removes_accounts(app, ada, runner, home):
    client, thief = ada
    result = runner.invoke(args=["user", "remove", "ADA"])  # any case names the account
    assert result.exit_code == 0 and "User ada removed." in result.output
    assert not signed_in(thief) and store.get_user(home.db, "ada") is None
    result = runner.invoke(args=["user", "remove", "ada"])
    assert result.exit_code != 0 and "no user ada" in result.output


def test_a_session_ends_a_fixed_time_after_signing_in_even_with_visits(app, client, auth):
    lifetime = app.config["SESSION_ABSOLUTE_LIFETIME"]
    assert lifetime == 12 * 3600
    clock = app.extensions["archive"].clock
    clock.set("2026-11-27T08:00:00Z")
    auth.sign_in_as("archivist", "ada")
    thief = copy_of(app, client)
    for _ in range(lifetime // 3600 - 1):  # a visit every hour keeps the cookie fresh
        clock.advance(hours=1)
        assert signed_in(client) and signed_in(thief)
    clock.advance(minutes=59, seconds=59)
    assert signed_in(client)
    clock.advance(seconds=2)
    assert not signed_in(client) and not signed_in(thief)
    assert auth.login("ada").status_code == 302 and signed_in(client)  # a new sign-in starts afresh


def test_sessions_are_kept_only_as_hashes(app, client, auth, home):
    auth.sign_in_as("archivist", "ada")
    rows = list(home.db.query("SELECT key_hash, username FROM sessions"))
    assert [r["username"] for r in rows] == ["ada"] and len(rows[0]["key_hash"]) == 64
    cookie = client.get_cookie("session").value
    assert rows[0]["key_hash"] not in cookie
