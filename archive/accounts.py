"""Accounts: users, roles and password checks. Passwords are kept only as salted scrypt hashes.

A username is one account whatever its case (`Researcher` signs in as `researcher`); the store keeps
the spelling it was made with. A new password must be hard to guess as well as long: zxcvbn (Dropbox's
estimator, from PyPI, MIT) refuses common passwords, words, keyboard walks, repeats, sequences and
dates, and the username and the archive's own words, with its advice in the message.

Sessions are kept on the server: signing in starts one under a random key, which the session cookie
carries and the store keeps only hashed. Signing out, a new password and removing the account end
every session of that account at once, so a copied cookie stops working; a session also ends a fixed
time after it started, visits or not (SESSION_ABSOLUTE_LIFETIME).

Password guessing is slowed by pausing sign-in (see `begin_sign_in`): for an address after many
failures from it, and for a username at an address after a few failures of that username there. A
username is never paused for everyone, so nobody can lock another person out by typing their name.
"""
from __future__ import annotations

import hashlib
import math
import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from . import clock, store
from .access import ROLES, Viewer
from .messages import N_, Text
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


# zxcvbn's advice, word for word as zxcvbn 4.x writes it (its gettext has no catalog, so it is always
# English): marked here so that our catalog translates it; advice not listed is shown as it comes.
# tests/test_i18n.py reads zxcvbn's own source and fails when it gives advice missing here.
ZXCVBN_ADVICE = frozenset([
    N_("Use a few words, avoid common phrases."),
    N_("No need for symbols, digits, or uppercase letters."),
    N_("Add another word or two. Uncommon words are better."),
    N_("Straight rows of keys are easy to guess."),
    N_("Short keyboard patterns are easy to guess."),
    N_("Use a longer keyboard pattern with more turns."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_("Avoid repeated words and characters."),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Avoid sequences."),
    N_("Recent years are easy to guess."),
    N_("Avoid recent years."),
    N_("Avoid years that are associated with you."),
    N_("Dates are often easy to guess."),
    N_("Avoid dates and years that are associated with you."),
    N_("This is a top-10 common password."),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("Common names and surnames are easy to guess."),
    N_("Capitalization doesn't help very much."),
    N_("All-uppercase is almost as easy to guess as all-lowercase."),
    N_("Reversed words aren't much harder to guess."),
    N_("Predictable substitutions like '@' instead of 'a' don't help very much."),
])


def _advice(result: dict) -> Text | None:
    """zxcvbn's warning and suggestions as one message, each sentence translated where shown."""
    found = [Text(line) for line in [result["feedback"]["warning"], *result["feedback"]["suggestions"]] if line]
    if not found:
        return None
    advice = found[0]
    for line in found[1:]:
        advice = Text("%(first)s %(then)s", first=advice, then=line)
    return advice


def password_problem(password: str | None, username: str = "") -> Text | None:
    """Why a new password is refused (None when it is good enough), with zxcvbn's advice."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return Text("must have at least %(count)s characters", count=MIN_PASSWORD)
    with _strength_lock:
        result = zxcvbn(password[:STRENGTH_CHARS], user_inputs=[username, *ARCHIVE_WORDS])
    if result["score"] >= MIN_STRENGTH:
        return None
    advice = _advice(result)
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
        if old:  # a new password: whoever signed in with the old one is out
            store.delete_sessions(db, old["username"])


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


def set_password(db, username: str, password: str, keep: str | None = None) -> None:
    """Reset an account's password, ending its sessions but `keep` (the key of the session that
    changed its own password). :raise ValidationError:"""
    problem = password_problem(password, username)
    if problem:
        raise ValidationError([("password", problem)])
    with store.write_transaction(db):
        user = store.find_user(db, username)
        if user is None:
            raise ValidationError([("username", Text("no user %(name)s", name=username))])
        store.set_user_password(db, user["username"], generate_password_hash(password, method="scrypt"))
        store.delete_sessions(db, user["username"], keep=_hashed(keep) if keep else None)


def remove_user(db, username: str) -> str:
    """Remove an account, ending its sessions; returns its name as stored. Its revisions and views
    stay in the history under that name.

    :raise ValidationError: on an unknown user, or the last admin.
    """
    with store.write_transaction(db):
        user = store.find_user(db, username)
        if user is None:
            raise ValidationError([("username", Text("no user %(name)s", name=username))])
        if user["role"] == "admin" and store.count_admins(db) <= 1:
            raise ValidationError([("username", Text("the archive needs at least one admin"))])
        store.delete_user(db, user["username"])
    return user["username"]


# --- sessions -------------------------------------------------------------------------------------

def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start_session(db, username: str, lifetime: float) -> str:
    """Start a session of an account; returns its key, for the session cookie. Sessions older than
    `lifetime` seconds are cleared away on the way."""
    key, now = secrets.token_urlsafe(32), clock.CLOCK.timestamp()
    with store.write_transaction(db):
        store.forget_sessions(db, now - lifetime)
        store.add_session(db, _hashed(key), username, now)
    return key


def session_viewer(db, key: str, lifetime: float) -> Viewer | None:
    """The viewer of a session key, or None when that session has ended or is older than
    `lifetime` seconds."""
    user = store.session_user(db, _hashed(key), clock.CLOCK.timestamp() - lifetime)
    return Viewer(user["username"], user["role"]) if user else None


def end_sessions(db, username: str) -> None:
    """End every session of an account (signing out)."""
    with store.write_transaction(db):
        store.delete_sessions(db, username)


# --- the sign-in pause ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SignInLimits:
    """How many failed sign-ins pause which tries (settings SIGN_IN_*)."""
    window: float  # seconds over which failures are counted
    per_address: int  # failures from one address, whatever the usernames: that address pauses
    per_user: int  # failures of one username from one address: that username pauses there
    per_account: int  # failures of one username from all addresses: then one try per address

    @classmethod
    def of(cls, settings: Mapping) -> "SignInLimits":
        return cls(settings["SIGN_IN_WINDOW"], settings["SIGN_IN_MAX_PER_ADDRESS"],
                   settings["SIGN_IN_MAX_PER_USER"], settings["SIGN_IN_MAX_PER_ACCOUNT"])


def begin_sign_in(db, username: str, address: str, limits: SignInLimits) -> int:
    """Seconds before this address may try this username again (0: now).

    A try that may go ahead is counted as a failure at once, in the same write transaction as the
    check, so that parallel tries each see the ones before them and no more than the limit reach
    the password check; `signed_in` takes it back when the password was right. An account guessed
    at from many addresses (`per_account` failures) is slowed, not locked: each address then has
    one try per window, so its owner, typing the right password, still gets in.
    """
    key, now = username.casefold(), clock.CLOCK.timestamp()
    since = now - limits.window
    with store.write_transaction(db):
        store.forget_sign_in_failures(db, since)
        under_attack = store.sign_in_failures(db, since, username=key)[0] >= limits.per_account
        wait = 0.0
        for (count, oldest), limit in (
                (store.sign_in_failures(db, since, address=address), limits.per_address),
                (store.sign_in_failures(db, since, username=key, address=address),
                 1 if under_attack else limits.per_user)):
            if count >= limit:
                wait = max(wait, oldest + limits.window - now)
        if wait <= 0:
            store.add_sign_in_failure(db, key, address, now)
    return math.ceil(wait) if wait > 0 else 0


def signed_in(db, username: str, address: str) -> None:
    """A try begun by `begin_sign_in` had the right password: forget the failures of that username
    from that address, this try's among them. (The address's other failures stay, so signing in to
    one's own account does not buy more guesses at others.)"""
    with store.write_transaction(db):
        store.clear_sign_in_failures(db, username.casefold(), address)
