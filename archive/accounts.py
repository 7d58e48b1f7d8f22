"""Accounts: users, roles and password checks. Passwords are kept only as salted scrypt hashes."""
from __future__ import annotations

import re

from werkzeug.security import check_password_hash, generate_password_hash

from . import clock, db as store
from .access import ROLES, Viewer
from .records import ValidationError

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
# Checked against when a username is unknown, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def add_user(db, username: str, password: str, role: str, replace: bool = True) -> None:
    """Create an account, or update it when `replace` (the command line resets accounts so).

    :raise ValidationError: on a bad name, role or password, or a taken name when not `replace`.
    """
    errors = []
    if not USERNAME.match(username or ""):
        errors.append(("username", "use 1-64 letters, digits, '.', '_', '@' or '-'"))
    if role not in ROLES:
        errors.append(("role", f"must be one of {', '.join(ROLES)}"))
    if len(password or "") < MIN_PASSWORD:
        errors.append(("password", f"must have at least {MIN_PASSWORD} characters"))
    if errors:
        raise ValidationError(errors)
    with store.write_transaction(db):
        old = store.get_user(db, username)
        if old and not replace:
            raise ValidationError([("username", "is taken")])
        store.put_user(db, username, generate_password_hash(password, method="scrypt"), role,
                       old["created_at"] if old else clock.now())


def authenticate(db, username: str, password: str) -> Viewer | None:
    """The viewer for a correct username and password, else None."""
    user = store.get_user(db, username or "")
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user["password_hash"], password or ""):
        return None
    return Viewer(user["username"], user["role"])


def set_role(db, username: str, role: str) -> None:
    """Change an account's role. :raise ValidationError: on an unknown user or role, or the last admin."""
    if role not in ROLES:
        raise ValidationError([("role", f"must be one of {', '.join(ROLES)}")])
    with store.write_transaction(db):
        user = store.get_user(db, username)
        if user is None:
            raise ValidationError([("username", f"no user {username}")])
        if user["role"] == "admin" and role != "admin" and store.count_admins(db) <= 1:
            raise ValidationError([("role", "the archive needs at least one admin")])
        store.set_user_role(db, username, role)


def set_password(db, username: str, password: str) -> None:
    """Reset an account's password. :raise ValidationError:"""
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError([("password", f"must have at least {MIN_PASSWORD} characters")])
    with store.write_transaction(db):
        if store.get_user(db, username) is None:
            raise ValidationError([("username", f"no user {username}")])
        store.set_user_password(db, username, generate_password_hash(password, method="scrypt"))
