"""Accounts: users, roles and password checks. Passwords are kept only as salted scrypt hashes.

A username is one account whatever its case (`Researcher` signs in as `researcher`); the store keeps
the spelling it was made with. A new password must be hard to guess as well as long: zxcvbn (Dropbox's
estimator, from PyPI, MIT) refuses common passwords, words, keyboard walks, repeats, sequences and
dates, and the username and the archive's own words, with its advice in the message.
"""
from __future__ import annotations

import re
import threading

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from . import clock, store
from .access import ROLES, Viewer
from .messages import Text
from .records import ValidationError

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 10
# zxcvbn's scores run 0-4; 3 is "safely unguessable" (about 10^8 guesses and more), its own advice
# for a password that also has to hold out against a stolen database.
MIN_STRENGTH = 3
# zxcvbn refuses longer input (its time grows with the length); a longer password is judged by its
# beginning, which keeps `aaaa…` out and lets a long passphrase through.
STRENGTH_CHARS = 72
# Words a guesser tries first against this archive, besides the username.
ARCHIVE_WORDS = ["archive", "testimony", "testimonies", "archivist", "researcher", "admin", "khmer",
                 "cambodia"]
# zxcvbn keeps the words of the call in a module global: one check at a time.
_strength_lock = threading.Lock()
# Checked against when a username is unknown, so both paths take as long.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


def password_problem(password: str | None, username: str = "") -> str | None:
    """Why a new password is refused (None when it is good enough)."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return Text("must have at least %(count)s characters", count=MIN_PASSWORD)
    with _strength_lock:
        result = zxcvbn(password[:STRENGTH_CHARS], user_inputs=[username, *ARCHIVE_WORDS])
    if result["score"] >= MIN_STRENGTH:
        return None
    # zxcvbn's advice is English only: it follows the translated verdict as it is.
    advice = " ".join(filter(None, [result["feedback"]["warning"], *result["feedback"]["suggestions"]]))
    return Text("is too easy to guess. %(advice)s", advice=advice) if advice else Text("is too easy to guess.")


def add_user(db, username: str, password: str, role: str, replace: bool = True) -> None:
    """Create an account, or update it when `replace` (the command line resets accounts so).

    :raise ValidationError: on a bad name, role or password, or a taken name when not `replace`.
    """
    errors = []
    if not USERNAME.match(username or ""):
        errors.append(("username", Text("use 1-64 letters, digits, '.', '_', '@' or '-'")))
    if role not in ROLES:
        errors.append(("role", Text("must be one of %(roles)s", roles=", ".join(ROLES))))
    problem = password_problem(password, username or "")
    if problem:
        errors.append(("password", problem))
    if errors:
        raise ValidationError(errors)
    with store.write_transaction(db):
        old = store.find_user(db, username)
        if old and not replace:
            taken = (Text("is taken") if old["username"] == username
                     else Text("is taken (by %(name)s)", name=old["username"]))
            raise ValidationError([("username", taken)])
        store.put_user(db, old["username"] if old else username,
                       generate_password_hash(password, method="scrypt"), role,
                       old["created_at"] if old else clock.now())


def authenticate(db, username: str, password: str) -> Viewer | None:
    """The viewer for a correct username (in any case) and password, else None."""
    user = store.find_user(db, username or "")
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user["password_hash"], password or ""):
        return None
    return Viewer(user["username"], user["role"])


def set_role(db, username: str, role: str) -> None:
    """Change an account's role. :raise ValidationError: on an unknown user or role, or the last admin."""
    if role not in ROLES:
        raise ValidationError([("role", Text("must be one of %(roles)s", roles=", ".join(ROLES)))])
    with store.write_transaction(db):
        user = store.find_user(db, username)
        if user is None:
            raise ValidationError([("username", Text("no user %(name)s", name=username))])
        if user["role"] == "admin" and role != "admin" and store.count_admins(db) <= 1:
            raise ValidationError([("role", Text("the archive needs at least one admin"))])
        store.set_user_role(db, user["username"], role)


def set_password(db, username: str, password: str) -> None:
    """Reset an account's password. :raise ValidationError:"""
    problem = password_problem(password, username)
    if problem:
        raise ValidationError([("password", problem)])
    with store.write_transaction(db):
        user = store.find_user(db, username)
        if user is None:
            raise ValidationError([("username", Text("no user %(name)s", name=username))])
        store.set_user_password(db, user["username"], generate_password_hash(password, method="scrypt"))
