"""Accounts: the users table, their signed-in sessions, and the failed sign-ins counted to pause
password guessing.

Only rows: hashing passwords and session keys, checking roles and deciding when to pause belong to
`archive/accounts.py` and `archive/views/auth.py`.
"""
from __future__ import annotations


# --- users ----------------------------------------------------------------------------------------

def get_user(db, username: str) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE username = ?", [username]))
    return rows[0] if rows else None


def find_user(db, username: str) -> dict | None:
    """The account of a username typed in any case (`get_user` wants its exact spelling)."""
    rows = list(db.query("SELECT * FROM users WHERE username = ? COLLATE NOCASE", [username]))
    return rows[0] if rows else None


def put_user(db, username: str, password_hash: str, role: str, created_at: str) -> None:
    db.table("users").upsert({"username": username, "password_hash": password_hash, "role": role,
                              "created_at": created_at}, pk="username")


def list_users(db) -> list[dict]:
    return [dict(r) for r in db.query(
        "SELECT username, role, created_at FROM users ORDER BY username")]


def set_user_role(db, username: str, role: str) -> None:
    db.execute("UPDATE users SET role = ? WHERE username = ?", [role, username])


def set_user_password(db, username: str, password_hash: str) -> None:
    db.execute("UPDATE users SET password_hash = ? WHERE username = ?", [password_hash, username])


def count_admins(db) -> int:
    return db.execute("SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0]


def delete_user(db, username: str) -> None:
    """Remove an account; its sessions go with it (ON DELETE CASCADE)."""
    db.execute("DELETE FROM users WHERE username = ?", [username])


# --- sessions -------------------------------------------------------------------------------------

def add_session(db, key_hash: str, username: str, started_at: float) -> None:
    db.execute("INSERT INTO sessions (key_hash, username, started_at) VALUES (?, ?, ?)",
               [key_hash, username, started_at])


def session_user(db, key_hash: str, since: float) -> dict | None:
    """The account of a session started at `since` or later, or None (ended, expired, unknown)."""
    rows = list(db.query("SELECT users.* FROM sessions JOIN users USING (username) "
                         "WHERE sessions.key_hash = ? AND sessions.started_at >= ?", [key_hash, since]))
    return rows[0] if rows else None


def delete_sessions(db, username: str, keep: str | None = None) -> None:
    """End every session of an account, but the one whose key hashes to `keep`."""
    db.execute("DELETE FROM sessions WHERE username = ? AND key_hash IS NOT ?", [username, keep])


def forget_sessions(db, before: float) -> None:
    db.execute("DELETE FROM sessions WHERE started_at < ?", [before])


# --- failed sign-ins ------------------------------------------------------------------------------

def add_sign_in_failure(db, username: str, address: str, at: float) -> None:
    db.execute("INSERT INTO sign_in_failures (username, address, failed_at) VALUES (?, ?, ?)",
               [username, address, at])


def sign_in_failures(db, since: float, username: str | None = None,
                     address: str | None = None) -> tuple[int, float | None]:
    """How many failures there were since a moment, and the oldest of them: of one username, from
    one address, or of one username from one address (give both)."""
    conditions, params = ["failed_at >= ?"], [since]
    for column, value in (("username", username), ("address", address)):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    row = db.execute(f"SELECT count(*), min(failed_at) FROM sign_in_failures "
                     f"WHERE {' AND '.join(conditions)}", params).fetchone()
    return row[0], row[1]


def clear_sign_in_failures(db, username: str, address: str) -> None:
    """Forget the failures of a username from one address (after it signed in there)."""
    db.execute("DELETE FROM sign_in_failures WHERE username = ? AND address = ?", [username, address])


def forget_sign_in_failures(db, before: float) -> None:
    db.execute("DELETE FROM sign_in_failures WHERE failed_at < ?", [before])
